// kernels.h - vnpu's compute kernels: the arithmetic its engines run, on the CPU.
//
// The engines call these on memory the driver has already bounds-checked (BO mappings). Float
// operands must be 4-byte aligned (any other alignment is fine: the kernels never assume
// vector alignment). Long kernels poll `cancel` (a relaxed load) before their first block and
// between blocks, so that an engine reset (a hang, a device reset) stops them promptly; they
// then return -ECANCELED and leave the output partly written, as a reset engine would. A kernel
// called with `cancel` already set returns -ECANCELED without writing anything. `cancel` may be
// nullptr (never cancelled), which is what benchmarks of the bare kernel use. Every kernel is
// single-threaded: one call runs on the calling thread only.
//
// Every kernel has a plain reference in kernels_reference.h, written for clarity, that the
// tests compare against; kernels_internal.h exposes the portable and the CPU-specific paths
// side by side so that tests and benchmarks can run both.
//
//   std::atomic<bool> reset{false};   // set by the engine's watchdog
//   int rc = Gemm(a, b, c, m, n, k, 1.0f, 0.0f, &reset);   // 0, or -ECANCELED after a reset
#ifndef ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_H_
#define ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace accel::vnpu::kernels {

// C(m x n) = alpha * A(m x k) * B(k x n) + beta * C, row-major, leading dimensions k, n, n.
// Blocked for cache and vectorised (the compiler's auto-vectoriser on a contiguous inner loop,
// plus AVX2/FMA code selected at run time when the CPU has it). As in BLAS, beta == 0 ignores
// C's old contents (NaNs in it included), and alpha == 0 or k == 0 reads neither A nor B (C
// becomes beta * C). 0, -ECANCELED, or -ENOMEM when the packing buffers (at most about 2.2 MB
// per call) cannot be allocated.
int Gemm(const float* a, const float* b, float* c, uint32_t m, uint32_t n, uint32_t k, float alpha,
         float beta, const std::atomic<bool>* cancel);

// y = alpha * x + y over n floats. x == y is allowed; other overlaps give the result of an
// element-by-element loop in increasing order. 0 or -ECANCELED.
int Axpy(uint64_t n, float alpha, const float* x, float* y, const std::atomic<bool>* cancel);

// *out = sum of x[0..n): pairwise over blocks with double accumulators, so the error does not
// grow with n the way a naive float loop's does. *out is written only on success (0 for n ==
// 0). 0 or -ECANCELED.
int ReduceSum(const float* x, uint64_t n, float* out, const std::atomic<bool>* cancel);

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of len bytes, continuing from `seed`
// (0 for a fresh CRC; the usual pre/post inversion is done inside, so Crc32c(Crc32c(0,a),b) ==
// Crc32c(0,a+b)). SSE4.2's crc32 instruction when the CPU has it (three interleaved streams),
// slicing-by-8 otherwise. *out is written only on success. 0 or -ECANCELED.
int Crc32c(const uint8_t* data, uint64_t len, uint32_t seed, uint32_t* out,
           const std::atomic<bool>* cancel);

// memmove semantics (src and dst may overlap when both are in one BO). 0 or -ECANCELED.
int Copy(const uint8_t* src, uint8_t* dst, uint64_t len, const std::atomic<bool>* cancel);

}  // namespace accel::vnpu::kernels

#endif  // ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_H_
