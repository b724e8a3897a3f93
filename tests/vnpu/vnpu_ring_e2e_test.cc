// vnpu_ring_e2e_test.cc - the user-mode submission ring through libaccel against a real acceld:
// jobs and NOPs, refused entries, concurrent producers (every job completes exactly once), in
// polling and doorbell mode; and what the FUSE node cannot do.
#include <accel/libaccel.h>
#include <accel/libaccel_vnpu.h>
#include <gtest/gtest.h>
#include <uapi/accel/vnpu.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "vnpu_client.h"

namespace accel::testing {
namespace {

class VnpuRingTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.Start({"--load", "vnpu heartbeat_timeout_ms=20000", "--no-fuse"}))
        << daemon_.log();
    ASSERT_EQ(client_.Open(), 0);
    ASSERT_EQ(client_.CmdqCreate(VNPU_PRIORITY_NORMAL, &cmdq_), 0);
    ASSERT_EQ(accel_vnpu_ring_create(client_.handle(), cmdq_, 64, GetParam(), &ring_), 0);
  }
  void TearDown() override {
    if (ring_) {
      EXPECT_EQ(accel_vnpu_ring_destroy(ring_), 0);
    }
  }
  // Reaps until `n` completions arrived (or 30 s passed).
  std::vector<vnpu_ring_cqe> ReapAll(size_t n) {
    std::vector<vnpu_ring_cqe> got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
      vnpu_ring_cqe batch[32];
      int k = accel_vnpu_ring_reap(ring_, batch, 32);
      EXPECT_GE(k, 0);
      if (k <= 0) {
        accel_vnpu_ring_wait(ring_, 100);
        continue;
      }
      got.insert(got.end(), batch, batch + k);
    }
    return got;
  }

  AcceldProcess daemon_;
  VnpuClient client_;
  uint32_t cmdq_ = 0;
  accel_vnpu_ring* ring_ = nullptr;
};

TEST_P(VnpuRingTest, RunsJobsAndNopsAndRefusesBadEntries) {
  MappedBo src, dst;
  ASSERT_EQ(src.Create(client_, 4096), 0);
  ASSERT_EQ(dst.Create(client_, 4096), 0);
  for (int i = 0; i < 4096; ++i) src.data()[i] = static_cast<uint8_t>(i ^ 0x3c);
  std::vector<vnpu_ring_sqe> sqes(3);
  sqes[0].opcode = VNPU_OP_NOP;
  sqes[0].user_data = 1;
  sqes[1].opcode = VNPU_OP_COPY;
  sqes[1].num_bos = 2;
  sqes[1].bo_handles[0] = src.handle();
  sqes[1].bo_handles[1] = dst.handle();
  sqes[1].params[2] = 4096;
  sqes[1].user_data = 2;
  sqes[2].opcode = VNPU_OP_GEMM;  // no BOs: refused with SUBMIT's errno
  sqes[2].user_data = 3;
  ASSERT_EQ(accel_vnpu_ring_submit(ring_, sqes.data(), 3), 3);
  std::vector<vnpu_ring_cqe> got = ReapAll(3);
  ASSERT_EQ(got.size(), 3u);
  for (const vnpu_ring_cqe& c : got) {
    if (c.user_data == 3) {
      EXPECT_EQ(c.result, -EINVAL);
      EXPECT_EQ(c.fence, 0u);
    } else {
      EXPECT_EQ(c.result, 0);
      EXPECT_EQ(c.status, uint32_t{VNPU_JOB_SUCCESS});
      EXPECT_NE(c.fence, 0u);
      // Ring jobs have ordinary fences: WAIT knows them.
      EXPECT_EQ(client_.Finish(c.fence), uint32_t{VNPU_JOB_SUCCESS});
    }
  }
  EXPECT_EQ(std::memcmp(src.data(), dst.data(), 4096), 0);
}

TEST_P(VnpuRingTest, ConcurrentProducersEveryJobCompletesExactlyOnce) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 5000;
  MappedBo bo;
  ASSERT_EQ(bo.Create(client_, 8192), 0);
  std::atomic<bool> failed{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer && !failed;) {
        vnpu_ring_sqe sqe{};
        // Every 50th a real job (through the engines), the rest NOPs (on the ring thread).
        if (i % 50 == 0) {
          sqe.opcode = VNPU_OP_COPY;
          sqe.num_bos = 2;
          sqe.bo_handles[0] = sqe.bo_handles[1] = bo.handle();
          sqe.params[0] = 0;
          sqe.params[1] = 4096;
          sqe.params[2] = 64;
        }
        sqe.user_data = (uint64_t(p) << 32) | uint64_t(i);
        int n = accel_vnpu_ring_submit(ring_, &sqe, 1);
        if (n < 0) failed = true;
        if (n == 1)
          ++i;
        else
          std::this_thread::yield();  // full: the reaper catches up
      }
    });
  }
  std::vector<vnpu_ring_cqe> got = ReapAll(kProducers * kPerProducer);
  for (auto& t : producers) t.join();
  ASSERT_FALSE(failed);
  ASSERT_EQ(got.size(), size_t{kProducers * kPerProducer});
  std::vector<std::vector<int>> seen(kProducers, std::vector<int>(kPerProducer, 0));
  for (const vnpu_ring_cqe& c : got) {
    ASSERT_EQ(c.result, 0);
    ASSERT_EQ(c.status, uint32_t{VNPU_JOB_SUCCESS});
    const uint32_t p = static_cast<uint32_t>(c.user_data >> 32),
                   i = static_cast<uint32_t>(c.user_data);
    ASSERT_LT(p, uint32_t{kProducers});
    ASSERT_LT(i, uint32_t{kPerProducer});
    seen[p][i]++;
  }
  for (int p = 0; p < kProducers; ++p)
    for (int i = 0; i < kPerProducer; ++i) ASSERT_EQ(seen[p][i], 1) << p << "/" << i;
  vnpu_ring_cqe extra;
  EXPECT_EQ(accel_vnpu_ring_reap(ring_, &extra, 1), 0);  // nothing twice
}

