// virtqueue_test.cc - both halves of a split virtqueue in one process: round trips, the 16-bit
// indices wrapping, two threads as driver and device, back-pressure, and each side refusing
// what a hostile other side wrote.
#include "drivers/vnpu/fwlink/virtqueue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "drivers/vnpu/fwlink/fw_protocol.h"
#include "drivers/vnpu/fwlink/shared_region.h"

namespace accel::vnpu::fwlink {
namespace {

// A region in ordinary memory (the queues neither know nor care), laid out for `num`.
// Public: the hostile-input tables below reach into the ring through plain function pointers.
class VirtqueueTest : public ::testing::Test {
 public:
  void Init(uint32_t num) {
    Result<RegionLayout> l = LayoutFor(num);
    ASSERT_TRUE(l);
    layout_ = *l;
    region_.assign(layout_.region_size, 0);
    InitRegion(region_, layout_);
  }
  // Buffer i of queue q, as the driver of FirmwareProcess assigns them.
  uint64_t BufferOf(int q, uint32_t i) const { return layout_.buffer_offset(q * layout_.num + i); }
  uint8_t* Ring(int q) { return region_.data() + layout_.vring_offset[q]; }
  VringDesc* Desc(int q, uint32_t i) {
    return reinterpret_cast<VringDesc*>(Ring(q) + VringLayout::For(layout_.num).desc) + i;
  }
  uint16_t* AvailIdx(int q) {
    return reinterpret_cast<uint16_t*>(Ring(q) + VringLayout::For(layout_.num).avail + 2);
  }
  uint16_t* AvailRing(int q) {
    return reinterpret_cast<uint16_t*>(Ring(q) + VringLayout::For(layout_.num).avail + 4);
  }
  uint16_t* UsedIdx(int q) {
    return reinterpret_cast<uint16_t*>(Ring(q) + VringLayout::For(layout_.num).used + 2);
  }
  VringUsedElem* UsedRing(int q) {
    return reinterpret_cast<VringUsedElem*>(Ring(q) + VringLayout::For(layout_.num).used + 4);
  }

