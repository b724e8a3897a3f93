// Tests of MinorAllocator: every state transition and edge, then readers racing writers.
#include "core/minor_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <thread>
#include <vector>

namespace accel {
namespace {

struct Obj {
  explicit Obj(uint32_t i) : id(i) {}
  std::atomic<uint32_t> id;
  std::atomic<bool> dead{false};
};

TEST(MinorAllocatorTest, AllocReservesLowestFreeIndexFromZero) {
  MinorAllocator<Obj> a;
  EXPECT_EQ(*a.Alloc(), 0u);
  EXPECT_EQ(*a.Alloc(), 1u);
  EXPECT_EQ(*a.Alloc(), 2u);
}

TEST(MinorAllocatorTest, ReservedSlotReadsAsEmptyAndIsNotHandedOutAgain) {
  MinorAllocator<Obj> a;
  uint32_t id = *a.Alloc();
  {
    RcuReadLock g;
    EXPECT_EQ(a.Load(id), nullptr);
  }
  EXPECT_TRUE(a.IsAllocated(id));
  EXPECT_NE(*a.Alloc(), id);
}

TEST(MinorAllocatorTest, StorePublishesAtReservedIndex) {
  MinorAllocator<Obj> a;
  Obj o(7);
  uint32_t id = *a.Alloc();
  ASSERT_TRUE(a.Store(id, &o).ok());
  RcuReadLock g;
  EXPECT_EQ(a.Load(id), &o);
}

TEST(MinorAllocatorTest, StoreToNeverReservedIndexIsEinval) {
  MinorAllocator<Obj> a;
  Obj o(1);
  Result<void> rc = a.Store(5, &o);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.error(), -EINVAL);
  RcuReadLock g;
  EXPECT_EQ(a.Load(5), nullptr);
}

TEST(MinorAllocatorTest, StoreOutOfRangeIsEinval) {
  MinorAllocator<Obj> a(4);
  Obj o(1);
  EXPECT_EQ(a.Store(4, &o).error(), -EINVAL);
  EXPECT_EQ(a.Store(UINT32_MAX, &o).error(), -EINVAL);
}

TEST(MinorAllocatorTest, StoreNullTurnsPublishedBackIntoReserved) {
  MinorAllocator<Obj> a;
  Obj o(1);
  uint32_t id = *a.Alloc();
  ASSERT_TRUE(a.Store(id, &o).ok());
  ASSERT_TRUE(a.Store(id, nullptr).ok());
  EXPECT_TRUE(a.IsAllocated(id));
  {
    RcuReadLock g;
    EXPECT_EQ(a.Load(id), nullptr);
  }
  ASSERT_TRUE(a.Store(id, &o).ok());  // still reserved: may publish again
}

TEST(MinorAllocatorTest, StoreReplacesPublishedPointer) {
  MinorAllocator<Obj> a;
  Obj o1(1), o2(2);
  uint32_t id = *a.Alloc();
  ASSERT_TRUE(a.Store(id, &o1).ok());
  ASSERT_TRUE(a.Store(id, &o2).ok());
  RcuReadLock g;
  EXPECT_EQ(a.Load(id), &o2);
}

TEST(MinorAllocatorTest, EraseFreesIndexAndReturnsPointer) {
  MinorAllocator<Obj> a;
  Obj o(1);
  uint32_t id = *a.Alloc();
  ASSERT_TRUE(a.Store(id, &o).ok());
  Result<Obj*> old = a.Erase(id);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, &o);
  EXPECT_FALSE(a.IsAllocated(id));
  EXPECT_EQ(a.Store(id, &o).error(), -EINVAL);  // freed: no longer reserved
  EXPECT_EQ(*a.Alloc(), id);                    // lowest free again
}

TEST(MinorAllocatorTest, EraseOfReservedOnlyReturnsNull) {
  MinorAllocator<Obj> a;
  uint32_t id = *a.Alloc();
  Result<Obj*> old = a.Erase(id);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(*old, nullptr);
}

