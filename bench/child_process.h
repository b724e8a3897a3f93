// child_process.h - a forked helper process that cannot outlive the benchmark.
//
// DOC: why benchmarks need this
//
// The socket benchmarks talk to other processes (acceld, an echo peer) so that every round
// trip crosses a process boundary. A benchmark binary can end in ways that skip destructors
// (a failed check calls abort(), a library calls exit()), and a stray acceld would keep
// its runtime directory locked. So every child is covered three times:
//
//   - ~ChildProcess() sends SIGTERM and reaps it (the normal path; acceld shuts down cleanly);
//   - an atexit() handler SIGKILLs every child still alive (exit() skips main's destructors);
//   - the child asks the kernel for SIGKILL when its parent dies (PR_SET_PDEATHSIG), which
//     covers abort(), crashes and SIGKILL of the benchmark itself.
//
//   ChildProcess echo = ChildProcess::Start([fd] { return EchoLoop(fd); });
//   ...
//   int status = echo.Stop();   // or let the destructor do it
#ifndef ACCEL_BENCH_CHILD_PROCESS_H_
#define ACCEL_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>

namespace accel::bench {

class ChildProcess {
 public:
  // Forks; the child runs `body` and _exit()s with its return value. The child must only call
  // async-signal-safe functions (the parent may have threads). Call from the main thread:
  // PR_SET_PDEATHSIG fires when the forking *thread* exits. Aborts if fork() fails: a
  // benchmark without its peer has nothing to measure.
  static ChildProcess Start(const std::function<int()>& body);

  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
    other.pid_ = -1;
  }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { Stop(); }

  // SIGTERM, then SIGKILL once `grace` has passed; reaps the child. Returns its wait status
  // (also when it had exited already), or -1 for a moved-from object.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // True while the child has not exited; reaps it (keeping its status for Stop()) if it has.
  bool Running();
  pid_t pid() const { return pid_; }
  // Nanoseconds all of the child's live threads have spent on a CPU (from
  // /proc/PID/task/*/schedstat), so a benchmark can report the peer's share of a round trip.
  // 0 when not running.
  uint64_t CpuNanoseconds() const;

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void Reaped(int status);

  pid_t pid_ = -1;
  int status_ = -1;  // wait status once reaped
};

}  // namespace accel::bench

#endif  // ACCEL_BENCH_CHILD_PROCESS_H_
