// stop_signals.h - SIGINT and SIGTERM as a readable descriptor, for the commands that run until
// the user stops them (`monitor`, `ras watch`).
//
// The signals are blocked and read from a signalfd rather than caught: an interrupt is one more
// descriptor to poll, with no handler, no flag that could race with the wait and no EINTR for
// libaccel's retry loops to swallow. The mask is the calling thread's and is inherited by every
// thread it starts later, so construct this before any other thread (gRPC's) exists, or the
// signals may go there instead.
//
//   StopSignals signals;
//   if (signals.fd() < 0) return Fail(ExitStatus::kFailed, ...);   // errno says why
//   pollfd pfd{signals.fd(), POLLIN, 0};
#ifndef ACCEL_TOOLS_ACCELCTL_STOP_SIGNALS_H_
#define ACCEL_TOOLS_ACCELCTL_STOP_SIGNALS_H_

namespace accelctl {

class StopSignals {
 public:
  // Blocks the signals and opens the descriptor; fd() is negative (errno set) on failure.
  StopSignals();
  // Closes the descriptor. The signals stay blocked: stopping is the last thing accelctl does,
  // and unblocking would deliver a late SIGINT with its default action, turning a clean end
  // into a kill.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_STOP_SIGNALS_H_
