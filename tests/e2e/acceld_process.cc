// acceld_process.cc - see acceld_process.h.
#include "acceld_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace accel::testing {
namespace {

bool WaitExit(pid_t pid, int* status, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

AcceldProcess::AcceldProcess() {
  char tmpl[] = "/tmp/accel-e2e-XXXXXX";
  root_ = mkdtemp(tmpl);
  chmod(root_.c_str(), 0755);
  runtime_dir_ = root_ + "/run";
}

AcceldProcess::~AcceldProcess() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

pid_t AcceldProcess::Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv_s = {ACCEL_BIN_DIR "/acceld", "--runtime-dir", runtime_dir_};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  // Tests never touch the system's RAS store: each daemon keeps it in its temp root unless
  // the test names one (a restart with the same root finds the same store).
  if (std::find(args.begin(), args.end(), "--ras-db") == args.end()) {
    argv_s.push_back("--ras-db");
    argv_s.push_back(root_ + "/ras.db");
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

bool AcceldProcess::Start(const std::vector<std::string>& args) {
  // A restart must not find the previous daemon's "listening on" line.
  unlink((root_ + "/acceld.log").c_str());
  pid_ = Spawn(args, root_ + "/acceld.log");
  if (pid_ < 0) return false;
  setenv("ACCEL_RUNTIME_DIR", runtime_dir_.c_str(), 1);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find("listening on") != std::string::npos) return true;
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

void AcceldProcess::Kill9() {
  if (pid_ <= 0) return;  // never kill(0) or kill(-1)
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int AcceldProcess::RunOther(const std::vector<std::string>& args, std::string* output) {
  const std::string log_path = root_ + "/other.log";
  pid_t pid = Spawn(args, log_path);
  int status = 0;
  if (!WaitExit(pid, &status, std::chrono::seconds(10))) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
  }
  *output = ReadFile(log_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int AcceldProcess::Stop() {
  if (pid_ <= 0) return -1;
  int status = 0;
  kill(pid_, SIGTERM);
  int rc = -1;
  if (WaitExit(pid_, &status, std::chrono::seconds(10))) {
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  } else {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  return rc;
}

std::string AcceldProcess::log() const {
  return ReadFile(root_ + "/acceld.log");
}

int AcceldProcess::OpenFdCount() const {
  int n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

bool AcceldProcess::Maps(const std::string& needle) const {
  return ReadFile("/proc/" + std::to_string(pid_) + "/maps").find(needle) != std::string::npos;
}

}  // namespace accel::testing
