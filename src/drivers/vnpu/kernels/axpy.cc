// axpy.cc - Axpy: y = alpha * x + y.
//
// The work is done by a loop of fixed-size blocks over __restrict pointers: GCC's default -O2
// cost model vectorises a loop only when it needs neither a run-time alias check nor a scalar
// epilogue, and a constant trip count of kBlock gives it exactly that (clang vectorises either
// way). So the operands are sorted first: the same array (x == y), disjoint arrays (the usual
// case, vectorised), or a partial overlap, done one element at a time in increasing order as the
// contract in kernels.h says. cancel is polled every kChunk elements.
#include <algorithm>
#include <cerrno>
#include <cstddef>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"

namespace accel::vnpu::kernels {
namespace {

constexpr size_t kBlock = 64;                   // floats per vectorised inner loop
constexpr uint64_t kChunk = uint64_t{1} << 20;  // floats between two polls of cancel (4 MiB)

void Disjoint(size_t n, float alpha, const float* __restrict x, float* __restrict y) {
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    for (size_t j = i; j < i + kBlock; ++j) y[j] = alpha * x[j] + y[j];
  }
  for (; i < n; ++i) y[i] = alpha * x[i] + y[i];
}

void Same(size_t n, float alpha, float* __restrict y) {
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    for (size_t j = i; j < i + kBlock; ++j) y[j] = alpha * y[j] + y[j];
  }
  for (; i < n; ++i) y[i] = alpha * y[i] + y[i];
}

void Overlapping(size_t n, float alpha, const float* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = alpha * x[i] + y[i];
}

bool Overlap(const float* x, const float* y, size_t n) {
  const auto xa = reinterpret_cast<uintptr_t>(x);
  const auto ya = reinterpret_cast<uintptr_t>(y);
  return xa < ya + n * sizeof(float) && ya < xa + n * sizeof(float);
}

}  // namespace

int Axpy(uint64_t n, float alpha, const float* x, float* y, const std::atomic<bool>* cancel) {
  if (internal::Cancelled(cancel)) return -ECANCELED;
  for (uint64_t done = 0; done < n; done += kChunk) {
    if (done != 0 && internal::Cancelled(cancel)) return -ECANCELED;
    const size_t len = static_cast<size_t>(std::min(kChunk, n - done));
    const float* xs = x + done;
    float* ys = y + done;
    if (xs == ys) {
      Same(len, alpha, ys);
    } else if (!Overlap(xs, ys, len)) {
      Disjoint(len, alpha, xs, ys);
    } else {
      Overlapping(len, alpha, xs, ys);
    }
  }
  return 0;
}

}  // namespace accel::vnpu::kernels
