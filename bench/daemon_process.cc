// daemon_process.cc - see daemon_process.h.
#include "daemon_process.h"

#include <accel/libaccel.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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

#include "bench_mounts.h"

namespace accel::bench {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(10);

// The FUSE trees acceld mounts under its runtime directory (its defaults for --dev-dir and
// --sys-dir).
std::vector<std::string> MountPointsUnder(const std::string& runtime_dir) {
  return {runtime_dir + "/dev/accel", runtime_dir + "/sys"};
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
                                                    const std::string& device, std::string* why,
                                                    const std::vector<std::string>& extra_args) {
  std::string dir = MakeBenchDir("");
  if (dir.empty()) {
    *why = std::string("mkdtemp: ") + std::strerror(errno);
    return nullptr;
  }
  setenv("ACCEL_RUNTIME_DIR", dir.c_str(), 1);
  // warn: keep acceld's info lines out of the benchmark's table. 0666: any user may open.
  const std::vector<std::string> args = {acceld_path, "--runtime-dir", dir,
                                         "--load",    driver,          "--log-level",
                                         "warn",      "--node-mode",   "0666"};
  std::vector<std::string> all_args = args;
  all_args.insert(all_args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv = ArgvOf(all_args);
  for (const std::string& m : MountPointsUnder(dir)) DetachOnExit(m);
  ChildProcess child = ChildProcess::Start([&argv] {
    // SIGTERM, not SIGKILL, when the benchmark dies: acceld then unmounts its FUSE trees
    // before it exits. The setting survives execv().
    prctl(PR_SET_PDEATHSIG, SIGTERM);
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

bool DaemonProcess::WaitForNode(const std::string& device, std::string* why) {
  const std::string path = NodePath(device);
  const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
  struct stat st;
  while (stat(path.c_str(), &st) != 0) {
    if (!process_.Running()) {
      *why = "acceld exited before " + path + " appeared";
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      *why = path + " did not appear within 10 s (no /dev/fuse here?)";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

DaemonProcess::~DaemonProcess() {
  Stop();
  // A clean acceld has unmounted already; after a SIGKILL (it hung on SIGTERM) its mounts
  // are stale, and remove_all() must not walk into them.
  for (const std::string& m : MountPointsUnder(runtime_dir_)) {
    DetachMount(m);
    ForgetOnExit(m);
  }
  std::error_code ec;
  std::filesystem::remove_all(runtime_dir_, ec);  // best effort: a leftover dir is harmless
}

}  // namespace accel::bench
