// Tests of vnpu's Gemm: every supported code path against the double-precision reference over
// edge-heavy shapes and alpha/beta combinations, BLAS's rules for beta == 0 and alpha == 0,
// operands that are not vector-aligned, and cancellation before and during a call.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"
#include "drivers/vnpu/kernels/kernels_reference.h"

namespace accel::vnpu::kernels {
namespace {

using internal::GemmPath;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<GemmPath> SupportedPaths() {
  std::vector<GemmPath> paths;
  for (GemmPath p : {GemmPath::kPortable, GemmPath::kAvx2Fma}) {
    if (internal::Supported(p)) paths.push_back(p);
  }
  return paths;
}

const char* Name(GemmPath p) {
  return p == GemmPath::kPortable ? "portable" : "avx2_fma";
}

// `count` floats starting 4 bytes past a 64-byte boundary: never aligned for a vector load.
class Misaligned {
 public:
  explicit Misaligned(size_t count) : storage_(count + 32) {
    const auto base = reinterpret_cast<uintptr_t>(storage_.data());
    data_ = reinterpret_cast<float*>((base + 63) / 64 * 64 + 4);
    size_ = count;
  }
  float* data() { return data_; }
  float* begin() { return data_; }
  float* end() { return data_ + size_; }

 private:
  std::vector<float> storage_;
  float* data_;
  size_t size_;
};

void FillRandom(float* p, size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) p[i] = dist(gen);
}

struct Shape {
  uint32_t m, n, k;
};

// Checks got against reference::Gemm for the same operands, element by element, within the
// classic bound for a length-k float dot product: (k + 4) * eps * (|alpha| sum |a||b| + |beta
// c|), eps doubled for margin. c_before is C's content before the call.
void ExpectNearReference(const float* a, const float* b, const float* c_before, const float* got,
                         Shape s, float alpha, float beta, const std::string& what) {
  const size_t mn = size_t{s.m} * s.n;
  std::vector<float> want(c_before, c_before + mn);
  reference::Gemm(a, b, want.data(), s.m, s.n, s.k, alpha, beta);
  std::vector<float> abs_a(a, a + size_t{s.m} * s.k);
  std::vector<float> abs_b(b, b + size_t{s.k} * s.n);
  for (float& x : abs_a) x = std::fabs(x);
  for (float& x : abs_b) x = std::fabs(x);
  std::vector<float> magnitude(mn);
  reference::Gemm(abs_a.data(), abs_b.data(), magnitude.data(), s.m, s.n, s.k, std::fabs(alpha),
                  0.0f);
  const double gamma = (s.k + 4.0) * 2.0 * FLT_EPSILON;
  size_t bad = 0;
  for (size_t i = 0; i < mn && bad < 5; ++i) {
    const double old = beta == 0.0f ? 0.0 : std::fabs(double{beta} * c_before[i]);
    const double bound = gamma * (magnitude[i] + old) + FLT_MIN;
    if (!(std::fabs(double{got[i]} - want[i]) <= bound)) {
      ADD_FAILURE() << what << ": C[" << i / s.n << "][" << i % s.n << "] = " << got[i]
                    << ", reference " << want[i] << ", bound " << bound;
      ++bad;
    }
  }
}

class GemmShapeTest : public ::testing::TestWithParam<Shape> {};

TEST_P(GemmShapeTest, EveryPathMatchesReferenceForEveryAlphaBeta) {
  const Shape s = GetParam();
  const struct {
    float alpha, beta;
  } combos[] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.5f, 2.0f}, {2.5f, -1.0f}, {0.75f, 0.5f}};
  std::vector<float> a(size_t{s.m} * s.k), b(size_t{s.k} * s.n), c0(size_t{s.m} * s.n);
  FillRandom(a.data(), a.size(), 1);
  FillRandom(b.data(), b.size(), 2);
  FillRandom(c0.data(), c0.size(), 3);
  for (GemmPath path : SupportedPaths()) {
    for (const auto& ab : combos) {
      std::vector<float> c = c0;
      ASSERT_EQ(internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, ab.alpha,
                                     ab.beta, nullptr),
                0);
      ExpectNearReference(a.data(), b.data(), c0.data(), c.data(), s, ab.alpha, ab.beta,
                          std::string(Name(path)) + " alpha " + std::to_string(ab.alpha) +
                              " beta " + std::to_string(ab.beta));
    }
  }
}