  RegionLayout layout_;
  std::vector<uint8_t> region_;
};

TEST_F(VirtqueueTest, BufferGoesRoundTrip) {
  Init(8);
  DriverQueue drv(region_, layout_, 0);
  DeviceQueue dev(region_, layout_, 0, /*device_writes=*/true);
  EXPECT_EQ(dev.GetAvail().error(), -EAGAIN);
  EXPECT_EQ(drv.GetUsed().error(), -EAGAIN);

  ASSERT_TRUE(drv.Add(3, BufferOf(0, 3), fw::kBufferSize, true));
  EXPECT_EQ(drv.in_flight(), 1u);
  Result<AvailBuffer> b = dev.GetAvail();
  ASSERT_TRUE(b) << b.error();
  EXPECT_EQ(b->head, 3);
  EXPECT_EQ(b->data.data(), region_.data() + BufferOf(0, 3));
  EXPECT_EQ(b->data.size(), fw::kBufferSize);
  std::memcpy(b->data.data(), "hello", 5);
  ASSERT_TRUE(dev.PutUsed(b->head, 5));

  Result<UsedBuffer> u = drv.GetUsed();
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->id, 3);
  EXPECT_EQ(u->len, 5u);
  EXPECT_EQ(std::memcmp(u->data.data(), "hello", 5), 0);
  EXPECT_EQ(drv.in_flight(), 0u);
  EXPECT_EQ(drv.GetUsed().error(), -EAGAIN);
  EXPECT_EQ(dev.GetAvail().error(), -EAGAIN);
}

TEST_F(VirtqueueTest, DriverRefusesBadAdds) {
  Init(4);
  DriverQueue drv(region_, layout_, 1);
  EXPECT_EQ(drv.Add(4, BufferOf(1, 0), 16, false).error(), -EINVAL);  // id out of range
  EXPECT_EQ(drv.Add(0, 0, 16, false).error(), -EINVAL);               // the header page
  EXPECT_EQ(drv.Add(0, layout_.pool_offset + layout_.pool_size - 8, 16, false).error(), -EINVAL);
  ASSERT_TRUE(drv.Add(0, BufferOf(1, 0), 16, false));
  EXPECT_EQ(drv.Add(0, BufferOf(1, 0), 16, false).error(), -EBUSY);  // already in flight
}

// 70000 round trips through 4 entries: both 16-bit indices wrap (more than once).
TEST_F(VirtqueueTest, IndicesWrapAround) {
  Init(4);
  DriverQueue drv(region_, layout_, 1);
  DeviceQueue dev(region_, layout_, 1, /*device_writes=*/false);
  std::vector<uint16_t> free_ids = {0, 1, 2, 3};
  uint32_t sent = 0, received = 0;
  while (received < 70'000) {
    while (!free_ids.empty() && sent < 70'000) {  // fill what is free
      const uint16_t id = free_ids.back();
      free_ids.pop_back();
      std::memcpy(region_.data() + BufferOf(1, id), &sent, sizeof(sent));
      ASSERT_TRUE(drv.Add(id, BufferOf(1, id), sizeof(sent), false));
      ++sent;
    }
    for (;;) {  // the device consumes in order
      Result<AvailBuffer> b = dev.GetAvail();
      if (!b) {
        ASSERT_EQ(b.error(), -EAGAIN);
        break;
      }
      uint32_t v;
      ASSERT_EQ(b->data.size(), sizeof(v));
      std::memcpy(&v, b->data.data(), sizeof(v));
      ASSERT_EQ(v, received) << "out of order";
      ++received;
      ASSERT_TRUE(dev.PutUsed(b->head, 0));
    }
    for (Result<UsedBuffer> u = drv.GetUsed(); u; u = drv.GetUsed()) free_ids.push_back(u->id);
  }
  EXPECT_EQ(free_ids.size(), 4u);
  EXPECT_EQ(*AvailIdx(1), static_cast<uint16_t>(70'000));
  EXPECT_EQ(*UsedIdx(1), static_cast<uint16_t>(70'000));
}

// Driver and device on two threads, messages both ways at once: the ring's acquire/release is
// all that orders the buffer contents (TSan checks it).
TEST_F(VirtqueueTest, TwoThreadsThousandsOfMessagesEachWay) {
  Init(16);
  constexpr uint32_t kMessages = 20'000;
  DriverQueue drv_tx(region_, layout_, 1), drv_rx(region_, layout_, 0);
  DeviceQueue dev_tx(region_, layout_, 1, false), dev_rx(region_, layout_, 0, true);
  std::atomic<bool> failed{false};

  std::thread device([&] {
    uint32_t got = 0, put = 0;
    while ((got < kMessages || put < kMessages) && !failed) {
      bool idle = true;
      if (got < kMessages) {  // driver -> device
        Result<AvailBuffer> b = dev_tx.GetAvail();
        if (b) {
          uint32_t v;
          std::memcpy(&v, b->data.data(), sizeof(v));
          if (v != got || !dev_tx.PutUsed(b->head, 0)) failed = true;
          ++got;
          idle = false;
        } else if (b.error() != -EAGAIN) {
          failed = true;
        }
      }
      if (put < kMessages) {  // device -> driver, into the driver's empty buffers
        Result<AvailBuffer> b = dev_rx.GetAvail();
        if (b) {
          std::memcpy(b->data.data(), &put, sizeof(put));
          if (!dev_rx.PutUsed(b->head, sizeof(put))) failed = true;
          ++put;
          idle = false;
        } else if (b.error() != -EAGAIN) {
          failed = true;
        }
      }
      if (idle) std::this_thread::yield();
    }
  });

  std::vector<uint16_t> tx_free;
  for (uint16_t i = 0; i < 16; ++i) {
    tx_free.push_back(i);
    ASSERT_TRUE(drv_rx.Add(i, BufferOf(0, i), fw::kBufferSize, true));
  }
  uint32_t sent = 0, received = 0;
  while ((sent < kMessages || received < kMessages) && !failed) {
    bool idle = true;
    for (Result<UsedBuffer> u = drv_tx.GetUsed(); u; u = drv_tx.GetUsed()) tx_free.push_back(u->id);
    if (sent < kMessages && !tx_free.empty()) {
      const uint16_t id = tx_free.back();
      tx_free.pop_back();
      std::memcpy(region_.data() + BufferOf(1, id), &sent, sizeof(sent));
      ASSERT_TRUE(drv_tx.Add(id, BufferOf(1, id), sizeof(sent), false));
      ++sent;
      idle = false;
    }
    Result<UsedBuffer> u = drv_rx.GetUsed();
    if (u) {
      uint32_t v;
      ASSERT_EQ(u->len, sizeof(v));
      std::memcpy(&v, u->data.data(), sizeof(v));
      ASSERT_EQ(v, received);
      ++received;
      ASSERT_TRUE(drv_rx.Add(u->id, BufferOf(0, u->id), fw::kBufferSize, true));  // requeue
      idle = false;
    } else {
      ASSERT_EQ(u.error(), -EAGAIN);
    }
    if (idle) std::this_thread::yield();
  }
  device.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(sent, kMessages);
  EXPECT_EQ(received, kMessages);
}

// A full ring pushes back: every id is in flight until the device gives one back.
TEST_F(VirtqueueTest, FullRingPushesBack) {
  Init(4);
  DriverQueue drv(region_, layout_, 1);
  DeviceQueue dev(region_, layout_, 1, false);
  for (uint16_t i = 0; i < 4; ++i) ASSERT_TRUE(drv.Add(i, BufferOf(1, i), 16, false));
  EXPECT_EQ(drv.in_flight(), 4u);
  for (uint16_t i = 0; i < 4; ++i) EXPECT_EQ(drv.Add(i, BufferOf(1, i), 16, false).error(), -EBUSY);

  Result<AvailBuffer> b = dev.GetAvail();
  ASSERT_TRUE(b);
  EXPECT_EQ(drv.GetUsed().error(), -EAGAIN);  // not given back yet
  ASSERT_TRUE(dev.PutUsed(b->head, 0));
  Result<UsedBuffer> u = drv.GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, b->head);
  EXPECT_TRUE(drv.Add(u->id, BufferOf(1, u->id), 16, false));
}

// Everything a driver could put in the ring to make the device touch memory it must not.
TEST_F(VirtqueueTest, DeviceRefusesHostileDescriptors) {
  struct Case {
    const char* what;
    void (*corrupt)(VirtqueueTest* t);
  };
  const Case cases[] = {
      {"addr in the header", [](VirtqueueTest* t) { t->Desc(0, 0)->addr = 0; }},
      {"addr in a vring",
       [](VirtqueueTest* t) { t->Desc(0, 0)->addr = t->layout_.vring_offset[1]; }},
      {"addr past the pool",
       [](VirtqueueTest* t) { t->Desc(0, 0)->addr = t->layout_.region_size; }},
      {"len past the pool",
       [](VirtqueueTest* t) {
         t->Desc(0, 0)->addr = t->BufferOf(1, t->layout_.num - 1);
         t->Desc(0, 0)->len = fw::kBufferSize + 1;
       }},
      {"addr + len overflows",
       [](VirtqueueTest* t) {
         t->Desc(0, 0)->addr = ~uint64_t{0} - 8;
         t->Desc(0, 0)->len = 64;
       }},
      {"chained", [](VirtqueueTest* t) { t->Desc(0, 0)->flags |= kDescFlagNext; }},
      {"indirect", [](VirtqueueTest* t) { t->Desc(0, 0)->flags |= kDescFlagIndirect; }},
      {"read-only rx buffer", [](VirtqueueTest* t) { t->Desc(0, 0)->flags &= ~kDescFlagWrite; }},
      {"head out of range", [](VirtqueueTest* t) { t->AvailRing(0)[0] = 4; }},
      {"head far out of range", [](VirtqueueTest* t) { t->AvailRing(0)[0] = 0xffff; }},
  };
  for (const Case& c : cases) {
    Init(4);
    DriverQueue drv(region_, layout_, 0);
    DeviceQueue dev(region_, layout_, 0, /*device_writes=*/true);
    ASSERT_TRUE(drv.Add(0, BufferOf(0, 0), fw::kBufferSize, true));
    c.corrupt(this);
    EXPECT_EQ(dev.GetAvail().error(), -EPROTO) << c.what;
  }

  // More entries published than the ring holds.
  Init(4);
  DeviceQueue dev(region_, layout_, 0, true);
  *AvailIdx(0) = 5;
  EXPECT_EQ(dev.GetAvail().error(), -EPROTO);
  // A device-writable tx buffer: the device must not mistake direction either.
  Init(4);
  DriverQueue drv(region_, layout_, 1);
  DeviceQueue dev_tx(region_, layout_, 1, /*device_writes=*/false);
  ASSERT_TRUE(drv.Add(0, BufferOf(1, 0), 16, /*device_writes=*/true));
  EXPECT_EQ(dev_tx.GetAvail().error(), -EPROTO);
}

// Everything a device could put in the used ring; the driver trusts only its own records.
TEST_F(VirtqueueTest, DriverRefusesHostileUsedEntries) {
  struct Case {
    const char* what;
    VringUsedElem elem;
    uint16_t used_idx;
  };
  const Case cases[] = {
      {"id not in flight", {1, 0}, 1},
      {"id out of range", {4, 0}, 1},
      {"id far out of range", {0xffffffff, 0}, 1},
      {"len beyond the buffer", {0, fw::kBufferSize + 1}, 1},
      {"more used than in flight", {0, 0}, 2},
      {"used idx wildly ahead", {0, 0}, 0x8000},
  };
  for (const Case& c : cases) {
    Init(4);
    DriverQueue drv(region_, layout_, 0);
    ASSERT_TRUE(drv.Add(0, BufferOf(0, 0), fw::kBufferSize, true));
    UsedRing(0)[0] = c.elem;
    *UsedIdx(0) = c.used_idx;
    EXPECT_EQ(drv.GetUsed().error(), -EPROTO) << c.what;
  }
}

TEST_F(VirtqueueTest, DriverNeverReadsItsDescriptorsBack) {
  Init(4);
  DriverQueue drv(region_, layout_, 0);
  DeviceQueue dev(region_, layout_, 0, true);
  ASSERT_TRUE(drv.Add(2, BufferOf(0, 2), 64, true));
  Result<AvailBuffer> b = dev.GetAvail();
  ASSERT_TRUE(b);
  // The device rewrites the descriptor before giving it back; the driver's view stays its own.
  Desc(0, 2)->addr = 0;
  Desc(0, 2)->len = 0xffffffff;
  ASSERT_TRUE(dev.PutUsed(b->head, 10));
  Result<UsedBuffer> u = drv.GetUsed();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->data.data(), region_.data() + BufferOf(0, 2));
  EXPECT_EQ(u->data.size(), 64u);
}

TEST_F(VirtqueueTest, QueuesOnAMismatchedRegionTouchNothing) {
  Init(4);
  std::vector<uint8_t> small(layout_.vring_offset[1]);  // too short for vq 1 and the pool
  DriverQueue drv(small, layout_, 1);
  DeviceQueue dev(small, layout_, 1, false);
  EXPECT_EQ(drv.num(), 0u);
  EXPECT_EQ(drv.Add(0, BufferOf(1, 0), 16, false).error(), -EINVAL);
  EXPECT_EQ(drv.GetUsed().error(), -EAGAIN);
  EXPECT_EQ(dev.GetAvail().error(), -EAGAIN);
  EXPECT_EQ(dev.PutUsed(0, 0).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::vnpu::fwlink
