// fw_messages.h - decoding the payloads of fw_protocol.h, one direction each: what the driver
// accepts from the firmware, what the firmware accepts from the driver.
//
// Each end treats the other's payloads as hostile input, so these are the only places either
// end turns bytes into a message. The rules:
//   - shorter than the u32 type                                       -EBADMSG
//   - a type the receiving end does not take (including the other
//     direction's types)                                              -ENOMSG
//   - a fixed-size message (Hello, Heartbeat, Fault, Simple) of any
//     other size than its struct's; a RasBlob with no blob            -EBADMSG
//   - a Fault whose fields are out of range (component, severity,
//     count 0, unknown flags, message not NUL-terminated)             -EINVAL
// Sizes are exact rather than "at least": the driver and its firmware are built together, and
// a message that grows gets a new type rather than a longer struct.
//
//   Result<FirmwareMessage> m = ParseFirmwareMessage(rpmsg.payload);
//   if (m) if (auto* hb = std::get_if<fw::Heartbeat>(&*m)) ...
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_FW_MESSAGES_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_FW_MESSAGES_H_

#include <accel/result.h>

#include <cstdint>
#include <span>
#include <variant>

#include "drivers/vnpu/fwlink/fw_protocol.h"

namespace accel::vnpu::fwlink {

// A RasBlob; `blob` points into the parsed payload (not empty).
struct RasBlobView {
  uint32_t format = 0;  // ACCEL_RAS_FMT_*, as the firmware says; not checked here
  std::span<const uint8_t> blob;
};

// Firmware -> driver.
using FirmwareMessage = std::variant<fw::Hello, fw::Heartbeat, RasBlobView>;
Result<FirmwareMessage> ParseFirmwareMessage(std::span<const uint8_t> payload);

// A Fault that passed CheckFault. The only form FirmwareProcess::SendFault and
// FirmwareRas::Apply take, so each end judges a fault once: the driver where it builds one,
// the firmware where one arrives (ParseDriverMessage); nothing past that checks again.
class CheckedFault {
 public:
  const fw::Fault& fault() const { return fault_; }
  const fw::Fault* operator->() const { return &fault_; }

 private:
  friend Result<CheckedFault> CheckFault(const fw::Fault& f);
  explicit CheckedFault(const fw::Fault& f) : fault_(f) {}
  fw::Fault fault_;
};

// The rules for a Fault's fields (type kFault, component, severity, count 0, flags, message
// NUL-terminated): the fault as a CheckedFault, or -EINVAL.
Result<CheckedFault> CheckFault(const fw::Fault& f);

// Driver -> firmware. fw::Simple carries kRasRequest, kShutdown, kStopHeartbeat or
// kProbeSandbox.
using DriverMessage = std::variant<CheckedFault, fw::Simple>;
Result<DriverMessage> ParseDriverMessage(std::span<const uint8_t> payload);

}  // namespace accel::vnpu::fwlink

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_FW_MESSAGES_H_
