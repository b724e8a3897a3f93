// firmware.h - vnpu-fw's main loop: the device side of the rpmsg link.
//
// DOC: what the firmware does
//
// It is the virtio *device*: it takes the driver's empty buffers from vq 0 (rx) to send, and
// the driver's messages from vq 1 (tx). In order:
//   1. announces its endpoint: rpmsg_ns_msg {"vnpu-ctrl", kFirmwareAddr, NS_CREATE} from
//      kFirmwareAddr to kNsAddr, as OpenAMP firmware does at boot;
//   2. waits for the driver's first valid message to kFirmwareAddr: its source address is the
//      driver's endpoint from then on (messages from any other address are dropped); answers
//      HELLO {1.4.0, heartbeat_ms, pid} and then handles that message;
//   3. sends HEARTBEAT {seq from 1, uptime} every heartbeat_ms, and handles what comes:
//        FAULT           account it (firmware_ras.h), send a RAS_BLOB
//        RAS_REQUEST     send a RAS_BLOB
//        STOP_HEARTBEAT  keep serving messages but send no more heartbeats (a simulated hang:
//                        the driver's watchdog should notice; SHUTDOWN still works)
//        SHUTDOWN        exit 0
//
// Everything the driver wrote is hostile input: the region was validated when mapped
// (shared_region.h), each descriptor is checked by DeviceQueue, each message is copied out of
// shared memory and parsed by rpmsg.h and fw_messages.h before anything acts on it. A message
// that does not parse is dropped (and logged, up to a limit); a ring the driver corrupted
// means the link is gone and the firmware exits with kExitProtocol.
//
// Messages for the driver wait in a bounded queue while it has no rx buffer posted. While that
// queue is nearly full the firmware takes no more of the driver's messages: they stay in the
// tx ring, which fills, and the driver's senders get -ENOBUFS. That is the flow control: the
// tx ring must not drain faster than answers can go back. Only heartbeats can still overflow
// the queue (a driver that stopped taking messages altogether); then the oldest message is
// dropped (every RAS blob is a whole snapshot, and a late heartbeat is worth no more than the
// next one).
#ifndef ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_H_
#define ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_H_

#include <accel/result.h>

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "drivers/vnpu/firmware/firmware_ras.h"
#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/shared_region.h"
#include "drivers/vnpu/fwlink/virtqueue.h"

namespace accel::vnpu::firmware {

inline constexpr int kExitOk = 0;        // SHUTDOWN
inline constexpr int kExitSetup = 1;     // cannot map the region, the parent is gone, ...
inline constexpr int kExitUsage = 2;     // bad arguments
inline constexpr int kExitProtocol = 3;  // the driver broke the ring protocol

inline constexpr uint16_t kVersionMajor = 1, kVersionMinor = 4, kVersionPatch = 0;
inline constexpr size_t kMaxPending = 64;  // messages waiting for an rx buffer

struct FirmwareConfig {
  uint32_t heartbeat_ms = 100;
  std::string serial;
};

class Firmware {
 public:
  // `region` is the validated mapping; `kick_fd` and `call_fd` are the eventfds.
  Firmware(std::span<uint8_t> region, const fwlink::RegionLayout& layout, int kick_fd, int call_fd,
           FirmwareConfig cfg);

  // Serves the link until SHUTDOWN (kExitOk) or a broken ring (kExitProtocol).
  int Run();

 private:
  struct Outgoing {
    uint32_t dst;
    std::vector<uint8_t> payload;
  };

  // Takes every message the driver made available; kExitOk/kExitProtocol to stop, else -1.
  int ServeTx();
  // Acts on one message; true for SHUTDOWN.
  bool Handle(const fwlink::DriverMessage& m);
  void Queue(uint32_t dst, const void* payload, size_t len);
  void QueueRasBlob();
  void QueueHeartbeat();
  // Moves queued messages into rx buffers while there are some; -EPROTO for a bad ring.
  Result<void> Flush();
  void Notify();
  int PollTimeoutMs() const;
  void Log(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

  fwlink::DeviceQueue rx_;  // vq 0: we fill the driver's empty buffers
  fwlink::DeviceQueue tx_;  // vq 1: we read the driver's messages
  int kick_fd_;
  int call_fd_;
  FirmwareConfig cfg_;
  FirmwareRas ras_;
  std::deque<Outgoing> pending_;
  bool have_driver_ = false;
  uint32_t driver_addr_ = 0;
  bool heartbeats_ = true;
  uint32_t heartbeat_seq_ = 0;
  uint64_t boot_ns_ = 0;       // CLOCK_MONOTONIC
  uint64_t next_beat_ns_ = 0;  // CLOCK_MONOTONIC
  bool notify_ = false;        // buffers used since the last call
  uint32_t log_budget_ = 64;   // a hostile driver cannot fill the daemon's log through us
};

}  // namespace accel::vnpu::firmware

#endif  // ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_H_
