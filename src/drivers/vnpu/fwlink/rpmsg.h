// rpmsg.h - rpmsg framing: one message per virtqueue buffer, a 16-byte rpmsg_hdr then `len`
// payload bytes; and the name-service announcement a remote sends to RPMSG_NS_ADDR (53).
//
// Both ends build with these and parse with these. Parsing treats the bytes as hostile: a
// header that does not fit, a `len` that runs past the bytes the other side says it wrote or
// past fw::kMaxPayload, an announcement of the wrong size or whose name is not NUL-terminated
// inside its 32 bytes, are all refused (-EBADMSG) before anything else looks at them, as
// Linux's virtio_rpmsg_bus and rpmsg_ns do. The views returned point into the caller's bytes:
// copy a buffer out of shared memory first, so the other side cannot change it mid-parse.
//
//   std::array<uint8_t, fw::kBufferSize> buf;
//   Result<size_t> n = BuildRpmsg(buf, fw::kDriverAddr, fw::kFirmwareAddr, payload);
//   Result<RpmsgMessage> m = ParseRpmsg(std::span(buf).first(*n));
//   if (m && m->dst == fw::kNsAddr) Result<NsAnnouncement> ns = ParseNsAnnouncement(m->payload);
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_RPMSG_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_RPMSG_H_

#include <accel/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "drivers/vnpu/fwlink/fw_protocol.h"

namespace accel::vnpu::fwlink {

inline constexpr uint32_t kNsDestroy = 1;  // RPMSG_NS_DESTROY

// One parsed message; `payload` points into the parsed bytes.
struct RpmsgMessage {
  uint32_t src = 0;
  uint32_t dst = 0;
  uint16_t flags = 0;
  std::span<const uint8_t> payload;
};

// Writes header {src, dst, reserved 0, len, flags 0} and the payload into `buffer`; returns
// the bytes written. -EMSGSIZE when the payload exceeds fw::kMaxPayload or `buffer`.
Result<size_t> BuildRpmsg(std::span<uint8_t> buffer, uint32_t src, uint32_t dst,
                          std::span<const uint8_t> payload);

// Parses the `bytes` the other side wrote into one buffer (the used length, already bounded by
// the buffer). -EBADMSG: shorter than a header, or len beyond `bytes` or fw::kMaxPayload.
// Bytes after the payload are ignored (a buffer may be written beyond the message).
Result<RpmsgMessage> ParseRpmsg(std::span<const uint8_t> bytes);

// A name-service message.
struct NsAnnouncement {
  std::string name;  // 1..31 bytes
  uint32_t addr = 0;
  uint32_t flags = 0;  // fw::kNsCreate or kNsDestroy
};

// The payload announcing `name` at `addr` (flags fw::kNsCreate); send it from `addr` to
// fw::kNsAddr. -ENAMETOOLONG when name does not fit 31 bytes, -EINVAL when it is empty or
// holds a NUL.
Result<fw::RpmsgNsMessage> MakeNsAnnouncement(std::string_view name, uint32_t addr);

// Parses a payload sent to fw::kNsAddr. -EBADMSG unless it is exactly sizeof(RpmsgNsMessage),
// its name is non-empty and NUL-terminated within 32 bytes, and flags is kNsCreate or
// kNsDestroy.
Result<NsAnnouncement> ParseNsAnnouncement(std::span<const uint8_t> payload);

}  // namespace accel::vnpu::fwlink

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_RPMSG_H_
