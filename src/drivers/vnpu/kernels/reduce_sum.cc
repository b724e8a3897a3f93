// reduce_sum.cc - ReduceSum: the sum of n floats, in double, block by block.
//
// Each block of kBlock floats is summed into eight double accumulators (a fixed-size inner
// loop the compiler turns into packed float->double conversions and adds), and the block sums
// are combined pairwise: a binary counter of partial sums, where level l holds the sum of 2^l
// blocks and two equal levels merge as a carry does. The rounding error then grows with
// log2(n / kBlock) rather than with n, and in double it stays far below float's resolution.
// cancel is polled every kBlocksPerPoll blocks.
#include <algorithm>
#include <cerrno>
#include <cstddef>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"

namespace accel::vnpu::kernels {
namespace {

constexpr size_t kLanes = 8;              // independent accumulators per block
constexpr size_t kBlock = 4096;           // floats per block (16 KiB)
constexpr uint64_t kBlocksPerPoll = 256;  // 4 MiB between two polls of cancel

double SumBlock(const float* x, size_t n) {
  double lane[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) lane[j] += x[i + j];
  }
  double sum =
      ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; i < n; ++i) sum += x[i];
  return sum;
}

// Block sums combined pairwise: levels[l] is the sum of 2^l consecutive blocks when bit l of
// `filled` is set.
class PairwiseSum {
 public:
  void Add(double block) {
    int l = 0;
    for (; filled_ & (uint64_t{1} << l); ++l) {
      block = levels_[l] + block;
      filled_ &= ~(uint64_t{1} << l);
    }
    levels_[l] = block;
    filled_ |= uint64_t{1} << l;
  }

  // Lowest level first: the smallest partial sums meet first.
  double Total() const {
    double total = 0.0;
    for (int l = 0; l < 64; ++l) {
      if (filled_ & (uint64_t{1} << l)) total += levels_[l];
    }
    return total;
  }

 private:
  double levels_[64] = {};
  uint64_t filled_ = 0;
};

}  // namespace

int ReduceSum(const float* x, uint64_t n, float* out, const std::atomic<bool>* cancel) {
  if (internal::Cancelled(cancel)) return -ECANCELED;
  PairwiseSum sum;
  uint64_t blocks = 0;
  for (uint64_t done = 0; done < n; done += kBlock, ++blocks) {
    if (blocks != 0 && blocks % kBlocksPerPoll == 0 && internal::Cancelled(cancel)) {
      return -ECANCELED;
    }
    sum.Add(SumBlock(x + done, static_cast<size_t>(std::min<uint64_t>(kBlock, n - done))));
  }
  *out = static_cast<float>(sum.Total());
  return 0;
}

}  // namespace accel::vnpu::kernels
