// Tests of the RCU domain: Synchronize waits for readers that started before it, not after.
#include "core/rcu.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace accel {
namespace {

TEST(RcuTest, SynchronizeWithNoReadersReturns) {
  Rcu::Synchronize();
}

TEST(RcuTest, SynchronizeWaitsForAReaderInItsSection) {
  std::atomic<bool> in_section{false}, release{false}, synced{false};
  std::thread reader([&] {
    RcuReadLock g;
    in_section = true;
    while (!release) std::this_thread::yield();
  });
  while (!in_section) std::this_thread::yield();
  std::thread writer([&] {
    Rcu::Synchronize();
    synced = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(synced.load());  // the reader is still inside
  release = true;
  reader.join();
  writer.join();
  EXPECT_TRUE(synced.load());
}

TEST(RcuTest, NestedSectionsEndAtTheOutermost) {
  std::atomic<bool> inner_done{false}, release{false}, synced{false};
  std::thread reader([&] {
    RcuReadLock outer;
    { RcuReadLock inner; }
    inner_done = true;
    while (!release) std::this_thread::yield();
  });
  while (!inner_done) std::this_thread::yield();
  std::thread writer([&] {
    Rcu::Synchronize();
    synced = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(synced.load());
  release = true;
  reader.join();
  writer.join();
  EXPECT_TRUE(synced.load());
}

TEST(RcuTest, ThreadsComingAndGoingDoNotBlockSynchronize) {
  for (int i = 0; i < 50; ++i) {
    std::thread t([] { RcuReadLock g; });
    t.join();
  }
  Rcu::Synchronize();
}

}  // namespace
}  // namespace accel
