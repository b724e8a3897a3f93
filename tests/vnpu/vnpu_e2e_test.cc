// vnpu_e2e_test.cc - vnpu end to end: a real acceld with the vnpu plugin and its vnpu-fw
// process, used as a runtime would: parameters, BOs mapped with no copy, every opcode against
// its reference, fences and timeouts, per-file handles, the memory limit, bad input.
#include <accel/libaccel.h>
#include <accel/libaccel_vnpu.h>
#include <gtest/gtest.h>
#include <uapi/accel/vnpu.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "acceld_process.h"
#include "drivers/vnpu/kernels/kernels_reference.h"
#include "vnpu_client.h"

namespace accel::testing {
namespace {

namespace ref = accel::vnpu::kernels::reference;

class VnpuE2eTest : public ::testing::Test {
 protected:
  void StartWith(const std::string& load_args, std::vector<std::string> extra = {}) {
    // A generous heartbeat timeout: a loaded CI machine must not look like a dead firmware.
    std::vector<std::string> args = {"--load", "vnpu heartbeat_timeout_ms=20000 " + load_args,
                                     "--no-fuse"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
    ASSERT_EQ(client_.Open(), 0);
    ASSERT_EQ(client_.CmdqCreate(VNPU_PRIORITY_NORMAL, &cmdq_), 0);
  }
  std::vector<float> RandomFloats(size_t n) {
    std::uniform_real_distribution<float> d(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (float& f : v) f = d(rng_);
    return v;
  }

  AcceldProcess daemon_;
  VnpuClient client_;
  uint32_t cmdq_ = 0;
  std::mt19937 rng_{12345};
};

TEST_F(VnpuE2eTest, ParametersDescribeTheDevice) {
  StartWith("engines=3 memory=64M");
  EXPECT_EQ(client_.Param(VNPU_PARAM_NUM_ENGINES), 3u);
  EXPECT_EQ(client_.Param(VNPU_PARAM_MEMORY_SIZE), 64u << 20);
  EXPECT_EQ(client_.Param(VNPU_PARAM_MEMORY_USED), 0u);
  EXPECT_NE(client_.Param(VNPU_PARAM_FW_VERSION), 0u);  // the firmware said hello
  EXPECT_TRUE(client_.Param(VNPU_PARAM_CAPABILITIES) & VNPU_CAP_FW_PROCESS);
  EXPECT_EQ(client_.Param(VNPU_PARAM_RESET_COUNT), 0u);
  uint64_t v;
  EXPECT_EQ(client_.Param(999, &v), -EINVAL);
}

TEST_F(VnpuE2eTest, EveryOpcodeMatchesItsReference) {
  StartWith("");
  constexpr uint32_t m = 67, n = 45, k = 129;  // odd sizes: the kernels' edges
  MappedBo a, b, c, x, y, out;
  ASSERT_EQ(a.Create(client_, m * k * 4), 0);
  ASSERT_EQ(b.Create(client_, k * n * 4), 0);
  ASSERT_EQ(c.Create(client_, m * n * 4), 0);
  ASSERT_EQ(x.Create(client_, 100000 * 4), 0);
  ASSERT_EQ(y.Create(client_, 100000 * 4), 0);
  ASSERT_EQ(out.Create(client_, 4096), 0);
  std::vector<float> av = RandomFloats(m * k), bv = RandomFloats(k * n), cv = RandomFloats(m * n);
  std::memcpy(a.data(), av.data(), av.size() * 4);
  std::memcpy(b.data(), bv.data(), bv.size() * 4);
  std::memcpy(c.data(), cv.data(), cv.size() * 4);

  // GEMM: C = 0.5 A B + 2 C, computed in the engines on the very pages we mapped.
  uint64_t fence;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_GEMM, {a.handle(), b.handle(), c.handle()},
                           {m, n, k, FloatBits(0.5f) | (FloatBits(2.0f) << 32), 0, 0, 0}, &fence),
            0);
  ASSERT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  std::vector<float> want = cv;
  ref::Gemm(av.data(), bv.data(), want.data(), m, n, k, 0.5f, 2.0f);
  for (uint32_t i = 0; i < m * n; ++i)
    ASSERT_NEAR(c.data<float>()[i], want[i], 1e-4f * k) << "element " << i;

