// Tests of vnpu's streaming kernels, Axpy, ReduceSum and Copy, against the references: lengths
// around their block and polling-chunk sizes, operands off vector alignment, aliasing and
// overlap, accuracy where a float loop would drift, and cancellation. Gemm and Crc32c have
// files of their own (kernels_gemm_test.cc, kernels_crc32c_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_reference.h"

namespace accel::vnpu::kernels {
namespace {

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

// Lengths around the vectorised blocks (64 floats for Axpy, 8 lanes and 4096 per block for
// ReduceSum) and around the 1 Mi-float polling chunk.
const size_t kLengths[] = {0,    1,    3,    7,    8,     9,     63,    64,      65,
                           1000, 4095, 4096, 4097, 12345, 65536, 65537, 1 << 20, (1 << 20) + 5};

// --- Axpy ---

TEST(AxpyTest, MatchesReference) {
  for (size_t n : kLengths) {
    for (size_t offset : {size_t{0}, size_t{1}}) {  // 1 float: 4 bytes off vector alignment
      const std::vector<float> x = RandomFloats(n + offset, 1);
      const std::vector<float> y0 = RandomFloats(n + offset, 2);
      std::vector<float> got = y0, want = y0;
      ASSERT_EQ(Axpy(n, 0.75f, x.data() + offset, got.data() + offset, nullptr), 0);
      reference::Axpy(n, 0.75f, x.data() + offset, want.data() + offset);
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 2 * FLT_EPSILON * (0.75f * std::fabs(x[i]) + std::fabs(y0[i])))
            << "n " << n << " offset " << offset << " element " << i;
      }
    }
  }
}

TEST(AxpyTest, SameArrayIsAllowed) {
  std::vector<float> got = RandomFloats(1000, 3);
  std::vector<float> want = got;
  ASSERT_EQ(Axpy(got.size(), -2.0f, got.data(), got.data(), nullptr), 0);
  reference::Axpy(want.size(), -2.0f, want.data(), want.data());
  EXPECT_EQ(got, want);
}

// A partial overlap gives what the in-order loop gives: each y[i] sees x[i] as already updated
// when x is behind y, and the original when x is ahead.
TEST(AxpyTest, OverlapBehavesAsTheInOrderLoop) {
  for (ptrdiff_t shift : {-3, 3, -70, 70}) {
    const size_t n = 1000;
    std::vector<float> got = RandomFloats(n + 200, 4);
    std::vector<float> want = got;
    const size_t y_at = 100;
    const size_t x_at = static_cast<size_t>(static_cast<ptrdiff_t>(y_at) + shift);
    ASSERT_EQ(Axpy(n, 0.5f, got.data() + x_at, got.data() + y_at, nullptr), 0);
    reference::Axpy(n, 0.5f, want.data() + x_at, want.data() + y_at);
    EXPECT_EQ(got, want) << "x - y = " << shift;
  }
}

TEST(AxpyTest, CancelledBeforehandWritesNothing) {
  const std::vector<float> x(1000, 1.0f);
  std::vector<float> y(1000, 5.0f);
  const std::atomic<bool> cancel{true};
  EXPECT_EQ(Axpy(y.size(), 1.0f, x.data(), y.data(), &cancel), -ECANCELED);
  EXPECT_EQ(std::count(y.begin(), y.end(), 5.0f), 1000);
}

// --- ReduceSum ---

TEST(ReduceSumTest, MatchesReference) {
  for (size_t n : kLengths) {
    for (size_t offset : {size_t{0}, size_t{1}}) {
      const std::vector<float> x = RandomFloats(n + offset, 5);
      float got = -1.0f;
      ASSERT_EQ(ReduceSum(x.data() + offset, n, &got, nullptr), 0);
      double magnitude = 0.0;
      for (size_t i = offset; i < x.size(); ++i) magnitude += std::fabs(x[i]);
      // Both sum in double and round once: at most an ulp of the result apart, plus the
      // double rounding error of n terms.
      const float want = reference::ReduceSum(x.data() + offset, n);
      EXPECT_NEAR(got, want, FLT_EPSILON * std::fabs(want) + 1e-12 * magnitude)
          << "n " << n << " offset " << offset;
    }
  }
}

