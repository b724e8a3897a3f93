// fence_table_test.cc - FenceTable: fences issued in order, their statuses, the window of
// kWindow fences, the in-flight cap, and what unknown fences are.
#include "drivers/vnpu/fence_table.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace accel::vnpu {
namespace {

TEST(VnpuFenceTableTest, IssueSignalStatus) {
  FenceTable t;
  EXPECT_EQ(*t.Issue(), 1u);
  EXPECT_EQ(*t.Issue(), 2u);
  EXPECT_EQ(t.in_flight(), 2u);
  EXPECT_EQ(*t.Status(1), uint32_t{VNPU_JOB_PENDING});
  t.Signal(1, VNPU_JOB_SUCCESS);
  EXPECT_EQ(*t.Status(1), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(*t.Status(2), uint32_t{VNPU_JOB_PENDING});
  EXPECT_EQ(t.in_flight(), 1u);
}

TEST(VnpuFenceTableTest, EveryEndStatusIsKept) {
  FenceTable t;
  const uint32_t statuses[] = {VNPU_JOB_SUCCESS, VNPU_JOB_ABORTED, VNPU_JOB_TIMED_OUT,
                               VNPU_JOB_MEMORY_ERROR};
  for (uint32_t s : statuses) t.Signal(*t.Issue(), s);
  for (uint64_t f = 1; f <= 4; ++f) EXPECT_EQ(*t.Status(f), statuses[f - 1]) << "fence " << f;
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST(VnpuFenceTableTest, UnknownFencesAreEINVAL) {
  FenceTable t;
  EXPECT_EQ(t.Status(0).error(), -EINVAL);
  EXPECT_EQ(t.Status(1).error(), -EINVAL);  // not issued yet
  ASSERT_EQ(*t.Issue(), 1u);
  EXPECT_EQ(t.Status(0).error(), -EINVAL);  // 0 is never a fence
  EXPECT_EQ(t.Status(2).error(), -EINVAL);
  EXPECT_EQ(t.Status(UINT64_MAX).error(), -EINVAL);
}

TEST(VnpuFenceTableTest, FencesOlderThanTheWindowAreUnknown) {
  FenceTable t;
  for (uint64_t i = 0; i < FenceTable::kWindow + 1; ++i) t.Signal(*t.Issue(), VNPU_JOB_SUCCESS);
  const uint64_t last = FenceTable::kWindow + 1;
  EXPECT_EQ(t.Status(1).error(), -EINVAL);              // fell out of the window
  EXPECT_EQ(*t.Status(2), uint32_t{VNPU_JOB_SUCCESS});  // the oldest one kept
  EXPECT_EQ(*t.Status(last), uint32_t{VNPU_JOB_SUCCESS});
  EXPECT_EQ(t.Status(last + 1).error(), -EINVAL);
}

TEST(VnpuFenceTableTest, InFlightCapIsEAGAIN) {
  FenceTable t;
  for (uint32_t i = 0; i < FenceTable::kMaxInFlight; ++i) ASSERT_TRUE(t.Issue()) << i;
  EXPECT_EQ(t.in_flight(), FenceTable::kMaxInFlight);
  EXPECT_EQ(t.Issue().error(), -EAGAIN);
  EXPECT_EQ(t.Issue().error(), -EAGAIN);  // a refusal does not use up a fence number
  t.Signal(7, VNPU_JOB_ABORTED);
  EXPECT_EQ(*t.Issue(), uint64_t{FenceTable::kMaxInFlight} + 1);
}

TEST(VnpuFenceTableTest, APendingSlotIsNeverReused) {
  FenceTable t;
  const uint64_t stuck = *t.Issue();  // a job that never ends
  for (uint64_t i = 1; i < FenceTable::kWindow; ++i) t.Signal(*t.Issue(), VNPU_JOB_SUCCESS);
  // The next fence would take the stuck fence's slot: refused rather than overwritten.
  EXPECT_EQ(t.Issue().error(), -EAGAIN);
  EXPECT_EQ(*t.Status(stuck), uint32_t{VNPU_JOB_PENDING});
  t.Signal(stuck, VNPU_JOB_SUCCESS);
  EXPECT_EQ(*t.Issue(), FenceTable::kWindow + 1);
}

}  // namespace
}  // namespace accel::vnpu
