// kernels_cpu_features_test.cc - CpuHas answers as the CPU does, and each kernel's fast path is
// Supported exactly when its feature is there.
#include "drivers/vnpu/kernels/cpu_features.h"

#include <gtest/gtest.h>

#include "drivers/vnpu/kernels/kernels_internal.h"

namespace {

using accel::vnpu::kernels::internal::CpuFeature;
using accel::vnpu::kernels::internal::CpuHas;
using accel::vnpu::kernels::internal::Crc32cPath;
using accel::vnpu::kernels::internal::GemmPath;
using accel::vnpu::kernels::internal::Supported;

TEST(CpuFeaturesTest, AgreeWithTheCompilersProbe) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  EXPECT_EQ(CpuHas(CpuFeature::kSse42), static_cast<bool>(__builtin_cpu_supports("sse4.2")));
  EXPECT_EQ(CpuHas(CpuFeature::kAvx2Fma),
            __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
#else
  EXPECT_FALSE(CpuHas(CpuFeature::kSse42));
  EXPECT_FALSE(CpuHas(CpuFeature::kAvx2Fma));
#endif
}

TEST(CpuFeaturesTest, FastPathsFollowTheirFeature) {
  EXPECT_EQ(Supported(Crc32cPath::kSse42), CpuHas(CpuFeature::kSse42));
  EXPECT_EQ(Supported(GemmPath::kAvx2Fma), CpuHas(CpuFeature::kAvx2Fma));
  EXPECT_TRUE(Supported(Crc32cPath::kSlicing8));
  EXPECT_TRUE(Supported(GemmPath::kPortable));
}

}  // namespace
