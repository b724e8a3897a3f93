// kernels_reference.h - plain, obviously correct versions of the kernels in kernels.h.
//
// Written for clarity, not speed: the tests compare the real kernels (and each of their code
// paths) against these, and the benchmarks show how far the real ones are ahead. They follow
// the same contracts as kernels.h (beta == 0 does not read C, alpha == 0 does not read A or B,
// memmove semantics for Copy, the inverted-seed convention for CRC-32C) but take no cancel
// flag and cannot fail.
//
//   std::vector<float> want(m * n);
//   reference::Gemm(a, b, want.data(), m, n, k, 1.0f, 0.0f);
#ifndef ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_REFERENCE_H_
#define ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_REFERENCE_H_

#include <cstdint>

namespace accel::vnpu::kernels::reference {

// C = alpha * A * B + beta * C: the textbook triple loop, each dot product summed in double.
void Gemm(const float* a, const float* b, float* c, uint32_t m, uint32_t n, uint32_t k, float alpha,
          float beta);

// y[i] = alpha * x[i] + y[i], one element at a time in increasing order.
void Axpy(uint64_t n, float alpha, const float* x, float* y);

// The sum of x[0..n), accumulated left to right in one double.
float ReduceSum(const float* x, uint64_t n);

// CRC-32C bit by bit (reflected polynomial 0x82F63B78), continuing from seed as Crc32c does.
uint32_t Crc32c(const uint8_t* data, uint64_t len, uint32_t seed);

// memmove one byte at a time: forwards when dst is below src, backwards otherwise.
void Copy(const uint8_t* src, uint8_t* dst, uint64_t len);

}  // namespace accel::vnpu::kernels::reference

#endif  // ACCEL_DRIVERS_VNPU_KERNELS_KERNELS_REFERENCE_H_
