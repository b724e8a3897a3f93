// sample_snapshot.cc - see sample_snapshot.h.
#include "sample_snapshot.h"

#include <string>

namespace accel::ras::testing {
namespace {

uint64_t Next(uint64_t& x) {  // splitmix64: deterministic and good enough for test data
  x += 0x9e3779b97f4a7c15ULL;
  uint64_t z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Snapshot MakeSampleSnapshot(const SampleShape& shape) {
  static const char* const kNames[] = {"hbm0", "sram", "pcie", "fw", "compute"};
  uint64_t rng = shape.seed;
  Snapshot s;
  s.device = {"accel3", "dummy", "DUMMY-0003", "platform:dummy.3", 3};
  s.timestamp_ns = 1764000000000000000ULL + Next(rng) % 1000000000ULL;
  for (uint32_t c = 0; c < shape.components; ++c) {
    Component comp;
    comp.name = c < 5 ? kNames[c] : "comp" + std::to_string(c);
    comp.health = static_cast<Health>(Next(rng) % 3);
    s.components.push_back(comp);
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev) {
      Counter k;
      k.component = c;
      k.severity = sev;
      k.volatile_count = Next(rng) % 1000;
      k.aggregate_count = k.volatile_count + Next(rng) % 100000;
      if (shape.big_counts && (c + sev) % 7 == 3) k.aggregate_count += 1ULL << 33;
      s.counters.push_back(k);
    }
  }
  for (uint32_t i = 0; i < shape.events && shape.components > 0; ++i) {
    Event e;
    e.seqno = 100 + i;
    e.timestamp_ns = s.timestamp_ns - (shape.events - i) * 1000000ULL;
    e.component = static_cast<uint32_t>(Next(rng) % shape.components);
    e.severity = static_cast<uint32_t>(Next(rng) % kSeverityCount);
    e.code = 0x1000 + static_cast<uint32_t>(Next(rng) % 0x100);
    e.count = 1 + static_cast<uint32_t>(Next(rng) % 16);
    if (i % 3 == 0) e.address = (Next(rng) % (1ULL << 40)) & ~0xfffULL;
    e.message = i % 4 == 1 ? "ECC \"single-bit\" error \xc2\xb5"
                             "cell " +
                                 std::to_string(i)
                           : "event " + std::to_string(i);
    if (shape.raw_blobs && i % 5 == 2)
      for (uint32_t b = 0; b < 24; ++b) e.raw.push_back(static_cast<uint8_t>(Next(rng)));
    s.events.push_back(e);
  }
  s.events_dropped = shape.events > 5 ? 7 : 0;
  uint64_t addr = 0x100000;
  for (uint32_t i = 0; i < shape.pages; ++i) {
    addr += (1 + Next(rng) % 1000) * 4096;
    RetiredPage p;
    p.address = addr;
    p.cause = i % 2 == 0 ? 2 : 0;
    p.state = i % 2 == 0 ? PageState::kRetired : PageState::kPending;
    p.timestamp_ns = s.timestamp_ns - i * 1000ULL;
    s.pages.push_back(p);
  }
  return s;
}

}  // namespace accel::ras::testing
