// Tests of FdMemoryBudget against the real kernel: memfds are charged at their sealed size to
// the uid they go to, until the kernel frees the inode (every descriptor and mapping gone, as
// inotify's IN_DELETE_SELF says), which is what lets a kept memfd count (issue 12 A6).
#include "transport/socket/fd_memory_budget.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace accel::transport {
namespace {

constexpr uint32_t kUser = 1000;
constexpr uint64_t kMiB = uint64_t{1} << 20;

// A memfd of `size` bytes, sealed against growth unless `sealed` is false.
int Memfd(uint64_t size, bool sealed = true) {
  const int fd = memfd_create("budget-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
  if (sealed) {
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK), 0);
  }
  return fd;
}

template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 500 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(FdMemoryBudget, AKeptMemfdCountsUntilItsLastMappingGoes) {
  FdMemoryBudget budget(2 * kMiB);
  const int a = Memfd(kMiB);
  const int b = Memfd(kMiB);
  const int c = Memfd(kMiB);
  ASSERT_EQ(budget.Charge(kUser, a), 0);
  ASSERT_EQ(budget.Charge(kUser, a), 0);  // the same memfd again: charged once
  ASSERT_EQ(budget.Charge(kUser, b), 0);
  EXPECT_EQ(budget.charged(kUser), 2 * kMiB);
  EXPECT_EQ(budget.Charge(kUser, c), -EDQUOT);
  EXPECT_EQ(budget.Charge(kUser + 1, c), 0);  // another user's budget is its own

  // Closing the descriptor is not enough while a mapping keeps the pages.
  void* map = mmap(nullptr, kMiB, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
  ASSERT_NE(map, MAP_FAILED);
  close(a);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(budget.charged(kUser), 2 * kMiB);
  munmap(map, kMiB);
  ASSERT_TRUE(Eventually([&] { return budget.charged(kUser) == kMiB; }));
  const int d = Memfd(kMiB);
  EXPECT_EQ(budget.Charge(kUser, d), 0);
  for (int fd : {b, c, d}) close(fd);
  EXPECT_TRUE(Eventually([&] { return budget.charged(kUser) == 0; }));
  EXPECT_EQ(budget.charged(kUser + 1), 0u);
}

TEST(FdMemoryBudget, WhatIsNotChargeable) {
  FdMemoryBudget budget(kMiB);
  const int growable = Memfd(4096, /*sealed=*/false);
  EXPECT_EQ(budget.Charge(kUser, growable), -EINVAL);  // its size could change under the charge
  const int ev = eventfd(0, EFD_CLOEXEC);
  EXPECT_EQ(budget.Charge(kUser, ev), 0);  // not memory
  const int big = Memfd(8 * kMiB);
  EXPECT_EQ(budget.Charge(0, big), 0);  // root is not charged
  EXPECT_EQ(budget.charged(0), 0u);
  EXPECT_EQ(budget.charged(kUser), 0u);
  EXPECT_EQ(budget.Charge(kUser, -1), -EBADF);
  for (int fd : {growable, ev, big}) close(fd);
}

}  // namespace
}  // namespace accel::transport
