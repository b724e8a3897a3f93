// device_memory_test.cc - DeviceMemory: first-fit allocation, merging of freed neighbours, the
// size limit, and poisoned pages (retired at once when free, after Free when in use).
#include "drivers/vnpu/device_memory.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>
#include <vector>

namespace accel::vnpu {
namespace {

constexpr uint64_t kBase = DeviceMemory::kBase;
constexpr uint64_t kPages = 16;

uint64_t Page(uint64_t i) {
  return kBase + i * kPageSize;
}

// Allocates single pages until the memory says no; returns their addresses.
std::vector<uint64_t> DrainPages(DeviceMemory& mem) {
  std::vector<uint64_t> pages;
  for (;;) {
    Result<uint64_t> a = mem.Allocate(kPageSize);
    if (!a) {
      EXPECT_EQ(a.error(), -ENOMEM);
      return pages;
    }
    pages.push_back(*a);
  }
}

TEST(VnpuDeviceMemoryTest, SizeIsRoundedDownToPages) {
  DeviceMemory mem(kPages * kPageSize + 100);
  EXPECT_EQ(mem.size(), kPages * kPageSize);
  EXPECT_EQ(mem.used(), 0u);
  EXPECT_TRUE(mem.Contains(kBase));
  EXPECT_TRUE(mem.Contains(Page(kPages) - 1));
  EXPECT_FALSE(mem.Contains(Page(kPages)));
  EXPECT_FALSE(mem.Contains(kBase - 1));
  EXPECT_FALSE(mem.Contains(0));  // address 0 never names memory
}

TEST(VnpuDeviceMemoryTest, RefusesEmptyAndUnalignedSizes) {
  DeviceMemory mem(kPages * kPageSize);
  EXPECT_EQ(mem.Allocate(0).error(), -EINVAL);
  EXPECT_EQ(mem.Allocate(100).error(), -EINVAL);
  EXPECT_EQ(mem.Allocate(kPageSize + 1).error(), -EINVAL);
  EXPECT_EQ(mem.used(), 0u);
}

TEST(VnpuDeviceMemoryTest, FirstFitReusesTheLowestHoleThatIsLargeEnough) {
  DeviceMemory mem(kPages * kPageSize);
  const uint64_t a = *mem.Allocate(kPageSize);
  const uint64_t b = *mem.Allocate(2 * kPageSize);
  const uint64_t c = *mem.Allocate(kPageSize);
  EXPECT_EQ(a, Page(0));
  EXPECT_EQ(b, Page(1));
  EXPECT_EQ(c, Page(3));
  EXPECT_EQ(mem.used(), 4 * kPageSize);

  mem.Free(b, 2 * kPageSize);                        // a two-page hole at page 1
  EXPECT_EQ(*mem.Allocate(kPageSize), Page(1));      // first fit: the hole, not the tail
  EXPECT_EQ(*mem.Allocate(3 * kPageSize), Page(4));  // one page left in the hole: too small
  EXPECT_EQ(*mem.Allocate(kPageSize), Page(2));      // ... but enough for one page
  EXPECT_EQ(mem.used(), 7 * kPageSize);
}

TEST(VnpuDeviceMemoryTest, FreedNeighboursMergeIntoOneRange) {
  DeviceMemory mem(4 * kPageSize);
  const uint64_t a = *mem.Allocate(kPageSize);
  const uint64_t b = *mem.Allocate(kPageSize);
  const uint64_t c = *mem.Allocate(kPageSize);
  const uint64_t d = *mem.Allocate(kPageSize);
  // Freed out of order: b then d have no free neighbour, c merges with both, a with the rest.
  mem.Free(b, kPageSize);
  mem.Free(d, kPageSize);
  EXPECT_EQ(mem.Allocate(2 * kPageSize).error(), -ENOMEM);  // two single pages, not adjacent
  mem.Free(c, kPageSize);
  mem.Free(a, kPageSize);
  EXPECT_EQ(mem.used(), 0u);
  // Only a fully merged free list has one range of the whole size.
  EXPECT_EQ(*mem.Allocate(4 * kPageSize), Page(0));
}

TEST(VnpuDeviceMemoryTest, TheLimitIsENOMEM) {
  DeviceMemory mem(kPages * kPageSize);
  EXPECT_EQ(mem.Allocate((kPages + 1) * kPageSize).error(), -ENOMEM);
  EXPECT_EQ(*mem.Allocate(kPages * kPageSize), kBase);
  EXPECT_EQ(mem.used(), mem.size());
  EXPECT_EQ(mem.Allocate(kPageSize).error(), -ENOMEM);
  mem.Free(kBase, kPages * kPageSize);
  EXPECT_EQ(DrainPages(mem).size(), kPages);
}

TEST(VnpuDeviceMemoryTest, FragmentationIsENOMEMToo) {
  DeviceMemory mem(4 * kPageSize);
  std::vector<uint64_t> pages = DrainPages(mem);
  ASSERT_EQ(pages.size(), 4u);
  mem.Free(pages[0], kPageSize);
  mem.Free(pages[2], kPageSize);
  EXPECT_EQ(mem.used(), 2 * kPageSize);
  EXPECT_EQ(mem.Allocate(2 * kPageSize).error(), -ENOMEM);  // room, but not in one piece
}

TEST(VnpuDeviceMemoryTest, AFreePoisonedPageIsRetiredAtOnce) {
  DeviceMemory mem(kPages * kPageSize);
  ASSERT_TRUE(mem.Poison(Page(5) + 7));  // any byte names its page
  EXPECT_EQ(mem.poisoned_pages(), 1u);
  EXPECT_TRUE(mem.IsPoisoned(Page(5), kPageSize));
  // No range of the whole size exists any more, and no single page is the poisoned one.
  EXPECT_EQ(mem.Allocate(kPages * kPageSize).error(), -ENOMEM);
  const std::vector<uint64_t> pages = DrainPages(mem);
  EXPECT_EQ(pages.size(), kPages - 1);
  for (uint64_t p : pages) EXPECT_NE(p, Page(5));
}

TEST(VnpuDeviceMemoryTest, AUsedPoisonedPageIsNeverHandedOutAgainAfterFree) {
  DeviceMemory mem(kPages * kPageSize);
  const uint64_t bo = *mem.Allocate(4 * kPageSize);
  ASSERT_TRUE(mem.Poison(bo + kPageSize + 100));
  EXPECT_TRUE(mem.IsPoisoned(bo, 4 * kPageSize));
  EXPECT_FALSE(mem.IsPoisoned(bo, kPageSize));
  mem.Free(bo, 4 * kPageSize);
  EXPECT_EQ(mem.used(), 0u);
  const std::vector<uint64_t> pages = DrainPages(mem);
  EXPECT_EQ(pages.size(), kPages - 1);
  const std::set<uint64_t> handed(pages.begin(), pages.end());
  EXPECT_EQ(handed.count(bo + kPageSize), 0u);
  // The pages around it came back (the free ranges on both sides of the retired page).
  EXPECT_EQ(handed.count(bo), 1u);
  EXPECT_EQ(handed.count(bo + 2 * kPageSize), 1u);
}

TEST(VnpuDeviceMemoryTest, PoisoningTwiceOrOutsideTheDevice) {
  DeviceMemory mem(kPages * kPageSize);
  EXPECT_FALSE(mem.Poison(0));
  EXPECT_FALSE(mem.Poison(kBase - 1));
  EXPECT_FALSE(mem.Poison(Page(kPages)));
  EXPECT_EQ(mem.poisoned_pages(), 0u);
  EXPECT_TRUE(mem.Poison(Page(2)));
  EXPECT_TRUE(mem.Poison(Page(2) + kPageSize - 1));
  EXPECT_EQ(mem.poisoned_pages(), 1u);
  EXPECT_EQ(DrainPages(mem).size(), kPages - 1);
}

TEST(VnpuDeviceMemoryTest, FirstPoisonedNamesTheLowestPoisonedPageInTheRange) {
  DeviceMemory mem(kPages * kPageSize);
  ASSERT_TRUE(mem.Poison(Page(3)));
  ASSERT_TRUE(mem.Poison(Page(7) + 1));
  uint64_t page = 0;
  EXPECT_TRUE(mem.FirstPoisoned(kBase, kPages * kPageSize, &page));
  EXPECT_EQ(page, Page(3));
  EXPECT_TRUE(mem.FirstPoisoned(Page(4), 4 * kPageSize, &page));
  EXPECT_EQ(page, Page(7));
  EXPECT_FALSE(mem.FirstPoisoned(Page(4), 3 * kPageSize, &page));  // pages 4..6
  // A range starting inside a poisoned page, and one ending right before it.
  EXPECT_TRUE(mem.FirstPoisoned(Page(3) + 100, 1, &page));
  EXPECT_EQ(page, Page(3));
  EXPECT_FALSE(mem.FirstPoisoned(Page(6), kPageSize, &page));
  EXPECT_TRUE(mem.FirstPoisoned(Page(6), kPageSize + 1, nullptr));
  EXPECT_FALSE(mem.FirstPoisoned(Page(3), 0, &page));  // an empty range touches nothing
  EXPECT_FALSE(mem.FirstPoisoned(Page(8), 8 * kPageSize, &page));
}

}  // namespace
}  // namespace accel::vnpu