// A million copies of 0.1f: a float accumulator drifts by almost 1%, double accumulators do not.
TEST(ReduceSumTest, StaysAccurateWhereAFloatLoopDrifts) {
  const size_t n = 1000000;
  const std::vector<float> x(n, 0.1f);
  const double exact = static_cast<double>(0.1f) * n;
  float drifting = 0.0f;
  for (float v : x) drifting += v;
  ASSERT_GT(std::fabs(drifting - exact), 100.0) << "the premise: the naive float sum drifts";
  float got = 0.0f;
  ASSERT_EQ(ReduceSum(x.data(), n, &got, nullptr), 0);
  EXPECT_EQ(got, static_cast<float>(exact));
}

TEST(ReduceSumTest, EmptyIsZero) {
  float got = -1.0f;
  ASSERT_EQ(ReduceSum(nullptr, 0, &got, nullptr), 0);
  EXPECT_EQ(got, 0.0f);
}

TEST(ReduceSumTest, CancelledBeforehandLeavesOutAlone) {
  const std::vector<float> x(1000, 1.0f);
  const std::atomic<bool> cancel{true};
  float got = -1.0f;
  EXPECT_EQ(ReduceSum(x.data(), x.size(), &got, &cancel), -ECANCELED);
  EXPECT_EQ(got, -1.0f);
}

// --- Copy ---

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(gen());
  return v;
}

TEST(CopyTest, DisjointMatchesReference) {
  for (size_t len : {size_t{0}, size_t{1}, size_t{31}, size_t{4096}, (size_t{9} << 20) + 3}) {
    const std::vector<uint8_t> src = RandomBytes(len + 1, 6);
    std::vector<uint8_t> got(len + 1, 0xAA), want(len + 1, 0xAA);
    ASSERT_EQ(Copy(src.data() + 1, got.data(), len, nullptr), 0);
    reference::Copy(src.data() + 1, want.data(), len);
    EXPECT_TRUE(got == want) << "len " << len;
  }
}

// Overlapping both ways, longer than the 4 MiB chunk so that chunk order matters, and short.
TEST(CopyTest, OverlapBehavesAsMemmove) {
  const size_t len = (size_t{9} << 20) + 3;
  for (size_t shift : {size_t{1}, size_t{4096}, (size_t{1} << 20) + 1}) {
    for (bool up : {true, false}) {
      std::vector<uint8_t> got = RandomBytes(len + shift, 7);
      std::vector<uint8_t> want = got;
      uint8_t* src = got.data() + (up ? 0 : shift);
      uint8_t* dst = got.data() + (up ? shift : 0);
      ASSERT_EQ(Copy(src, dst, len, nullptr), 0);
      reference::Copy(want.data() + (up ? 0 : shift), want.data() + (up ? shift : 0), len);
      EXPECT_TRUE(got == want) << "shift " << shift << (up ? " up" : " down");
    }
  }
  std::vector<uint8_t> small = {1, 2, 3, 4, 5, 6};
  ASSERT_EQ(Copy(small.data(), small.data() + 2, 4, nullptr), 0);
  EXPECT_EQ(small, (std::vector<uint8_t>{1, 2, 1, 2, 3, 4}));
}

TEST(CopyTest, CancelledBeforehandWritesNothing) {
  const std::vector<uint8_t> src(1 << 20, 1);
  std::vector<uint8_t> dst(1 << 20, 0);
  const std::atomic<bool> cancel{true};
  EXPECT_EQ(Copy(src.data(), dst.data(), src.size(), &cancel), -ECANCELED);
  EXPECT_EQ(std::count(dst.begin(), dst.end(), 0), 1 << 20);
}

}  // namespace
}  // namespace accel::vnpu::kernels
