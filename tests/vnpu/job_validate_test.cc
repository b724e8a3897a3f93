// job_validate_test.cc - ValidateJob (job_validate_inl.h), opcode by opcode: the BO count, every
// offset and length checked against its BO (-ERANGE), alignment (-EINVAL), and overflow
// attempts (huge counts, offsets near UINT64_MAX); then ExecuteJob on small buffers against
// plain references, and a poisoned page failing the job.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "drivers/vnpu/buffer_object.h"
#include "drivers/vnpu/job.h"
#include "drivers/vnpu/kernels/kernels_reference.h"

namespace accel::vnpu {
namespace {

constexpr uint64_t kBoSize = 4 * kPageSize;  // every BO here: 16 KiB
constexpr uint64_t kMax = UINT64_MAX;

uint64_t FloatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

class VnpuJobValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint32_t h = 1; h <= 3; ++h) {
      Result<std::shared_ptr<BufferObject>> bo = BufferObject::Create(memory_, kBoSize);
      ASSERT_TRUE(bo);
      bos_[h] = *bo;
    }
  }

  // A request for `opcode` with BOs 1..n and the given params.
  static JobRequest Request(uint32_t opcode, std::vector<uint64_t> params) {
    JobRequest r;
    r.opcode = opcode;
    r.num_bos = opcode == VNPU_OP_GEMM                              ? 3
                : (opcode == VNPU_OP_NOP || opcode == VNPU_OP_SPIN) ? 0
                                                                    : 2;
    for (uint32_t i = 0; i < r.num_bos; ++i) r.bo_handles[i] = i + 1;
    for (size_t i = 0; i < params.size() && i < VNPU_MAX_JOB_PARAMS; ++i) r.params[i] = params[i];
    return r;
  }

  int Validate(const JobRequest& r, Job* job = nullptr) {
    Job scratch;
    return ValidateJob(
        r,
        [this](uint32_t h) -> std::shared_ptr<BufferObject> {
          auto it = bos_.find(h);
          return it == bos_.end() ? nullptr : it->second;
        },
        job ? job : &scratch);
  }
  int Validate(uint32_t opcode, std::vector<uint64_t> params) {
    return Validate(Request(opcode, std::move(params)));
  }

  // Validates and runs the job; returns its VNPU_JOB_* status.
  uint32_t Run(const JobRequest& r) {
    Job job;
    EXPECT_EQ(Validate(r, &job), 0);
    return ExecuteJob(job);
  }

  template <typename T>
  T* Data(uint32_t handle) {
    return reinterpret_cast<T*>(bos_[handle]->data());
  }

  std::shared_ptr<DeviceMemory> memory_ = std::make_shared<DeviceMemory>(64 * kPageSize);
  std::map<uint32_t, std::shared_ptr<BufferObject>> bos_;
};

// ---- shape of the request -----------------------------------------------------------------------

TEST_F(VnpuJobValidateTest, UnknownOpcodesAndFlagsAreEINVAL) {
  JobRequest r = Request(VNPU_OP_NOP, {});
  r.opcode = VNPU_OP_COUNT;
  EXPECT_EQ(Validate(r), -EINVAL);
  r.opcode = UINT32_MAX;
  EXPECT_EQ(Validate(r), -EINVAL);
  r = Request(VNPU_OP_NOP, {});
  r.flags = 1;
  EXPECT_EQ(Validate(r), -EINVAL);
}

TEST_F(VnpuJobValidateTest, EachOpcodeTakesExactlyItsBoCount) {
  const struct {
    uint32_t opcode, bos;
  } kCounts[] = {{VNPU_OP_NOP, 0},        {VNPU_OP_SPIN, 0},   {VNPU_OP_COPY, 2}, {VNPU_OP_AXPY, 2},
                 {VNPU_OP_REDUCE_SUM, 2}, {VNPU_OP_CRC32C, 2}, {VNPU_OP_GEMM, 3}};
  for (const auto& c : kCounts) {
    for (uint32_t n : {c.bos - (c.bos ? 1 : 0), c.bos + 1, uint32_t{VNPU_MAX_JOB_BOS},
                       uint32_t{VNPU_MAX_JOB_BOS + 1}, UINT32_MAX}) {
      if (n == c.bos) continue;
      JobRequest r = Request(c.opcode, {1, 1, 1, 0, 0, 0, 0});
      r.num_bos = n;
      for (uint32_t i = 0; i < n && i < VNPU_MAX_JOB_BOS; ++i) r.bo_handles[i] = 1;
      EXPECT_EQ(Validate(r), -EINVAL) << "opcode " << c.opcode << " with " << n << " BOs";
    }
  }
}

