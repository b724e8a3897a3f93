// firmware_process.h - the driver's side of the firmware link: runs vnpu-fw as a child process
// and talks rpmsg with it over shared virtqueues.
//
// DOC: lifetime
//
// Start() builds everything the link needs before the firmware exists: the shared region
// (shared_region.h) with every rx buffer already posted, and two eventfds, `kick` (driver ->
// firmware) and `call` (firmware -> driver). It then starts the receive thread, which spawns
// vnpu-fw with the region on fd 3, kick on 4 and call on 5:
//
//   vnpu-fw --shm-fd 3 --kick-fd 4 --call-fd 5 --heartbeat-ms N --serial S --parent-pid P
//
// (--parent-pid lets the child check, after arming PR_SET_PDEATHSIG, that its parent did not
// die before it could.) The child is spawned from the receive thread, not from the caller's:
// PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, and the receive thread
// lives exactly as long as this object, whatever thread called Start(). The child gets an empty
// signal mask, default dispositions and its own process group (a terminal's Ctrl-C reaches the
// daemon, which shuts the firmware down in order), and no descriptor but 0..5.
//
// Start() returns once the child runs; the link comes up asynchronously. The receive thread
// polls `call` and a pidfd of the child and, for each message the firmware sends:
//   NS announcement of "vnpu-ctrl"  the link is up: RAS_REQUEST goes out (always the first
//                                   message; the firmware learns the driver's address from it
//                                   and answers HELLO), then on_announce(name, addr)
//   HELLO, HEARTBEAT, RAS_BLOB      on_hello, on_heartbeat, on_ras_blob
//   child exit                      on_exit(wait status), once; the child is reaped
// Every rx buffer goes back to the firmware as soon as its message is copied out.
//
// The firmware is hostile input. A malformed or misaddressed message is dropped and reported
// through on_link_error; a broken ring (a used entry naming a buffer not in flight, say) means
// the link can no longer be trusted: the firmware is killed (SIGKILL), so the driver sees
// on_exit and resets the device as after a crash.
//
// The destructor sends SHUTDOWN, gives the firmware ~500 ms to exit, then SIGKILLs it; it
// reaps the child, stops and joins the receive thread, and frees the region and descriptors.
// From the moment the destructor starts, no further callback runs (one already running
// finishes first).
//
// DOC: callbacks
//
// Callbacks run on the receive thread, one at a time, in the order the firmware sent. They may
// call Send() and the other senders (which never block on the receive thread), but must not
// destroy this object (the destructor joins the receive thread) nor wait for something that
// waits on it. Any callback may be left empty. Spans passed to them are valid only during the
// call.
//
//   FirmwareCallbacks cb;
//   cb.on_heartbeat = [&](uint32_t seq, uint64_t) { watchdog.Pet(seq); };
//   cb.on_exit = [&](int status) { ScheduleReset(status); };
//   Result<std::unique_ptr<FirmwareProcess>> fw =
//       FirmwareProcess::Start(helper_path, {.heartbeat_ms = 100, .serial = "VNPU-0"}, cb);
//   if (!fw) return fw.error();
//   (*fw)->SendFault(fault);   // -ENOTCONN until the announcement arrived
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_FIRMWARE_PROCESS_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_FIRMWARE_PROCESS_H_

#include <accel/result.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/fw_protocol.h"
#include "drivers/vnpu/fwlink/shared_region.h"
#include "drivers/vnpu/fwlink/virtqueue.h"

namespace accel::vnpu::fwlink {

// The user and group the firmware drops to before it serves (vnpu-fw --uid/--gid).
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
};

// The firmware's whole environment: PATH and any sanitizer options set in the daemon's.
std::vector<std::string> FirmwareEnvironment();

struct FirmwareOptions {
  uint32_t heartbeat_ms = 100;  // 1..60000
  std::string serial;           // the device's serial, in the firmware's RAS blobs: at most 63
                                // bytes of UTF-8, no NUL
  uint32_t queue_size = 64;     // entries per virtqueue: a power of two, 2..kMaxQueueSize
  std::optional<RunAs> run_as;  // none: the firmware keeps the driver's user
};

