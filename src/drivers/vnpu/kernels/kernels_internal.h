// kernels_internal.h - the code paths behind kernels.h, each callable on its own.
//
// Gemm and Crc32c pick, once per process, the fastest path this CPU can run (AVX2+FMA for
// GEMM, SSE4.2 for CRC32C) and fall back to portable C++ otherwise. Tests run every supported
// path against the references and against each other; benchmarks time them side by side. The
// driver itself uses kernels.h only.
//
//   using namespace accel::vnpu::kernels::internal;
//   if (Supported(GemmPath::kAvx2Fma))
//     GemmOnPath(GemmPath::kAvx2Fma, a, b, c, m, n, k, 1.0f, 0.0f, nullptr);
//   uint32_t crc = ~Crc32cUpdate(Crc32cPath::kSlicing8, ~0u, data, len);  // == Crc32c(0, ...)
#ifndef ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_INTERNAL_H_
#define ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_INTERNAL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace accel::vnpu::kernels::internal {

// GEMM micro-kernels. Both run inside the same cache blocking and packing (gemm.cc).
enum class GemmPath {
  kPortable,  // plain loops the compiler vectorises for the baseline ISA
  kAvx2Fma,   // 6x16 register tile, AVX2 loads and broadcasts, FMA
};

// CRC-32C update loops.
enum class Crc32cPath {
  kSlicing8,  // eight 256-entry tables, eight bytes per step
  kSse42,     // the crc32 instruction, three streams interleaved and recombined
};

// Whether this CPU (and OS) can run `path`. The portable paths are always supported.
bool Supported(GemmPath path);
bool Supported(Crc32cPath path);

// The path Gemm and Crc32c use: the fastest supported one, decided on first use.
GemmPath BestGemmPath();
Crc32cPath BestCrc32cPath();

// Gemm (kernels.h) on the given path, which must be Supported().
int GemmOnPath(GemmPath path, const float* a, const float* b, float* c, uint32_t m, uint32_t n,
               uint32_t k, float alpha, float beta, const std::atomic<bool>* cancel);

// Runs the CRC-32C register over len bytes with no pre- or post-inversion: the raw update
// that Crc32c wraps as ~Crc32cUpdate(path, ~seed, data, len). `path` must be Supported().
uint32_t Crc32cUpdate(Crc32cPath path, uint32_t crc, const uint8_t* data, size_t len);

// Whether `cancel` is set (nullptr: never). Relaxed: it is a hint to stop early, ordering
// nothing else.
inline bool Cancelled(const std::atomic<bool>* cancel) {
  return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

}  // namespace accel::vnpu::kernels::internal

#endif  // ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_INTERNAL_H_