TEST_F(VnpuJobValidateTest, HandlesBeyondTheCountMustBeZeroAndKnown) {
  JobRequest r = Request(VNPU_OP_COPY, {0, 0, 16});
  r.bo_handles[VNPU_MAX_JOB_BOS - 1] = 1;  // a stray handle past num_bos
  EXPECT_EQ(Validate(r), -EINVAL);
  r = Request(VNPU_OP_NOP, {});
  r.bo_handles[0] = 1;
  EXPECT_EQ(Validate(r), -EINVAL);
  r = Request(VNPU_OP_COPY, {0, 0, 16});
  r.bo_handles[1] = 99;
  EXPECT_EQ(Validate(r), -ENOENT);
  r.bo_handles[1] = 0;
  EXPECT_EQ(Validate(r), -ENOENT);
}

TEST_F(VnpuJobValidateTest, ValidationKeepsReferencesToTheBos) {
  Job job;
  ASSERT_EQ(Validate(Request(VNPU_OP_GEMM, {1, 1, 1, 0, 0, 0, 0}), &job), 0);
  EXPECT_EQ(job.opcode, uint32_t{VNPU_OP_GEMM});
  EXPECT_EQ(job.num_bos, 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(job.bos[i], bos_[i + 1]);
  bos_.clear();  // the handles go; the job's references keep the memory
  EXPECT_EQ(job.bos[2]->size(), kBoSize);
}

// ---- per opcode: ranges, alignment, overflow ----------------------------------------------------

TEST_F(VnpuJobValidateTest, Spin) {
  EXPECT_EQ(Validate(VNPU_OP_SPIN, {0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_SPIN, {60ull * 1000 * 1000 * 1000}), 0);
  EXPECT_EQ(Validate(VNPU_OP_SPIN, {60ull * 1000 * 1000 * 1000 + 1}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_SPIN, {kMax}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_NOP, {kMax, kMax}), 0);  // NOP ignores its params
}

TEST_F(VnpuJobValidateTest, Copy) {  // [0] src_off [1] dst_off [2] bytes
  EXPECT_EQ(Validate(VNPU_OP_COPY, {0, 0, kBoSize}), 0);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {1, 3, kBoSize - 3}), 0);  // bytes need no alignment
  EXPECT_EQ(Validate(VNPU_OP_COPY, {kBoSize, kBoSize, 0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {0, 0, kBoSize + 1}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {1, 0, kBoSize}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {0, 1, kBoSize}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {kBoSize + 1, 0, 0}), -ERANGE);
  // Overflow attempts: offset + bytes wrapping around to something small.
  EXPECT_EQ(Validate(VNPU_OP_COPY, {kMax, 0, 2}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {16, 0, kMax - 15}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {0, kMax - 7, 8}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_COPY, {0, 0, kMax}), -ERANGE);
}

TEST_F(VnpuJobValidateTest, Axpy) {  // [0] n [1] alpha bits [2] x_off [3] y_off
  const uint64_t one = FloatBits(1.0f);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {kBoSize / 4, one, 0, 0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {0, one, kBoSize, kBoSize}), 0);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {kBoSize / 4 + 1, one, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, one, kBoSize, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, one, 0, kBoSize}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, one, 2, 0}), -EINVAL);  // misaligned floats
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, one, 0, 6}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, uint64_t{UINT32_MAX} + 1, 0, 0}), -EINVAL);  // alpha bits
  // Overflow attempts: n * 4 wrapping (refused as too many elements), offsets near the top.
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {uint64_t{1} << 62, one, 0, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {kMax, one, 0, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {(uint64_t{1} << 40) + 1, one, 0, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {uint64_t{1} << 40, one, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {1, one, kMax - 3, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_AXPY, {4, one, 0, kMax - 15}), -ERANGE);
}

TEST_F(VnpuJobValidateTest, ReduceSum) {  // [0] n [1] x_off [2] out_off
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {kBoSize / 4, 0, kBoSize - 4}), 0);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {0, kBoSize, 0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {kBoSize / 4, 4, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {1, 0, kBoSize}), -ERANGE);  // no room for the result
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {1, 0, kBoSize - 2}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {1, 1, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {kMax, 0, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {uint64_t{1} << 40, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {1, kMax - 3, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_REDUCE_SUM, {1, 0, kMax - 3}), -ERANGE);
}

TEST_F(VnpuJobValidateTest, Crc32c) {  // [0] len [1] data_off [2] out_off [3] seed
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {kBoSize, 0, 0, UINT32_MAX}), 0);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {3, 5, 8, 0}), 0);  // bytes: any offset, any length
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {kBoSize, 1, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {1, 0, kBoSize, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {1, 0, 2, 0}), -EINVAL);  // the u32 result is aligned
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {1, 0, 0, uint64_t{UINT32_MAX} + 1}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {kMax, 0, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {2, kMax, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {kMax - 1, 2, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_CRC32C, {1, 0, kMax - 3, 0}), -ERANGE);
}

