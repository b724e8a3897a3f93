// ras_counters.h - a device's RAS counters, fetched in the KEY_VAL_32 format.
//
// KEY_VAL_32 (include/uapi/accel/accel.h) is an array of struct accel_ras_kv32 whose key packs
// component, severity and counter kind. Its length is learned the uAPI's way: RAS_QUERY with a
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

namespace accelctl {

// One decoded KEY_VAL_32 pair.
struct RasCounter {
  uint32_t component;  // index as the driver enumerates its components
  uint32_t severity;   // ACCEL_RAS_SEV_*
  uint32_t kind;       // ACCEL_RAS_CTR_VOLATILE or ACCEL_RAS_CTR_AGGREGATE
  uint32_t value;      // saturated at 0xffffffff by the format
};

// Every counter of the device; a negative errno from RAS_QUERY on failure.
accel::Result<std::vector<RasCounter>> QueryRasCounters(accel::Device& device);

// Volatile counters as a dense grid: values[component][severity], for components 0 up to the
// highest one reported. Severities beyond the known ones are not shown (a newer driver may
// add some; they stay reachable through QueryRasCounters()).
struct VolatileCounterGrid {
  std::vector<std::vector<uint32_t>> values;
};
VolatileCounterGrid VolatileCounters(const std::vector<RasCounter>& counters);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_COUNTERS_H_
