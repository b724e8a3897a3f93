// ras_device.h - the RAS ioctls of one open device, as `accelctl ras` calls them.
//
// RAS_QUERY payloads are sized the uAPI's way: a first call with an empty buffer answers
// -ENOSPC with the bytes needed, a second fills a buffer of that size. The state can grow
// between the two (an event arrives), so -ENOSPC again means "ask again", a few times.
//
//   accel::Result<RasPayload> json = QueryRasPayload(*device, ACCEL_RAS_FMT_JSON, 0);
//   if (!json) return FailRasQuery("accel0", ACCEL_RAS_FMT_JSON, 0, json.error());
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_DEVICE_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_DEVICE_H_

#include <accel/accel.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "ras/model.h"

namespace accelctl {

struct RasPayload {
  std::vector<uint8_t> bytes;
  uint32_t schema = 0;  // ACCEL_RAS_SCHEMA_*
};

// The payload of ACCEL_IOCTL_RAS_QUERY for `format` (ACCEL_RAS_FMT_*) and `flags`
// (ACCEL_RAS_QUERY_*), or its negative errno.
accel::Result<RasPayload> QueryRasPayload(accel::Device& device, uint32_t format, uint32_t flags);

// The device's snapshot, through the JSON format and the JSON codec.
accel::Result<accel::ras::Snapshot> QueryRasSnapshot(accel::Device& device);

// The value of capability `capability` (ACCEL_CAP_*), or the negative errno of GET_CAP.
accel::Result<uint64_t> GetCapability(accel::Device& device, uint64_t capability);

// The one line for a failed RAS_QUERY: a format the device lacks, no firmware blob yet, a
// payload this accelctl cannot read, or FailDeviceCall()'s cases.
int FailRasQuery(const std::string& device, uint32_t format, uint32_t flags, int negative_errno);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_DEVICE_H_
