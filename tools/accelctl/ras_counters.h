// ras_counters.h - a device's RAS counters, fetched in the KEY_VAL_32 format.
//
// KEY_VAL_32 (include/uapi/accel/accel.h) is an array of struct accel_ras_kv32 whose key packs
// component, severity and counter kind; the RAS codec (ras/codecs/key_val_32) decodes it, as it
// does for acceld. Its length is learned the uAPI's way: RAS_QUERY with a
// zero-sized buffer answers -ENOSPC with the bytes needed, then a second call fills a buffer
// of that size. Counters can appear between the two calls, so -ENOSPC again means "ask again".
//
//   accel::Result<std::vector<RasCounter>> all = QueryRasCounters(device);
//   VolatileCounterGrid grid = VolatileCounters(*all);
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_COUNTERS_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_COUNTERS_H_

#include <uapi/accel/accel.h>
#include <accel/accel.hpp>

#include <cstdint>
#include <vector>

#include "ras/model.h"

namespace accelctl {

// One (component, severity) counter: its volatile and aggregate values, each at most
// 0xffffffff (the format's width).
using RasCounter = accel::ras::Counter;

// Every counter of the device, sorted by (component, severity); a negative errno from
// RAS_QUERY on failure, -EIO when the reply is not valid KEY_VAL_32 (the codec refuses it).
accel::Result<std::vector<RasCounter>> QueryRasCounters(accel::Device& device);

// Volatile counters as a dense grid: values[component][severity], for components 0 up to the
// highest one reported.
struct VolatileCounterGrid {
  std::vector<std::vector<uint32_t>> values;
};
VolatileCounterGrid VolatileCounters(const std::vector<RasCounter>& counters);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_COUNTERS_H_
