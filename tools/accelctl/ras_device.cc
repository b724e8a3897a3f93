// ras_device.cc - see ras_device.h.
#include "ras_device.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>

#include <cerrno>

#include "device_open.h"
#include "failure.h"
#include "ras/codecs/json/json_codec.h"
#include "ras_names.h"

namespace accelctl {
namespace {

// A payload growing between the sizing call and the fetch is rare (an event arriving); a few
// rounds suffice, and a bound keeps a misbehaving device from looping us forever.
constexpr int kQueryAttempts = 4;

// The format's name, with " --raw" or " --compact" when a flag changes what is asked for.
std::string QueryName(uint32_t format, uint32_t flags) {
  std::string name = JoinNames(RasFormatNames(uint64_t{1} << format), "");
  if (flags & ACCEL_RAS_QUERY_RAW) name += " --raw";
  if (flags & ACCEL_RAS_QUERY_THRIFT_COMPACT) name += " --compact";
  return name;
}

}  // namespace

accel::Result<RasPayload> QueryRasPayload(accel::Device& device, uint32_t format, uint32_t flags) {
  RasPayload payload;  // empty: the first call only learns the size
  for (int attempt = 0; attempt < kQueryAttempts; ++attempt) {
    accel_ras_query query{};
    query.format = format;
    query.flags = flags;
    query.ptr = reinterpret_cast<uintptr_t>(payload.bytes.data());
    query.size = static_cast<uint32_t>(payload.bytes.size());
    const int rc = device.Ioctl(ACCEL_IOCTL_RAS_QUERY, query);
    if (rc == -ENOSPC && query.len > payload.bytes.size()) {
      payload.bytes.resize(query.len);
      continue;
    }
    if (rc < 0) return accel::Errno{rc};
    if (query.len > payload.bytes.size()) return accel::Err(EPROTO);  // never trust a length
    payload.bytes.resize(query.len);
    payload.schema = query.schema;
    return payload;
  }
  return accel::Err(EAGAIN);
}

accel::Result<accel::ras::Snapshot> QueryRasSnapshot(accel::Device& device) {
  accel::Result<RasPayload> json = QueryRasPayload(device, ACCEL_RAS_FMT_JSON, 0);
  if (!json) return accel::Errno{json.error()};
  return accel::ras::JsonCodec().decode(json->bytes);
}

accel::Result<uint64_t> GetCapability(accel::Device& device, uint64_t capability) {
  accel_get_cap cap{};
  cap.capability = capability;
  if (int rc = device.Ioctl(ACCEL_IOCTL_GET_CAP, cap); rc < 0) return accel::Errno{rc};
  return cap.value;
}

int FailRasQuery(const std::string& device, uint32_t format, uint32_t flags, int err) {
  const std::string what = QueryName(format, flags);
  switch (-err) {
    case EOPNOTSUPP:
      if (flags & ACCEL_RAS_QUERY_RAW)
        return Fail(ExitStatus::kFailed,
                    fmt::format("{}'s firmware does not send {} blobs (no pass-through in that "
                                "format); see `accelctl ras formats {}`",
                                device, QueryName(format, 0), device));
      return Fail(ExitStatus::kFailed,
                  fmt::format("{} does not offer RAS format {}; see `accelctl ras formats {}`",
                              device, what, device));
    case ENODATA:
      return Fail(ExitStatus::kFailed,
                  fmt::format("{}'s firmware has sent no {} blob yet; try again later, or drop "
                              "--raw for accel's decoded view",
                              device, what));
    case EPROTO:
    case EINVAL:
      return Fail(ExitStatus::kFailed,
                  fmt::format("RAS_QUERY {} on {} failed: {}; use an accelctl as new as acceld",
                              what, device, ErrnoText(err)));
    default:
      return FailDeviceCall(device, "RAS_QUERY " + what, err);
  }
}

}  // namespace accelctl
