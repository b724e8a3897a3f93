// shared_region_test.cc - the region's layout, its seals, and the firmware's checks of a
// header it must not trust.
#include "drivers/vnpu/fwlink/shared_region.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "drivers/vnpu/fwlink/fw_protocol.h"
#include "drivers/vnpu/fwlink/virtqueue.h"

namespace accel::vnpu::fwlink {
namespace {

TEST(LayoutFor, QueueSizeMustBeAPowerOfTwoInRange) {
  for (uint32_t bad : {0u, 1u, 3u, 48u, 2048u, 1u << 20}) EXPECT_FALSE(LayoutFor(bad)) << bad;
  for (uint32_t good : {2u, 4u, 64u, 1024u}) EXPECT_TRUE(LayoutFor(good)) << good;
}

TEST(LayoutFor, PartsArePageAlignedAndDisjoint) {
  Result<RegionLayout> l = LayoutFor(64);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->num, 64u);
  EXPECT_EQ(l->vring_offset[0], kRegionPage);
  EXPECT_EQ(l->vring_offset[0] % kRegionPage, 0u);
  EXPECT_EQ(l->vring_offset[1] % kRegionPage, 0u);
  EXPECT_EQ(l->pool_offset % kRegionPage, 0u);
  EXPECT_GE(l->vring_offset[1], l->vring_offset[0] + l->vring_size);
  EXPECT_GE(l->pool_offset, l->vring_offset[1] + l->vring_size);
  EXPECT_EQ(l->pool_size, 2ull * 64 * fw::kBufferSize);
  EXPECT_EQ(l->region_size, l->pool_offset + l->pool_size);
  EXPECT_EQ(l->buffer_offset(1), l->pool_offset + fw::kBufferSize);
}

// virtio 1.x 2.7: descriptor table 16-byte aligned, available ring 2, used ring 4.
TEST(VringLayout, FollowsTheSplitRingLayout) {
  for (uint32_t num : {2u, 4u, 64u, 256u, 1024u}) {
    const VringLayout v = VringLayout::For(num);
    EXPECT_EQ(v.desc, 0u);
    EXPECT_EQ(v.avail, 16ull * num);
    EXPECT_EQ(v.avail % 2, 0u);
    EXPECT_EQ(v.used % 4, 0u);
    EXPECT_GE(v.used, v.avail + 6 + 2ull * num);  // flags, idx, ring[num], used_event
    EXPECT_EQ(v.size, v.used + 6 + 8ull * num);   // flags, idx, ring[num], avail_event
  }
}

TEST(SharedRegion, CreateSealsSizesAndWritesTheHeader) {
  Result<SharedRegion> r = SharedRegion::Create(16);
  ASSERT_TRUE(r) << r.error();
  const int seals = fcntl(r->fd(), F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
            F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
  EXPECT_NE(ftruncate(r->fd(), 4096), 0);
  EXPECT_EQ(errno, EPERM);
  struct stat st;
  ASSERT_EQ(fstat(r->fd(), &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), r->layout().region_size);
  EXPECT_EQ(fcntl(r->fd(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);

  RegionHeader h;
  std::memcpy(&h, r->base(), sizeof(h));
  EXPECT_EQ(h.magic, kRegionMagic);
  EXPECT_EQ(h.version, kRegionVersion);
  EXPECT_EQ(h.queue_size, 16u);
  EXPECT_EQ(h.buffer_size, fw::kBufferSize);
  EXPECT_EQ(h.region_size, r->layout().region_size);
  EXPECT_EQ(h.vring_offset[0], r->layout().vring_offset[0]);
  EXPECT_EQ(h.vring_offset[1], r->layout().vring_offset[1]);
  EXPECT_EQ(h.pool_offset, r->layout().pool_offset);
  EXPECT_EQ(h.num_buffers, 32u);
}

TEST(SharedRegion, MapSeesTheDriversLayoutAndMemory) {
  Result<SharedRegion> r = SharedRegion::Create(8);
  ASSERT_TRUE(r);
  Result<SharedRegion> m = SharedRegion::Map(dup(r->fd()));
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m->layout().num, 8u);
  EXPECT_EQ(m->layout().pool_offset, r->layout().pool_offset);
  EXPECT_EQ(m->layout().region_size, r->layout().region_size);
  r->base()[r->layout().pool_offset] = 0x5a;  // one memory, two mappings
  EXPECT_EQ(m->base()[m->layout().pool_offset], 0x5a);
}

TEST(SharedRegion, MapRefusesAnUnsealedMemfd) {
  Result<SharedRegion> r = SharedRegion::Create(8);
  ASSERT_TRUE(r);
  int fd = memfd_create("unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, static_cast<off_t>(r->size())), 0);
  ASSERT_EQ(pwrite(fd, r->base(), kRegionPage, 0), static_cast<ssize_t>(kRegionPage));
  Result<SharedRegion> m = SharedRegion::Map(fd);  // takes the fd either way
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error(), -EPERM);
}

// A heap copy of a good region whose header a test then corrupts.
class ValidateRegionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<RegionLayout> l = LayoutFor(8);
    ASSERT_TRUE(l);
    layout_ = *l;
    bytes_.resize(layout_.region_size);
    InitRegion(bytes_, layout_);
  }
  RegionHeader& header() { return *reinterpret_cast<RegionHeader*>(bytes_.data()); }
  int Validate() {
    Result<RegionLayout> l = ValidateRegion(bytes_);
    return l ? 0 : l.error();
  }

  RegionLayout layout_;
  std::vector<uint8_t> bytes_;
};

TEST_F(ValidateRegionTest, AcceptsWhatTheDriverWrote) {
  Result<RegionLayout> l = ValidateRegion(bytes_);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->num, layout_.num);
  EXPECT_EQ(l->vring_offset[0], layout_.vring_offset[0]);
  EXPECT_EQ(l->vring_offset[1], layout_.vring_offset[1]);
  EXPECT_EQ(l->pool_offset, layout_.pool_offset);
  EXPECT_EQ(l->pool_size, layout_.pool_size);
}