TEST(MinorAllocatorTest, EraseOfFreeIndexIsEinval) {
  MinorAllocator<Obj> a;
  EXPECT_EQ(a.Erase(3).error(), -EINVAL);
  EXPECT_EQ(a.Erase(1000).error(), -EINVAL);
}

TEST(MinorAllocatorTest, FullIsEnospcAndEraseMakesRoom) {
  MinorAllocator<Obj> a;  // the accel limit: 256 minors
  for (uint32_t i = 0; i < 256; ++i) ASSERT_EQ(*a.Alloc(), i);
  Result<uint32_t> full = a.Alloc();
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error(), -ENOSPC);
  ASSERT_TRUE(a.Erase(130).ok());
  EXPECT_EQ(*a.Alloc(), 130u);
  EXPECT_EQ(a.Alloc().error(), -ENOSPC);
}

TEST(MinorAllocatorTest, LimitThatIsNotAMultipleOf64IsRespected) {
  MinorAllocator<Obj> a(3);
  EXPECT_EQ(*a.Alloc(), 0u);
  EXPECT_EQ(*a.Alloc(), 1u);
  EXPECT_EQ(*a.Alloc(), 2u);
  EXPECT_EQ(a.Alloc().error(), -ENOSPC);
}

TEST(MinorAllocatorTest, LoadOutOfRangeIsNull) {
  MinorAllocator<Obj> a(8);
  RcuReadLock g;
  EXPECT_EQ(a.Load(8), nullptr);
  EXPECT_EQ(a.Load(UINT32_MAX), nullptr);
}

TEST(MinorAllocatorTest, FreedSlotIsReusedLowestFirst) {
  MinorAllocator<Obj> a;
  for (int i = 0; i < 5; ++i) (void)a.Alloc();
  ASSERT_TRUE(a.Erase(3).ok());
  ASSERT_TRUE(a.Erase(1).ok());
  EXPECT_EQ(*a.Alloc(), 1u);
  EXPECT_EQ(*a.Alloc(), 3u);
  EXPECT_EQ(*a.Alloc(), 5u);
}

// Readers look up every index while writers reserve, publish, unpublish and erase. A reader
// must only ever see a live object whose id matches its index; writers free an object right
// after Erase() returns, so a missing grace period shows up as a use-after-free (ASan/TSan)
// or as a dead object being observed.
TEST(MinorAllocatorStressTest, LookupsDuringReserveStoreErase) {
  constexpr uint32_t kLimit = 32;
  MinorAllocator<Obj> a(kLimit);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> seen{0};
  std::atomic<uint64_t> bad{0};

  auto reader = [&] {
    while (!stop.load(std::memory_order_relaxed)) {
      for (uint32_t i = 0; i < kLimit; ++i) {
        RcuReadLock g;
        Obj* o = a.Load(i);
        if (o == nullptr) continue;
        if (o->dead.load() || o->id.load() != i) bad++;
        seen++;
      }
    }
  };
  auto writer = [&](int rounds) {
    for (int r = 0; r < rounds; ++r) {
      Result<uint32_t> id = a.Alloc();
      if (!id) continue;
      auto* o = new Obj(*id);
      if (!a.Store(*id, o).ok()) bad++;
      if (r % 3 == 0) {
        Result<void> un = a.Store(*id, nullptr);  // back to reserved; waits for readers
        if (!un.ok()) bad++;
        o->dead = true;
        delete o;
        o = nullptr;
      }
      Result<Obj*> old = a.Erase(*id);
      if (!old.ok() || *old != o) bad++;
      if (o) {
        o->dead = true;  // readers that still held it would see this (they must not)
        delete o;
      }
    }
  };

  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(reader);
  std::thread w1(writer, 2000), w2(writer, 2000);
  w1.join();
  w2.join();
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0u);
  for (uint32_t i = 0; i < kLimit; ++i) EXPECT_FALSE(a.IsAllocated(i));
}

}  // namespace
}  // namespace accel