TEST_F(VnpuJobValidateTest,
       Gemm) {  // [0] M [1] N [2] K [3] alpha|beta [4] a_off [5] b_off [6] c_off
  // 32 x 32 floats fill a 4 KiB page; each BO holds 4096 floats.
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {64, 64, 64, 0, 0, 0, 0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {1, 1, 4096, 0, 0, 0, 0}), 0);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {1, 1, 4097, 0, 0, 0, 0}), -ERANGE);  // A is 1 x 4097
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {64, 65, 64, 0, 0, 0, 0}), -ERANGE);  // B and C too large
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {64, 64, 64, 0, 4, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {64, 64, 64, 0, 0, 4, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {64, 64, 64, 0, 0, 0, 4}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {2, 2, 2, 0, 2, 0, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {2, 2, 2, 0, 0, 1, 0}), -EINVAL);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {2, 2, 2, 0, 0, 0, 3}), -EINVAL);
  for (int zero = 0; zero < 3; ++zero) {
    std::vector<uint64_t> p = {2, 2, 2, 0, 0, 0, 0};
    p[zero] = 0;
    EXPECT_EQ(Validate(VNPU_OP_GEMM, p), -EINVAL) << "dimension " << zero << " zero";
    p[zero] = 65537;
    EXPECT_EQ(Validate(VNPU_OP_GEMM, p), -EINVAL) << "dimension " << zero << " too large";
    p[zero] = kMax;
    EXPECT_EQ(Validate(VNPU_OP_GEMM, p), -EINVAL);
    // 2^32 + 2 would be 2 once cut to the kernels' 32-bit dimensions.
    p[zero] = (uint64_t{1} << 32) + 2;
    EXPECT_EQ(Validate(VNPU_OP_GEMM, p), -EINVAL);
  }
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {65536, 65536, 65536, 0, 0, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {1, 1, 1, 0, kMax - 3, 0, 0}), -ERANGE);
  EXPECT_EQ(Validate(VNPU_OP_GEMM, {1, 1, 1, 0, 0, 0, kMax - 3}), -ERANGE);
}

// ---- execution ----------------------------------------------------------------------------------

