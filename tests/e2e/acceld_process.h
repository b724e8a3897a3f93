// acceld_process.h - runs a real acceld for a test, and always cleans up after it.
//
// The daemon gets a fresh temp root (mode 0755, so unprivileged test children can reach it),
// its runtime dir inside, and PR_SET_PDEATHSIG so it dies with the test binary even when the
// test crashes. The destructor stops it (SIGTERM, then SIGKILL) and removes the temp root.
#ifndef ACCEL_TESTS_E2E_ACCELD_PROCESS_H_
#define ACCEL_TESTS_E2E_ACCELD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace accel::testing {

class AcceldProcess {
 public:
  AcceldProcess();
  ~AcceldProcess();
  AcceldProcess(const AcceldProcess&) = delete;
  AcceldProcess& operator=(const AcceldProcess&) = delete;

  // Starts acceld with `args` (after --runtime-dir) and waits for its socket. Points
  // ACCEL_RUNTIME_DIR of this process at it, for libaccel. False if it did not come up.
  bool Start(const std::vector<std::string>& args);
  // Runs acceld with `args` against the same runtime dir and returns its exit status and
  // stderr, without waiting for a socket (for daemons expected to refuse to start).
  int RunOther(const std::vector<std::string>& args, std::string* output);
  // SIGTERM and wait; returns the exit status (or -1 if it had to be killed).
  int Stop();

  // SIGKILL, as a crash would: nothing gets to clean up. Start() may follow (same root).
  void Kill9();
  pid_t pid() const { return pid_; }
  const std::string& root() const { return root_; }
  const std::string& runtime_dir() const { return runtime_dir_; }
  std::string socket_path() const { return runtime_dir_ + "/acceld.sock"; }
  std::string log() const;
  // Open file descriptors of the daemon (from /proc/PID/fd).
  int OpenFdCount() const;
  bool Maps(const std::string& needle) const;

 private:
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path);

  std::string root_;
  std::string runtime_dir_;
  pid_t pid_ = -1;
};

}  // namespace accel::testing

#endif  // ACCEL_TESTS_E2E_ACCELD_PROCESS_H_
