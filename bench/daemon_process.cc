// daemon_process.cc - see daemon_process.h.
#include "daemon_process.h"

#include <accel/libaccel.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

namespace accel::bench {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(10);

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "accel-bench-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return mkdtemp(buf.data()) ? std::string(buf.data()) : std::string();
}

// execv()'s argv over `args`, built before fork(): the child may not allocate.
std::vector<char*> ArgvOf(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Errors that mean "not up yet" rather than "broken".
bool NotReadyYet(int rc) {
  return rc == -ENOENT || rc == -ECONNREFUSED || rc == -ENODEV;
}

// Polls until `device` opens, the daemon exits, or the timeout passes.
bool WaitUntilOpenable(ChildProcess& daemon, const std::string& device, std::string* why) {
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  for (;;) {
    accel_handle* h = nullptr;
    const int rc = accel_open(device.c_str(), &h);
    if (rc == 0) {
      accel_close(h);
      return true;
    }
    if (!NotReadyYet(rc)) {
      *why = "accel_open(" + device + "): " + accel_strerror(rc);
      return false;
    }
    if (!daemon.Running()) {
      *why = "acceld exited during start-up (wait status " + std::to_string(daemon.Stop()) + ")";
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      *why = device + " did not appear within 10 s";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

std::unique_ptr<DaemonProcess> DaemonProcess::Start(const std::string& acceld_path,
                                                    const std::string& driver,
                                                    const std::string& device, std::string* why) {
  std::string dir = MakeTempDir();
  if (dir.empty()) {
    *why = std::string("mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  setenv("ACCEL_RUNTIME_DIR", dir.c_str(), 1);
  // warn: keep acceld's info lines out of the benchmark's table. 0666: any user may open.
  const std::vector<std::string> args = {acceld_path, "--runtime-dir", dir,
                                         "--load",    driver,          "--log-level",
                                         "warn",      "--node-mode",   "0666"};
  std::vector<char*> argv = ArgvOf(args);
  ChildProcess child = ChildProcess::Start([&argv] {
    execv(argv[0], argv.data());
    return 127;
  });
  std::unique_ptr<DaemonProcess> d(new DaemonProcess(dir, std::move(child)));
  if (!WaitUntilOpenable(d->process_, device, why)) return nullptr;  // ~DaemonProcess cleans up
  return d;
}

bool DaemonProcess::Stop() {
  const int status = process_.Stop();
  return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

DaemonProcess::~DaemonProcess() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir_, ec);  // best effort: a leftover dir is harmless
}

}  // namespace accel::bench