// Tile edges (Mr 4 and 6, Nr 16), block edges (kMc 144, kKc 256, kNc 2048), degenerate
// vectors, and a few square sizes.
INSTANTIATE_TEST_SUITE_P(Shapes, GemmShapeTest,
                         ::testing::Values(Shape{1, 1, 1}, Shape{1, 1, 7}, Shape{2, 3, 4},
                                           Shape{5, 7, 3}, Shape{6, 16, 1}, Shape{4, 16, 256},
                                           Shape{7, 17, 257}, Shape{17, 33, 65}, Shape{128, 1, 300},
                                           Shape{1, 128, 300}, Shape{300, 1, 1}, Shape{1, 300, 1},
                                           Shape{64, 64, 64}, Shape{100, 100, 100},
                                           Shape{143, 145, 255}, Shape{145, 31, 513},
                                           Shape{150, 20, 10}, Shape{3, 2100, 5},
                                           Shape{10, 10, 600}, Shape{256, 256, 256}),
                         [](const ::testing::TestParamInfo<Shape>& info) {
                           return std::to_string(info.param.m) + "x" +
                                  std::to_string(info.param.n) + "x" + std::to_string(info.param.k);
                         });

TEST(GemmTest, BetaZeroIgnoresNaNsInC) {
  const Shape s{37, 41, 29};
  std::vector<float> a(size_t{s.m} * s.k), b(size_t{s.k} * s.n);
  FillRandom(a.data(), a.size(), 4);
  FillRandom(b.data(), b.size(), 5);
  const std::vector<float> nan_c(size_t{s.m} * s.n, kNaN);
  const std::vector<float> zero_c(nan_c.size(), 0.0f);
  for (GemmPath path : SupportedPaths()) {
    for (float alpha : {1.0f, -3.0f}) {
      std::vector<float> c = nan_c;
      ASSERT_EQ(internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, alpha, 0.0f,
                                     nullptr),
                0);
      ExpectNearReference(a.data(), b.data(), zero_c.data(), c.data(), s, alpha, 0.0f, Name(path));
    }
  }
}

TEST(GemmTest, AlphaZeroReadsNeitherAnorB) {
  const Shape s{9, 20, 11};
  const std::vector<float> nan_a(size_t{s.m} * s.k, kNaN), nan_b(size_t{s.k} * s.n, kNaN);
  for (GemmPath path : SupportedPaths()) {
    std::vector<float> c(size_t{s.m} * s.n, 3.0f);
    ASSERT_EQ(internal::GemmOnPath(path, nan_a.data(), nan_b.data(), c.data(), s.m, s.n, s.k, 0.0f,
                                   2.0f, nullptr),
              0);
    EXPECT_EQ(std::count(c.begin(), c.end(), 6.0f), static_cast<long>(c.size())) << Name(path);
    std::fill(c.begin(), c.end(), kNaN);
    ASSERT_EQ(internal::GemmOnPath(path, nan_a.data(), nan_b.data(), c.data(), s.m, s.n, s.k, 0.0f,
                                   0.0f, nullptr),
              0);
    EXPECT_EQ(std::count(c.begin(), c.end(), 0.0f), static_cast<long>(c.size())) << Name(path);
  }
}

TEST(GemmTest, KZeroScalesC) {
  std::vector<float> c(12, 2.0f);
  ASSERT_EQ(Gemm(nullptr, nullptr, c.data(), 3, 4, 0, 1.0f, 0.5f, nullptr), 0);
  EXPECT_EQ(std::count(c.begin(), c.end(), 1.0f), 12);
  std::fill(c.begin(), c.end(), kNaN);
  ASSERT_EQ(Gemm(nullptr, nullptr, c.data(), 3, 4, 0, 1.0f, 0.0f, nullptr), 0);
  EXPECT_EQ(std::count(c.begin(), c.end(), 0.0f), 12);
}

TEST(GemmTest, EmptyOutputTouchesNothing) {
  EXPECT_EQ(Gemm(nullptr, nullptr, nullptr, 0, 5, 5, 1.0f, 0.0f, nullptr), 0);
  EXPECT_EQ(Gemm(nullptr, nullptr, nullptr, 5, 0, 5, 1.0f, 0.0f, nullptr), 0);
}

TEST(GemmTest, OperandsOffByFourBytesFromVectorAlignment) {
  for (Shape s : {Shape{6, 16, 8}, Shape{13, 35, 70}, Shape{64, 48, 32}}) {
    Misaligned a(size_t{s.m} * s.k), b(size_t{s.k} * s.n), c(size_t{s.m} * s.n);
    FillRandom(a.data(), size_t{s.m} * s.k, 6);
    FillRandom(b.data(), size_t{s.k} * s.n, 7);
    FillRandom(c.data(), size_t{s.m} * s.n, 8);
    const std::vector<float> c0(c.begin(), c.end());
    for (GemmPath path : SupportedPaths()) {
      std::copy(c0.begin(), c0.end(), c.begin());
      ASSERT_EQ(internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, 1.5f, -0.5f,
                                     nullptr),
                0);
      ExpectNearReference(a.data(), b.data(), c0.data(), c.data(), s, 1.5f, -0.5f, Name(path));
    }
  }
}

