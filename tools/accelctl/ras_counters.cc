// ras_counters.cc - see ras_counters.h.
#include "ras_counters.h"

#include <algorithm>
#include <cerrno>

namespace accelctl {
namespace {

// Counters appearing between the sizing call and the fetch are rare; a few rounds suffice, and
// a bound keeps a misbehaving device from looping us forever.
constexpr int kQueryAttempts = 4;

// One RAS_QUERY for KEY_VAL_32 into `buffer`; on -ENOSPC, *needed holds the bytes required.
int QueryKv32(accel::Device& device, std::vector<accel_ras_kv32>& buffer, uint32_t* needed) {
  accel_ras_query query{};
  query.format = ACCEL_RAS_FMT_KEY_VAL_32;
  query.ptr = reinterpret_cast<uintptr_t>(buffer.data());
  query.size = static_cast<uint32_t>(buffer.size() * sizeof(accel_ras_kv32));
  int rc = device.Ioctl(ACCEL_IOCTL_RAS_QUERY, query);
  *needed = query.len;
  // Never trust a length to be within what was offered.
  if (rc == 0) buffer.resize(std::min(buffer.size(), query.len / sizeof(accel_ras_kv32)));
  return rc;
}

RasCounter Decode(const accel_ras_kv32& pair) {
  return {ACCEL_RAS_KV32_COMPONENT(pair.key), ACCEL_RAS_KV32_SEVERITY(pair.key),
          ACCEL_RAS_KV32_COUNTER(pair.key), pair.value};
}

}  // namespace

accel::Result<std::vector<RasCounter>> QueryRasCounters(accel::Device& device) {
  std::vector<accel_ras_kv32> pairs;  // empty: the first call only learns the size
  for (int attempt = 0; attempt < kQueryAttempts; ++attempt) {
    uint32_t needed = 0;
    int rc = QueryKv32(device, pairs, &needed);
    if (rc == -ENOSPC) {
      pairs.resize((needed + sizeof(accel_ras_kv32) - 1) / sizeof(accel_ras_kv32));
      continue;
    }
    if (rc < 0) return accel::Errno{rc};
    std::vector<RasCounter> counters;
    counters.reserve(pairs.size());
    for (const accel_ras_kv32& pair : pairs) counters.push_back(Decode(pair));
    return counters;
  }
  return accel::Err(EAGAIN);
}

VolatileCounterGrid VolatileCounters(const std::vector<RasCounter>& counters) {
  VolatileCounterGrid grid;
  for (const RasCounter& c : counters) {
    if (c.kind != ACCEL_RAS_CTR_VOLATILE || c.severity >= ACCEL_RAS_SEV_COUNT) continue;
    if (c.component >= grid.values.size())
      grid.values.resize(c.component + 1, std::vector<uint32_t>(ACCEL_RAS_SEV_COUNT, 0));
    grid.values[c.component][c.severity] = c.value;
  }
  return grid;
}

}  // namespace accelctl
