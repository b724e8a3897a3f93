// monitor_command.cc - see monitor_command.h.
//
// One poll() loop waits on two descriptors: the monitor's and StopSignals' signalfd for SIGINT
// and SIGTERM, so an interrupt is one more readable descriptor (stop_signals.h says why).
//
// When the monitor's descriptor polls readable, every waiting event is taken with a zero
// timeout, not just one: libaccel may hold several after one read, and those would not make
// the descriptor readable again.
#include "monitor_command.h"

#include <accel/libaccel.h>
#include <fmt/core.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "device_entry.h"
#include "failure.h"
#include "stop_signals.h"

namespace accelctl {
namespace {

using Clock = std::chrono::steady_clock;

// What handling an event (or a wake-up) decided: nullopt to keep watching, or the exit status.
using Outcome = std::optional<int>;

int ExitOk() {
  return static_cast<int>(ExitStatus::kOk);
}

struct MonitorCloser {
  void operator()(accel_monitor* m) const { accel_monitor_close(m); }
};
using MonitorPtr = std::unique_ptr<accel_monitor, MonitorCloser>;

// "add", "remove", "change", as udev names its actions, and "wedged", "recovered" (DRM's
// wedged uevent and its end); nullptr for an action this accelctl does not know (a newer
// acceld).
const char* ActionName(uint32_t action) {
  switch (action) {
    case ACCEL_MONITOR_ADD:
      return "add";
    case ACCEL_MONITOR_REMOVE:
      return "remove";
    case ACCEL_MONITOR_CHANGE:
      return "change";
    case ACCEL_MONITOR_WEDGED:
      return "wedged";
    case ACCEL_MONITOR_RECOVERED:
      return "recovered";
    default:
      return nullptr;
  }
}

// The action for people (upper case, to stand out as udevadm's do) or for JSON (lower case).
std::string ActionWord(uint32_t action, bool upper) {
  const char* name = ActionName(action);
  if (name == nullptr) return fmt::format("{}{}", upper ? "ACTION" : "action", action);
  std::string word = name;
  if (upper)
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return word;
}

// seconds.microseconds of the Unix epoch, as udevadm monitor prints its timestamps.
std::string TimestampText(uint64_t timestamp_ns) {
  return fmt::format("{}.{:06}", timestamp_ns / 1000000000, timestamp_ns % 1000000000 / 1000);
}

// "1712345678.123456  ADD        accel0    dummy". The action column fits RECOVERED and the name
// column accel255, so the driver column stays aligned for every event.
std::string EventText(const accel_monitor_event& ev) {
  std::string line =
      fmt::format("{}  {:<9}  {:<8}  {}", TimestampText(ev.timestamp_ns),
                  ActionWord(ev.action, true), RecordString(ev.name), RecordString(ev.driver));
  // A REMOVE whose driver is gone has an empty last column; no trailing blanks for grep.
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

Json EventJson(const accel_monitor_event& ev) {
  return {
      {"action", ActionWord(ev.action, false)},
      {"minor", ev.minor},
      {"name", RecordString(ev.name)},
      {"driver", RecordString(ev.driver)},
      {"seqno", ev.seqno},
      {"timestamp_ns", ev.timestamp_ns},
  };
}

// One line per event, flushed at once: a reader on a pipe must see the event when it happens,
// not when a buffer fills.
void PrintEvent(const accel_monitor_event& ev, bool json) {
  if (json) {
    // One object per line (no indentation), so that line-oriented tools can consume it.
    fmt::print("{}\n", EventJson(ev).dump(-1, ' ', false, Json::error_handler_t::replace));
  } else {
    fmt::print("{}\n", EventText(ev));
  }
  std::fflush(stdout);
}

int FailOpen(int err) {
  if (IsUnreachable(err)) return FailUnreachable(err);
  if (err == -EOPNOTSUPP)
    return Fail(ExitStatus::kFailed,
                fmt::format("acceld at {} has no monitor stream; use an acceld as new as this "
                            "accelctl",
                            DaemonSocketPath()));
  return Fail(ExitStatus::kFailed,
              fmt::format("cannot subscribe to acceld's monitor stream: {}", ErrnoText(err)));
}

int FailStream(int err) {
  if (err == -ECONNRESET)
    return Fail(ExitStatus::kFailed,
                fmt::format("acceld at {} went away and the monitor stream ended; run `accelctl "
                            "monitor` again once acceld is back",
                            DaemonSocketPath()));
  return Fail(ExitStatus::kFailed,
              fmt::format("reading acceld's monitor stream failed: {}", ErrnoText(err)));
}

// Waits for events and prints them until --count, --timeout, a signal or a failure ends it.
class MonitorLoop {
 public:
  MonitorLoop(accel_monitor* monitor, int monitor_fd, int signal_fd, const MonitorOptions& options)
      : monitor_(monitor), monitor_fd_(monitor_fd), signal_fd_(signal_fd), options_(options) {
    RestartIdleTimer();
  }

  int Run() {
    for (;;) {
      pollfd fds[2] = {{monitor_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
      const int ready = poll(fds, 2, PollTimeoutMs());
      if (ready < 0 && errno == EINTR) continue;  // e.g. after SIGSTOP/SIGCONT
      if (ready < 0) return FailStream(-errno);
      // Checked, not assumed: a timeout is the idle deadline unless poll woke early.
      if (ready == 0 && idle_deadline_ && Clock::now() >= *idle_deadline_) return ExitOk();
      if (fds[0].revents != 0) {
        if (Outcome end = TakeEvents((fds[0].revents & (POLLHUP | POLLERR)) != 0)) return *end;
      }
      // SIGINT or SIGTERM: the ordinary way to stop watching, so not a failure.
      if (fds[1].revents != 0) return ExitOk();
    }
  }

 private:
  // Takes every event already waiting. `hung_up`: poll saw the daemon's end close.
  Outcome TakeEvents(bool hung_up) {
    bool took_any = false;
    for (;;) {
      accel_monitor_event ev{};
      const int rc = accel_monitor_next(monitor_, &ev, 0);
      if (rc == -ETIME) {
        // A hang-up with nothing left to read is the daemon leaving, whatever next() says:
        // polling again would only report the same hang-up, forever.
        if (hung_up && !took_any) return FailStream(-ECONNRESET);
        return std::nullopt;
      }
      if (rc < 0) return FailStream(rc);
      took_any = true;
      if (Outcome end = Handle(ev)) return end;
    }
  }

  Outcome Handle(const accel_monitor_event& ev) {
    ReportDropped(ev.seqno);
    PrintEvent(ev, options_.json);
    RestartIdleTimer();
    ++printed_;
    if (options_.count && printed_ >= *options_.count) return ExitOk();
    return std::nullopt;
  }

  // acceld never blocks on a slow monitor: it drops the event but still counts it, and each
  // stream counts from 1. So a jump in seqno is a number of lost events, said out loud.
  void ReportDropped(uint64_t seqno) {
    if (seqno > next_seqno_) {
      const uint64_t dropped = seqno - next_seqno_;
      std::fflush(stdout);  // keep the warning in order with the event lines around it
      fmt::print(stderr, "accelctl: {} {} dropped; this monitor did not read fast enough\n",
                 dropped, dropped == 1 ? "event was" : "events were");
    }
    next_seqno_ = seqno + 1;
  }

  void RestartIdleTimer() {
    if (!options_.timeout_seconds) return;
    idle_deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(*options_.timeout_seconds));
  }

  // Milliseconds until the idle deadline, rounded up so that poll never wakes early; -1 (wait
  // forever) without --timeout.
  int PollTimeoutMs() const {
    if (!idle_deadline_) return -1;
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*idle_deadline_ - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
  }

  accel_monitor* monitor_;
  int monitor_fd_;
  int signal_fd_;
  const MonitorOptions& options_;
  uint64_t printed_ = 0;
  uint64_t next_seqno_ = 1;
  std::optional<Clock::time_point> idle_deadline_;
};

}  // namespace

int RunMonitor(const MonitorOptions& options) {
  // Signals are redirected before subscribing, so that a SIGINT during the subscription is
  // still a clean end rather than a kill.
  StopSignals signals;
  if (signals.fd() < 0)
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot watch for SIGINT and SIGTERM: {}", ErrnoText(-errno)));

  accel_monitor* raw = nullptr;
  if (int rc = accel_monitor_open(&raw); rc < 0) return FailOpen(rc);
  MonitorPtr monitor(raw);
  const int monitor_fd = accel_monitor_fd(monitor.get());
  if (monitor_fd < 0)
    return Fail(ExitStatus::kFailed,
                fmt::format("libaccel gave no descriptor to wait on for the monitor stream ({})",
                            monitor_fd));

  return MonitorLoop(monitor.get(), monitor_fd, signals.fd(), options).Run();
}

}  // namespace accelctl
