// heap_meter.h - the peak heap use of a block of code, for tests that bound what a decoder
// allocates on hostile input.
//
// Replaces the global operator new/delete (which libstdc++, libprotobuf and libthrift allocate
// through), so include it from exactly one source file of a test binary.
//
//   HeapMeter meter;
//   auto r = codec.decode(hostile);
//   EXPECT_LT(meter.peak(), 4 * hostile.size());
#ifndef ACCEL_TESTS_RAS_HEAP_METER_H_
#define ACCEL_TESTS_RAS_HEAP_METER_H_

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace accel::ras::testing {

inline std::atomic<size_t> g_heap_live{0};
inline std::atomic<size_t> g_heap_peak{0};

// Bytes allocated beyond what was live when the meter was made, at the worst moment since.
class HeapMeter {
 public:
  HeapMeter() : base_(g_heap_live.load()) { g_heap_peak.store(base_); }
  size_t peak() const { return g_heap_peak.load() - base_; }

 private:
  size_t base_;
};

}  // namespace accel::ras::testing

void* operator new(std::size_t size) {
  void* p = std::malloc(size ? size : 1);
  if (p == nullptr) throw std::bad_alloc();
  using accel::ras::testing::g_heap_live, accel::ras::testing::g_heap_peak;
  const size_t live = g_heap_live.fetch_add(malloc_usable_size(p)) + malloc_usable_size(p);
  for (size_t peak = g_heap_peak.load();
       live > peak && !g_heap_peak.compare_exchange_weak(peak, live);) {
  }
  return p;
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  accel::ras::testing::g_heap_live.fetch_sub(malloc_usable_size(p));
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

#endif  // ACCEL_TESTS_RAS_HEAP_METER_H_