TEST_F(ValidateRegionTest, RefusesEveryBadField) {
  const uint64_t size = bytes_.size();
  struct Case {
    const char* what;
    std::function<void(RegionHeader&)> corrupt;
    int err;
  };
  const Case cases[] = {
      {"magic", [](RegionHeader& h) { h.magic ^= 1; }, -EBADMSG},
      {"version", [](RegionHeader& h) { h.version = 2; }, -EPROTONOSUPPORT},
      {"buffer size", [](RegionHeader& h) { h.buffer_size = 8192; }, -EPROTONOSUPPORT},
      {"num not a power of two", [](RegionHeader& h) { h.queue_size = 6; }, -EINVAL},
      {"num too large", [](RegionHeader& h) { h.queue_size = 1u << 15; }, -EINVAL},
      {"num_buffers", [](RegionHeader& h) { h.num_buffers = 17; }, -EINVAL},
      {"reserved", [](RegionHeader& h) { h.reserved = 1; }, -EINVAL},
      {"region size", [size](RegionHeader& h) { h.region_size = size + kRegionPage; }, -EINVAL},
      {"vring in the header page", [](RegionHeader& h) { h.vring_offset[0] = 0; }, -EINVAL},
      {"vring misaligned", [](RegionHeader& h) { h.vring_offset[1] += 16; }, -EINVAL},
      {"vring past the end", [size](RegionHeader& h) { h.vring_offset[1] = size; }, -EINVAL},
      {"vring offset overflows",
       [](RegionHeader& h) { h.vring_offset[0] = ~uint64_t{0} & ~uint64_t{kRegionPage - 1}; },
       -EINVAL},
      {"vrings overlap", [](RegionHeader& h) { h.vring_offset[1] = h.vring_offset[0]; }, -EINVAL},
      {"pool over a vring", [](RegionHeader& h) { h.pool_offset = h.vring_offset[1]; }, -EINVAL},
      {"pool past the end", [](RegionHeader& h) { h.pool_offset += kRegionPage; }, -EINVAL},
      {"num grows the pool past the end",
       [](RegionHeader& h) {
         h.queue_size = 16;
         h.num_buffers = 32;
       },
       -EINVAL},
  };
  for (const Case& c : cases) {
    SetUp();
    c.corrupt(header());
    EXPECT_EQ(Validate(), c.err) << c.what;
  }
}

TEST_F(ValidateRegionTest, RefusesARegionSmallerThanAHeader) {
  EXPECT_EQ(ValidateRegion(std::span(bytes_).first(100)).error(), -EBADMSG);
  EXPECT_EQ(ValidateRegion({}).error(), -EBADMSG);
}

}  // namespace
}  // namespace accel::vnpu::fwlink