  // AXPY over 100000 floats.
  std::vector<float> xv = RandomFloats(100000), yv = RandomFloats(100000);
  std::memcpy(x.data(), xv.data(), xv.size() * 4);
  std::memcpy(y.data(), yv.data(), yv.size() * 4);
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_AXPY, {x.handle(), y.handle()},
                           {100000, FloatBits(-1.5f), 0, 0}, &fence),
            0);
  ASSERT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  ref::Axpy(100000, -1.5f, xv.data(), yv.data());
  for (size_t i = 0; i < yv.size(); ++i) ASSERT_FLOAT_EQ(y.data<float>()[i], yv[i]);

  // REDUCE_SUM of x into out[0].
  ASSERT_EQ(
      client_.Submit(cmdq_, VNPU_OP_REDUCE_SUM, {x.handle(), out.handle()}, {100000, 0, 0}, &fence),
      0);
  ASSERT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_NEAR(out.data<float>()[0], ref::ReduceSum(xv.data(), 100000), 1e-2);

  // CRC32C of "123456789" (the check value of the Castagnoli CRC) into out[4..8).
  std::memcpy(x.data(), "123456789", 9);
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_CRC32C, {x.handle(), out.handle()}, {9, 0, 4, 0}, &fence),
            0);
  ASSERT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(out.data<uint32_t>()[1], 0xE3069283u);

  // COPY 1000 bytes from x+3 to y+5.
  for (int i = 0; i < 1000; ++i) x.data()[3 + i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {x.handle(), y.handle()}, {3, 5, 1000}, &fence), 0);
  ASSERT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(std::memcmp(y.data() + 5, x.data() + 3, 1000), 0);
}

