// ras_watch.cc - see ras_watch.h.
//
// RasGrpcClient::Watch() blocks, calls back per event, and looks at a stop flag every few
// milliseconds. A second thread owns everything that ends a watch from outside: it waits on a
// signalfd for SIGINT and SIGTERM (StopSignals, made before gRPC starts its threads, so the
// signals arrive nowhere else) and on the idle deadline of --timeout, and raises the flag.
#include "ras_watch.h"

#include <fmt/core.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "device_entry.h"
#include "device_open.h"
#include "failure.h"
#include "ras_report.h"
#include "ras_service_client.h"
#include "stop_signals.h"

namespace accelctl {
namespace {

using Clock = std::chrono::steady_clock;

// How often the stop flag and the deadline are looked at: a Ctrl-C ends the watch well within
// human reaction time, at a negligible cost.
constexpr int kPollMs = 50;

// Raises `stop` on SIGINT/SIGTERM or once --timeout passes without an event.
class WatchStopper {
 public:
  // Blocks the signals in this thread and every thread started after; fd() < 0 on failure.
  explicit WatchStopper(std::optional<double> timeout_seconds) : timeout_(timeout_seconds) {
    Restart();
  }
  ~WatchStopper() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  WatchStopper(const WatchStopper&) = delete;
  WatchStopper& operator=(const WatchStopper&) = delete;

  int fd() const { return signals_.fd(); }
  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // An event arrived: the idle deadline starts again.
  void Restart() {
    if (!timeout_) return;
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(*timeout_));
    deadline_.store(deadline.time_since_epoch().count());
  }
  const std::atomic<bool>* stop() const { return &stop_; }

 private:
  void Run() {
    while (!done_ && !stop_) {
      pollfd pfd{signals_.fd(), POLLIN, 0};
      if (poll(&pfd, 1, kPollMs) > 0) stop_ = true;  // SIGINT or SIGTERM: the usual way out
      if (timeout_ && Clock::now().time_since_epoch().count() >= deadline_.load()) stop_ = true;
    }
  }

  std::optional<double> timeout_;
  StopSignals signals_;
  std::atomic<Clock::rep> deadline_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Prints one watch item; false once --count events were printed.
class WatchPrinter {
 public:
  WatchPrinter(const RasWatchOptions& options, WatchStopper* stopper)
      : options_(options), stopper_(stopper) {}

  bool operator()(const accel::ras::RasGrpcClient::WatchItem& item) {
    if (item.lost > 0) ReportLost(item.lost);
    if (!item.record) return true;
    stopper_->Restart();
    if (options_.json)
      fmt::print("{}\n",
                 EventJson(*item.record).dump(-1, ' ', false, Json::error_handler_t::replace));
    else
      fmt::print("{}\n", EventLine(*item.record));
    std::fflush(stdout);  // a reader on a pipe must see the event when it happens
    ++printed_;
    return !options_.count || printed_ < *options_.count;
  }

 private:
  void ReportLost(uint64_t lost) {
    if (options_.json) {
      fmt::print("{}\n", Json{{"lost", lost}}.dump());
      std::fflush(stdout);
      return;
    }
    std::fflush(stdout);  // keep the warning in order with the event lines around it
    fmt::print(stderr, "accelctl: {} {} lost; this watch did not read fast enough\n", lost,
               lost == 1 ? "event was" : "events were");
  }

  const RasWatchOptions& options_;
  WatchStopper* stopper_;
  uint64_t printed_ = 0;
};

}  // namespace

int RunRasWatch(const RasWatchOptions& options) {
  // Before any gRPC thread exists, so that none of them can take the signals.
  WatchStopper stopper(options.timeout_seconds);
  if (stopper.fd() < 0)
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot watch for SIGINT and SIGTERM: {}", ErrnoText(-errno)));
  if (int status = FindListedDevice(options.device, nullptr)) return status;
  std::unique_ptr<accel::ras::RasGrpcClient> client;
  if (int status = ConnectRasService(&client)) return status;

  WatchPrinter printer(options, &stopper);
  stopper.Start();
  accel::Result<void> watched = client->Watch(
      options.device, [&printer](const auto& item) { return printer(item); }, stopper.stop(),
      kPollMs);
  if (!watched) return FailRasServiceCall("Watch", options.device, watched.error());
  return static_cast<int>(ExitStatus::kOk);
}

}  // namespace accelctl