// See "DOC: callbacks" above: every one runs on the receive thread.
struct FirmwareCallbacks {
  std::function<void(const std::string& name, uint32_t addr)> on_announce;
  std::function<void(const fw::Hello& hello)> on_hello;
  std::function<void(uint32_t seq, uint64_t uptime_ns)> on_heartbeat;
  std::function<void(uint32_t format, std::span<const uint8_t> blob)> on_ras_blob;
  // The child's wait status (WIFEXITED/WIFSIGNALED apply), or -1 if it could not be collected
  // (the host ignores SIGCHLD, or someone else reaped the child).
  std::function<void(int wait_status)> on_exit;
  // A message dropped or the link torn down: a negative errno and what happened. Diagnostics
  // only; nothing needs to be done about it.
  std::function<void(int err, const std::string& what)> on_link_error;
};

class FirmwareProcess {
 public:
  // Starts `fw_path` (the vnpu-fw binary) with `opts`. -EINVAL for options out of range; the
  // errno of memfd/eventfd/posix_spawn/pidfd_open otherwise (-ENOENT: no such binary).
  static Result<std::unique_ptr<FirmwareProcess>> Start(const std::string& fw_path,
                                                        const FirmwareOptions& opts,
                                                        FirmwareCallbacks cb);
  ~FirmwareProcess();
  FirmwareProcess(const FirmwareProcess&) = delete;
  FirmwareProcess& operator=(const FirmwareProcess&) = delete;

  // Sends one payload (a message of fw_protocol.h) from kDriverAddr to the firmware's
  // endpoint. Thread-safe; never blocks. -ENOTCONN before the announcement and once the
  // firmware exited or the link broke; -ENOBUFS when every tx buffer is still with the
  // firmware (try again later); -EMSGSIZE above fw::kMaxPayload; -EINVAL for a null payload.
  Result<void> Send(const void* payload, uint16_t len);
  // A fault for the firmware to account (checked where it was built); it answers with a RAS
  // blob. As Send().
  Result<void> SendFault(const CheckedFault& fault);
  // Asks for a RAS blob now.
  Result<void> RequestRas();
  // Fault injection: the firmware keeps running but stops its heartbeats (a hang).
  Result<void> StopHeartbeat();
  // Fault injection: the firmware makes a system call its sandbox forbids (fw::kProbeSandbox).
  Result<void> ProbeSandbox();
  // Sends `sig` to the firmware through its pidfd (never another process that reused the
  // pid). Fault injection: Kill(SIGKILL) is a firmware crash. -ESRCH once it exited.
  Result<void> Kill(int sig);

  pid_t pid() const { return pid_; }
  // The announcement arrived and the firmware has not exited.
  bool connected() const { return connected_.load(std::memory_order_acquire); }
  // The child exited and was reaped (on_exit has been called, unless the destructor runs).
  bool exited() const;

 private:
  FirmwareProcess(SharedRegion region, FirmwareCallbacks cb);

  Result<void> SpawnChild(const std::string& fw_path, const FirmwareOptions& opts);
  void ReceiveLoop(std::string fw_path, FirmwareOptions opts, std::promise<int> started);
  void ReceiveAll();
  void Dispatch(std::span<const uint8_t> bytes);
  void HandleAnnouncement(std::span<const uint8_t> payload);
  void Reap();
  Result<void> SendTo(uint32_t dst, const void* payload, uint16_t len);
  Result<void> ReclaimTxLocked();
  void Kick();
  void LinkBroken(int err, const std::string& what);
  void Report(int err, const std::string& what);
  int SignalChild(int sig);
  bool WaitReaped(int timeout_ms);

  FirmwareCallbacks cb_;
  SharedRegion region_;
  DriverQueue rx_;  // vq 0; the receive thread's alone
  std::mutex tx_mu_;
  DriverQueue tx_;                 // vq 1; guarded by tx_mu_
  std::vector<uint16_t> tx_free_;  // tx descriptors not in flight; guarded by tx_mu_

  int kick_fd_ = -1;
  int call_fd_ = -1;
  int stop_fd_ = -1;  // the destructor wakes the receive thread through it
  int pidfd_ = -1;
  pid_t pid_ = -1;
  std::thread thread_;

  std::atomic<bool> connected_{false};
  std::atomic<uint32_t> fw_addr_{0};
  std::atomic<bool> closing_{false};  // the destructor runs: no more callbacks
  std::atomic<bool> broken_{false};   // the firmware violated the ring protocol
  std::mutex broken_mu_;
  int broken_err_ = 0;       // why, reported from the receive thread; guarded by broken_mu_
  std::string broken_what_;  // guarded by broken_mu_

  mutable std::mutex exit_mu_;
  std::condition_variable exit_cv_;
  bool reaped_ = false;  // guarded by exit_mu_
};

}  // namespace accel::vnpu::fwlink

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_FIRMWARE_PROCESS_H_
