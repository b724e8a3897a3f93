// child_process.cc - see child_process.h.
#include "child_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

namespace accel::bench {
namespace {

// Children still alive, for the atexit() handler. A fixed array of atomics rather than a
// container: the handler may run while the process is half torn down.
std::array<std::atomic<pid_t>, 16> g_live{};

void KillLiveChildren() {
  for (std::atomic<pid_t>& slot : g_live) {
    const pid_t pid = slot.exchange(0);
    if (pid <= 0) continue;
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

void Track(pid_t pid) {
  static const bool installed = std::atexit(KillLiveChildren) == 0;
  (void)installed;
  for (std::atomic<pid_t>& slot : g_live) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
  // More children than slots: still covered by PR_SET_PDEATHSIG and the destructor.
}

void Untrack(pid_t pid) {
  for (std::atomic<pid_t>& slot : g_live) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

// waitpid() without blocking; true once `pid` has been reaped.
bool TryReap(pid_t pid, int* status) {
  pid_t r;
  do {
    r = waitpid(pid, status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  return r == pid || (r < 0 && errno == ECHILD);
}

bool ReapWithin(pid_t pid, std::chrono::milliseconds grace, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!TryReap(pid, status)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

uint64_t ChildProcess::CpuNanoseconds() const {
  if (pid_ <= 0) return 0;
  uint64_t total = 0;
  std::error_code ec;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid_) + "/task";
  // Threads may come and go while we look: errors end the walk instead of throwing.
  for (std::filesystem::directory_iterator it(tasks, ec), end; !ec && it != end; it.increment(ec)) {
    std::ifstream in(it->path() / "schedstat");
    uint64_t on_cpu_ns = 0;  // first field: time spent running
    if (in >> on_cpu_ns) total += on_cpu_ns;
  }
  return total;
}

ChildProcess ChildProcess::Start(const std::function<int()>& body) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid == 0) {
    // If the parent died between fork() and prctl(), the signal will never come: we have
    // been re-parented, so getppid() no longer names it.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    _exit(body());
  }
  Track(pid);
  return ChildProcess(pid);
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Stop();
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
  }
  return *this;
}

void ChildProcess::Reaped(int status) {
  Untrack(pid_);
  status_ = status;
  pid_ = -1;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (!TryReap(pid_, &status)) return true;
  Reaped(status);
  return false;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return status_;
  int status = 0;
  kill(pid_, SIGTERM);
  if (!ReapWithin(pid_, grace, &status)) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  Reaped(status);
  return status_;
}

}  // namespace accel::bench