TEST_F(VnpuJobValidateTest, NopAndSpinSucceed) {
  EXPECT_EQ(Run(Request(VNPU_OP_NOP, {})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(Run(Request(VNPU_OP_SPIN, {1000})), uint32_t{VNPU_JOB_SUCCESS});
}

TEST_F(VnpuJobValidateTest, ACancelledJobEndsWithItsCancelStatus) {
  Job job;
  ASSERT_EQ(Validate(Request(VNPU_OP_SPIN, {0}), &job), 0);  // would spin forever
  job.cancel_status = VNPU_JOB_TIMED_OUT;
  job.cancel = true;
  EXPECT_EQ(ExecuteJob(job), uint32_t{VNPU_JOB_TIMED_OUT});
}

TEST_F(VnpuJobValidateTest, CopyMatches) {
  uint8_t* src = Data<uint8_t>(1);
  uint8_t* dst = Data<uint8_t>(2);
  for (uint64_t i = 0; i < kBoSize; ++i) src[i] = static_cast<uint8_t>(i * 7 + 1);
  EXPECT_EQ(Run(Request(VNPU_OP_COPY, {5, 100, 1000})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(std::memcmp(dst + 100, src + 5, 1000), 0);
  EXPECT_EQ(dst[99], 0);
  EXPECT_EQ(dst[1100], 0);
}

TEST_F(VnpuJobValidateTest, AxpyMatches) {
  constexpr uint64_t n = 100;
  float* x = Data<float>(1);
  float* y = Data<float>(2);
  std::vector<float> want(n);
  for (uint64_t i = 0; i < n; ++i) {
    x[4 + i] = static_cast<float>(i) * 0.5f;
    y[8 + i] = 3.0f - static_cast<float>(i);
    want[i] = y[8 + i];
  }
  kernels::reference::Axpy(n, 2.5f, x + 4, want.data());
  EXPECT_EQ(Run(Request(VNPU_OP_AXPY, {n, FloatBits(2.5f), 16, 32})), uint32_t{VNPU_JOB_SUCCESS});
  for (uint64_t i = 0; i < n; ++i) EXPECT_FLOAT_EQ(y[8 + i], want[i]) << i;
  EXPECT_EQ(y[8 + n], 0.0f);
}

TEST_F(VnpuJobValidateTest, ReduceSumMatches) {
  constexpr uint64_t n = 1000;
  float* x = Data<float>(1);
  for (uint64_t i = 0; i < n; ++i) x[i] = 1.0f / static_cast<float>(i + 1);
  const float want = kernels::reference::ReduceSum(x, n);
  EXPECT_EQ(Run(Request(VNPU_OP_REDUCE_SUM, {n, 0, 12})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_NEAR(Data<float>(2)[3], want, 1e-4);
}

TEST_F(VnpuJobValidateTest, Crc32cMatchesTheCheckValue) {
  std::memcpy(Data<uint8_t>(1) + 3, "123456789", 9);
  EXPECT_EQ(Run(Request(VNPU_OP_CRC32C, {9, 3, 8, 0})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(Data<uint32_t>(2)[2], 0xE3069283u);  // CRC-32C's published check value
  // Continued from a seed: the CRC of the whole is the CRC of the second part after the first.
  EXPECT_EQ(Run(Request(VNPU_OP_CRC32C, {4, 3, 0, 0})), uint32_t{VNPU_JOB_SUCCESS});
  const uint32_t first = Data<uint32_t>(2)[0];
  EXPECT_EQ(Run(Request(VNPU_OP_CRC32C, {5, 7, 4, first})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(Data<uint32_t>(2)[1], 0xE3069283u);
}

TEST_F(VnpuJobValidateTest, GemmMatches) {
  constexpr uint32_t m = 5, n = 3, k = 7;
  float* a = Data<float>(1);
  float* b = Data<float>(2);
  float* c = Data<float>(3);
  for (uint32_t i = 0; i < m * k; ++i) a[i] = static_cast<float>(i % 5) - 2.0f;
  for (uint32_t i = 0; i < k * n; ++i) b[4 + i] = static_cast<float>(i % 3) + 0.25f;
  for (uint32_t i = 0; i < m * n; ++i) c[i] = static_cast<float>(i);
  std::vector<float> want(c, c + m * n);
  kernels::reference::Gemm(a, b + 4, want.data(), m, n, k, 0.5f, 2.0f);
  const uint64_t ab = FloatBits(0.5f) | (FloatBits(2.0f) << 32);
  EXPECT_EQ(Run(Request(VNPU_OP_GEMM, {m, n, k, ab, 0, 16, 0})), uint32_t{VNPU_JOB_SUCCESS});
  for (uint32_t i = 0; i < m * n; ++i) EXPECT_NEAR(c[i], want[i], 1e-4) << i;
}

TEST_F(VnpuJobValidateTest, APoisonedPageFailsTheJobsThatTouchIt) {
  // Poison BO 2's second page: a copy into its first page still works, one into the second not.
  ASSERT_TRUE(memory_->Poison(bos_[2]->device_address() + kPageSize + 10));
  EXPECT_EQ(Run(Request(VNPU_OP_COPY, {0, 0, kPageSize})), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(Run(Request(VNPU_OP_COPY, {0, kPageSize, 4})), uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(Run(Request(VNPU_OP_COPY, {0, kPageSize - 2, 4})), uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(Run(Request(VNPU_OP_REDUCE_SUM, {4, 0, kPageSize + 8})),
            uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(Run(Request(VNPU_OP_CRC32C, {4, 0, kPageSize})), uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(Run(Request(VNPU_OP_GEMM, {1, 1, 1, 0, 0, kPageSize, 0})),
            uint32_t{VNPU_JOB_MEMORY_ERROR});
  EXPECT_EQ(Run(Request(VNPU_OP_AXPY, {1, 0, 0, 2 * kPageSize})), uint32_t{VNPU_JOB_SUCCESS});
}

}  // namespace
}  // namespace accel::vnpu