TEST(GemmTest, PathsAgreeWithEachOther) {
  const std::vector<GemmPath> paths = SupportedPaths();
  if (paths.size() < 2) GTEST_SKIP() << "this CPU runs the portable path only";
  const Shape s{97, 203, 301};
  std::vector<float> a(size_t{s.m} * s.k), b(size_t{s.k} * s.n);
  FillRandom(a.data(), a.size(), 9);
  FillRandom(b.data(), b.size(), 10);
  std::vector<float> portable(size_t{s.m} * s.n), avx(portable.size());
  ASSERT_EQ(internal::GemmOnPath(GemmPath::kPortable, a.data(), b.data(), portable.data(), s.m, s.n,
                                 s.k, 1.0f, 0.0f, nullptr),
            0);
  ASSERT_EQ(internal::GemmOnPath(GemmPath::kAvx2Fma, a.data(), b.data(), avx.data(), s.m, s.n, s.k,
                                 1.0f, 0.0f, nullptr),
            0);
  // Both are within (k + 4) * 2 eps * sum |a||b| of the exact result; sum |a||b| <= k here.
  const float bound = 2 * (s.k + 4.0f) * 2.0f * FLT_EPSILON * s.k;
  for (size_t i = 0; i < portable.size(); ++i) {
    ASSERT_NEAR(portable[i], avx[i], bound) << "element " << i;
  }
}

TEST(GemmTest, BestPathIsTheFastestSupported) {
  EXPECT_TRUE(internal::Supported(GemmPath::kPortable));
  EXPECT_EQ(internal::BestGemmPath(),
            internal::Supported(GemmPath::kAvx2Fma) ? GemmPath::kAvx2Fma : GemmPath::kPortable);
}

TEST(GemmTest, CancelledBeforehandReturnsAtOnceAndWritesNothing) {
  const Shape s{256, 256, 256};
  std::vector<float> a(size_t{s.m} * s.k, 1.0f), b(size_t{s.k} * s.n, 1.0f);
  const std::atomic<bool> cancel{true};
  for (GemmPath path : SupportedPaths()) {
    std::vector<float> c(size_t{s.m} * s.n, -7.0f);
    EXPECT_EQ(internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, 1.0f, 0.0f,
                                   &cancel),
              -ECANCELED);
    EXPECT_EQ(std::count(c.begin(), c.end(), -7.0f), static_cast<long>(c.size())) << Name(path);
  }
  std::vector<float> c(4, -7.0f);
  EXPECT_EQ(Gemm(nullptr, nullptr, c.data(), 2, 2, 0, 1.0f, 0.0f, &cancel), -ECANCELED);
  EXPECT_EQ(std::count(c.begin(), c.end(), -7.0f), 4);
}

// A flag set by another thread while a large GEMM runs stops it between blocks. Proof that it
// stopped mid-call rather than before or after: with beta == 0 each A block (kMc = 144 rows)
// overwrites its rows of C, so a cancelled call leaves C partly written and partly still the
// sentinel. The flag is raised some time after the call starts, half a full call's time at
// first; when the scheduler made it land after the last block (the call succeeded) the next
// attempt waits half as long, when it landed before the first block (C untouched) it waits
// longer, so that the test holds on a loaded machine too.
TEST(GemmTest, CancelledFromAnotherThreadStopsMidCall) {
  const Shape s{144 * 16, 512, 256};  // 16 A blocks, 1 K block, 1 B panel
  std::vector<float> a(size_t{s.m} * s.k), b(size_t{s.k} * s.n);
  FillRandom(a.data(), a.size(), 11);
  FillRandom(b.data(), b.size(), 12);
  const float sentinel = -1e30f;
  std::vector<float> c(size_t{s.m} * s.n);
  for (GemmPath path : SupportedPaths()) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, 1.0f, 0.0f,
                                   nullptr),
              0);
    auto wait = (std::chrono::steady_clock::now() - t0) / 2;
    std::string outcomes;
    bool stopped_mid_call = false;
    for (int attempt = 0; attempt < 30 && !stopped_mid_call; ++attempt) {
      std::fill(c.begin(), c.end(), sentinel);
      std::atomic<bool> cancel{false};
      std::atomic<bool> started{false};
      int rc = 1;
      std::thread worker([&] {
        started.store(true);
        rc = internal::GemmOnPath(path, a.data(), b.data(), c.data(), s.m, s.n, s.k, 1.0f, 0.0f,
                                  &cancel);
      });
      while (!started.load()) std::this_thread::yield();
      std::this_thread::sleep_for(wait);
      cancel.store(true, std::memory_order_relaxed);
      worker.join();
      ASSERT_TRUE(rc == 0 || rc == -ECANCELED) << rc;
      const auto untouched = std::count(c.begin(), c.end(), sentinel);
      outcomes += " rc=" + std::to_string(rc) + "/untouched=" + std::to_string(untouched);
      if (rc == 0) {
        wait /= 2;
      } else if (untouched == static_cast<long>(c.size())) {
        wait = wait * 3 / 2;
      } else {
        stopped_mid_call = untouched > 0;
      }
    }
    EXPECT_TRUE(stopped_mid_call) << Name(path) << ":" << outcomes;
  }
}

}  // namespace
}  // namespace accel::vnpu::kernels