TEST_F(VnpuE2eTest, FencesTimeOutAndSignal) {
  StartWith("");
  uint64_t slow, quick;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_SPIN, {}, {300'000'000}, &slow), 0);  // 300 ms
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &quick), 0);
  std::vector<uint32_t> st;
  EXPECT_EQ(client_.Wait({slow}, 0, true, &st), -ETIME);  // a poll
  EXPECT_EQ(st[0], uint32_t{VNPU_JOB_PENDING});
  EXPECT_EQ(client_.Wait({slow}, 20'000'000, true, &st), -ETIME);  // 20 ms
  uint32_t first = 99;
  // Any: the NOP (second engine) ends long before the spin.
  EXPECT_EQ(client_.Wait({slow, quick}, 10'000'000'000ll, false, &st, &first), 0);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(client_.Wait({slow, quick}, -1, true, &st), 0);  // all, no timeout
  EXPECT_EQ(st[0], uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(st[1], uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(client_.Wait({quick + 100}, 0, true), -EINVAL);  // never issued
  EXPECT_EQ(client_.Wait({0}, 0, true), -EINVAL);
}

TEST_F(VnpuE2eTest, HandlesBelongToTheirFile) {
  StartWith("");
  VnpuClient other;
  ASSERT_EQ(other.Open(), 0);
  uint32_t bo, other_q;
  ASSERT_EQ(client_.BoCreate(4096, &bo), 0);
  ASSERT_EQ(other.CmdqCreate(VNPU_PRIORITY_NORMAL, &other_q), 0);
  uint64_t fence;
  ASSERT_EQ(client_.Submit(cmdq_, VNPU_OP_NOP, {}, {}, &fence), 0);
  vnpu_bo_info info;
  EXPECT_EQ(other.BoInfo(bo, &info), -ENOENT);
  EXPECT_EQ(other.BoDestroy(bo), -ENOENT);
  EXPECT_EQ(other.Submit(other_q, VNPU_OP_COPY, {bo, bo}, {0, 0, 16}, nullptr), -ENOENT);
  EXPECT_EQ(other.Submit(cmdq_ + 100, VNPU_OP_NOP, {}, {}, nullptr), -ENOENT);
  EXPECT_EQ(other.Wait({fence}, 0, true), -EINVAL);  // the fence is the first file's
  EXPECT_EQ(client_.Finish(fence), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(client_.BoInfo(bo, &info), 0);
  EXPECT_EQ(info.offset, uint64_t{bo} << 32);
}

TEST_F(VnpuE2eTest, MemoryLimitIsEnforcedAndAccounted) {
  StartWith("memory=8M");
  uint32_t a, b, c;
  ASSERT_EQ(client_.BoCreate(4 << 20, &a), 0);
  ASSERT_EQ(client_.BoCreate(4 << 20, &b), 0);
  EXPECT_EQ(client_.BoCreate(1, &c), -ENOMEM);
  EXPECT_EQ(client_.Param(VNPU_PARAM_MEMORY_USED), 8u << 20);
  // Another file shares the device's memory.
  VnpuClient other;
  ASSERT_EQ(other.Open(), 0);
  EXPECT_EQ(other.BoCreate(4096, &c), -ENOMEM);
  ASSERT_EQ(client_.BoDestroy(a), 0);
  EXPECT_EQ(other.BoCreate(4096, &c), 0);
  EXPECT_EQ(client_.Param(VNPU_PARAM_MEMORY_USED), (4u << 20) + 4096);
  EXPECT_EQ(client_.BoCreate(0, &c), -EINVAL);
  EXPECT_EQ(client_.BoCreate(1ull << 40, &c), -EINVAL);  // past MAX_BO_SIZE
}

TEST_F(VnpuE2eTest, BadSubmissionsAreRefusedWithTheKernelsErrnos) {
  StartWith("");
  MappedBo small;
  ASSERT_EQ(small.Create(client_, 4096), 0);
  const uint32_t h = small.handle();
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_COUNT, {}, {}, nullptr), -EINVAL);         // opcode
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {h}, {0, 0, 1}, nullptr), -EINVAL);  // bo count
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {h, h}, {0, 4000, 200}, nullptr), -ERANGE);
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_COPY, {h, h}, {~0ull, 0, 2}, nullptr), -ERANGE);
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_AXPY, {h, h}, {1, 0, 2, 0}, nullptr), -EINVAL);  // align
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_GEMM, {h, h, h}, {0, 1, 1, 0, 0, 0, 0}, nullptr),
            -EINVAL);
  EXPECT_EQ(client_.Submit(cmdq_, VNPU_OP_GEMM, {h, h, h}, {64, 64, 64, 0, 0, 0, 0}, nullptr),
            -ERANGE);  // 16 KiB per matrix in a 4 KiB BO
  // The generic size rules: a struct smaller than the first version is -EINVAL, an unknown
  // driver command -ENOTTY.
  vnpu_submit s{};
  EXPECT_EQ(accel_ioctl(client_.handle(), _IOC(_IOC_READ | _IOC_WRITE, 'd', 0x47, 8), &s), -EINVAL);
  EXPECT_EQ(accel_ioctl(client_.handle(), _IOWR('d', 0x5f, vnpu_submit), &s), -ENOTTY);
  // Over the socket BO_EXPORT works; nothing above leaked a job.
  EXPECT_EQ(client_.Param(VNPU_PARAM_MEMORY_USED), 4096u);
}

TEST_F(VnpuE2eTest, PriorityHighNeedsRoot) {
  StartWith("");
  uint32_t q;
  EXPECT_EQ(client_.CmdqCreate(VNPU_PRIORITY_HIGH, &q), geteuid() == 0 ? 0 : -EACCES);
  EXPECT_EQ(client_.CmdqCreate(7, &q), -EINVAL);
}

}  // namespace
}  // namespace accel::testing
