// sample_snapshot.h - Snapshots for codec tests, fuzz seeds and benchmarks.
#ifndef ACCEL_TESTS_RAS_SAMPLE_SNAPSHOT_H_
#define ACCEL_TESTS_RAS_SAMPLE_SNAPSHOT_H_

#include <cstdint>

#include "ras/model.h"

namespace accel::ras::testing {

struct SampleShape {
  uint32_t components = 5;  // hbm0, sram, pcie, fw, compute, then comp5, comp6, ...
  uint32_t events = 10;
  uint32_t pages = 3;
  uint64_t seed = 1;
  bool big_counts = true;  // some counters above 2^32 (KEY_VAL_32 saturates them)
  bool raw_blobs = true;   // some events carry a firmware blob
};

// Deterministic for a given shape; passes Validate(). Every severity of every component has a
// counter; values, addresses and messages vary with the seed (messages include non-ASCII
// UTF-8 and quotes, so text encoders must escape).
Snapshot MakeSampleSnapshot(const SampleShape& shape = {});

}  // namespace accel::ras::testing

#endif  // ACCEL_TESTS_RAS_SAMPLE_SNAPSHOT_H_
