// kernels_reference.cc - the reference kernels: one loop each, nothing clever.
#include "drivers/vnpu/kernels/kernels_reference.h"

#include <cstddef>

namespace accel::vnpu::kernels::reference {

void Gemm(const float* a, const float* b, float* c, uint32_t m, uint32_t n, uint32_t k, float alpha,
          float beta) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double product = 0.0;
      if (alpha != 0.0f) {
        double dot = 0.0;
        for (size_t p = 0; p < k; ++p) dot += double{a[i * k + p]} * double{b[p * n + j]};
        product = double{alpha} * dot;
      }
      const double old = beta == 0.0f ? 0.0 : double{beta} * double{c[i * n + j]};
      c[i * n + j] = static_cast<float>(product + old);
    }
  }
}

void Axpy(uint64_t n, float alpha, const float* x, float* y) {
  for (uint64_t i = 0; i < n; ++i) y[i] = alpha * x[i] + y[i];
}

float ReduceSum(const float* x, uint64_t n) {
  double sum = 0.0;
  for (uint64_t i = 0; i < n; ++i) sum += x[i];
  return static_cast<float>(sum);
}

uint32_t Crc32c(const uint8_t* data, uint64_t len, uint32_t seed) {
  uint32_t crc = ~seed;
  for (uint64_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

void Copy(const uint8_t* src, uint8_t* dst, uint64_t len) {
  if (reinterpret_cast<uintptr_t>(dst) < reinterpret_cast<uintptr_t>(src)) {
    for (uint64_t i = 0; i < len; ++i) dst[i] = src[i];
  } else {
    for (uint64_t i = len; i > 0; --i) dst[i - 1] = src[i - 1];
  }
}

}  // namespace accel::vnpu::kernels::reference