INSTANTIATE_TEST_SUITE_P(Modes, VnpuRingTest, ::testing::Values(0u, uint32_t{VNPU_RING_POLL}),
                         [](const ::testing::TestParamInfo<uint32_t>& i) {
                           return i.param ? std::string("Poll") : std::string("Doorbell");
                         });

TEST(VnpuRingCreate, BadArgumentsAndTheFuseNode) {
  AcceldProcess daemon;
  ASSERT_TRUE(daemon.Start({"--load", "vnpu heartbeat_timeout_ms=20000"})) << daemon.log();
  VnpuClient sock;
  ASSERT_EQ(sock.Open(), 0);
  uint32_t q;
  ASSERT_EQ(sock.CmdqCreate(VNPU_PRIORITY_NORMAL, &q), 0);
  accel_vnpu_ring* r = nullptr;
  EXPECT_EQ(accel_vnpu_ring_create(sock.handle(), q, 3, 0, &r), -EINVAL);  // not a power of 2
  EXPECT_EQ(accel_vnpu_ring_create(sock.handle(), q, 8192, 0, &r), -EINVAL);
  EXPECT_EQ(accel_vnpu_ring_create(sock.handle(), q + 1, 8, 0, &r), -ENOENT);
  // Over the FUSE node there is no descriptor passing: the zero-copy features say so.
  const std::string node = daemon.runtime_dir() + "/dev/accel/accel0";
  for (int i = 0; i < 500 && access(node.c_str(), F_OK) != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  VnpuClient fuse;
  ASSERT_EQ(fuse.Open("accel0", ACCEL_TRANSPORT_NODE), 0);
  ASSERT_EQ(fuse.CmdqCreate(VNPU_PRIORITY_NORMAL, &q), 0);
  EXPECT_EQ(accel_vnpu_ring_create(fuse.handle(), q, 8, 0, &r), -EOPNOTSUPP);
  uint32_t bo;
  ASSERT_EQ(fuse.BoCreate(4096, &bo), 0);
  void* addr;
  uint64_t size;
  EXPECT_EQ(accel_vnpu_bo_map(fuse.handle(), bo, &addr, &size), -EOPNOTSUPP);
}

// Issue 12 A4: rings are bounded per user over all its files (VNPU_RING_MAX_PER_UID), not only
// per file (16): five files of one user get 64 rings between them, and a destroyed ring gives
// its place back.
TEST(VnpuRingCreate, RingsAreBoundedPerUserAcrossFiles) {
  AcceldProcess daemon;
  ASSERT_TRUE(daemon.Start({"--load", "vnpu heartbeat_timeout_ms=20000"})) << daemon.log();
  constexpr int kFiles = 5;
  VnpuClient files[kFiles];
  std::vector<accel_vnpu_ring*> rings;
  int refused = 0;
  for (VnpuClient& f : files) {
    ASSERT_EQ(f.Open(), 0);
    uint32_t q;
    ASSERT_EQ(f.CmdqCreate(VNPU_PRIORITY_NORMAL, &q), 0);
    for (int i = 0; i < 16; ++i) {
      accel_vnpu_ring* r = nullptr;
      const int rc = accel_vnpu_ring_create(f.handle(), q, 2, 0, &r);
      if (rc == 0) {
        rings.push_back(r);
      } else {
        EXPECT_EQ(rc, -ENOSPC);
        ++refused;
      }
    }
  }
  EXPECT_EQ(rings.size(), size_t{VNPU_RING_MAX_PER_UID});
  EXPECT_EQ(refused, kFiles * 16 - VNPU_RING_MAX_PER_UID);
  ASSERT_FALSE(rings.empty());
  accel_vnpu_ring_destroy(rings.back());
  rings.pop_back();
  uint32_t q;
  ASSERT_EQ(files[kFiles - 1].CmdqCreate(VNPU_PRIORITY_NORMAL, &q), 0);
  accel_vnpu_ring* again = nullptr;
  // The last file had room of its own (16 per file) once a place of the user's is free.
  int rc = -ENOSPC;
  for (int attempt = 0; attempt < 200 && rc == -ENOSPC; ++attempt) {
    rc = accel_vnpu_ring_create(files[kFiles - 1].handle(), q, 2, 0, &again);
    if (rc == -ENOSPC) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(rc, 0);
  if (rc == 0) rings.push_back(again);
  for (accel_vnpu_ring* r : rings) accel_vnpu_ring_destroy(r);
}

}  // namespace
}  // namespace accel::testing
