// fw_messages.cc - see fw_messages.h.
#include "drivers/vnpu/fwlink/fw_messages.h"

#include <uapi/accel/vnpu.h>

#include <cerrno>
#include <cstring>

namespace accel::vnpu::fwlink {
namespace {

// Copies a fixed-size message out of `payload`, which must be exactly its size.
template <typename T>
Result<T> Exactly(std::span<const uint8_t> payload) {
  if (payload.size() != sizeof(T)) return Err(EBADMSG);
  T v;
  std::memcpy(&v, payload.data(), sizeof(T));
  return v;
}

}  // namespace

Result<CheckedFault> CheckFault(const fw::Fault& f) {
  if (f.type != fw::kFault || f.component >= VNPU_NUM_COMPONENTS ||
      f.severity >= ACCEL_RAS_SEV_COUNT || f.count == 0 || (f.flags & ~fw::kFaultHasAddress) != 0 ||
      std::memchr(f.message, '\0', sizeof(f.message)) == nullptr)
    return Err(EINVAL);
  return CheckedFault(f);
}

Result<FirmwareMessage> ParseFirmwareMessage(std::span<const uint8_t> payload) {
  uint32_t type;
  if (payload.size() < sizeof(type)) return Err(EBADMSG);
  std::memcpy(&type, payload.data(), sizeof(type));
  switch (type) {
    case fw::kHello: {
      Result<fw::Hello> h = Exactly<fw::Hello>(payload);
      if (!h) return Errno{h.error()};
      return FirmwareMessage(*h);
    }
    case fw::kHeartbeat: {
      Result<fw::Heartbeat> h = Exactly<fw::Heartbeat>(payload);
      if (!h) return Errno{h.error()};
      return FirmwareMessage(*h);
    }
    case fw::kRasBlob: {
      fw::RasBlobHeader h;
      if (payload.size() <= sizeof(h)) return Err(EBADMSG);
      std::memcpy(&h, payload.data(), sizeof(h));
      return FirmwareMessage(RasBlobView{h.format, payload.subspan(sizeof(h))});
    }
    default:
      return Err(ENOMSG);
  }
}

Result<DriverMessage> ParseDriverMessage(std::span<const uint8_t> payload) {
  uint32_t type;
  if (payload.size() < sizeof(type)) return Err(EBADMSG);
  std::memcpy(&type, payload.data(), sizeof(type));
  switch (type) {
    case fw::kFault: {
      Result<fw::Fault> f = Exactly<fw::Fault>(payload);
      if (!f) return Errno{f.error()};
      Result<CheckedFault> checked = CheckFault(*f);
      if (!checked) return Errno{checked.error()};
      return DriverMessage(*checked);
    }
    case fw::kRasRequest:
    case fw::kShutdown:
    case fw::kStopHeartbeat:
    case fw::kProbeSandbox: {
      Result<fw::Simple> s = Exactly<fw::Simple>(payload);
      if (!s) return Errno{s.error()};
      return DriverMessage(*s);
    }
    default:
      return Err(ENOMSG);
  }
}

}  // namespace accel::vnpu::fwlink
