// shared_region.cc - see shared_region.h.
#include "drivers/vnpu/fwlink/shared_region.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "drivers/vnpu/fwlink/fw_protocol.h"
#include "drivers/vnpu/fwlink/virtqueue.h"

namespace accel::vnpu::fwlink {
namespace {

constexpr uint64_t AlignUp(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

bool QueueSizeOk(uint32_t num) {
  return num >= kMinQueueSize && num <= kMaxQueueSize && std::has_single_bit(num);
}

// [off, off + len) lies inside [0, size), without overflowing.
bool Inside(uint64_t off, uint64_t len, uint64_t size) {
  return off <= size && len <= size - off;
}

bool Disjoint(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len) {
  return a + a_len <= b || b + b_len <= a;  // both ranges already checked Inside()
}

}  // namespace

uint64_t RegionLayout::buffer_offset(uint32_t i) const {
  return pool_offset + static_cast<uint64_t>(i) * fw::kBufferSize;
}

Result<RegionLayout> LayoutFor(uint32_t num) {
  if (!QueueSizeOk(num)) return Err(EINVAL);
  RegionLayout l;
  l.num = num;
  l.vring_size = VringLayout::For(num).size;
  const uint64_t vring_span = AlignUp(l.vring_size, kRegionPage);
  l.vring_offset[0] = kRegionPage;  // after the header page
  l.vring_offset[1] = l.vring_offset[0] + vring_span;
  l.pool_offset = l.vring_offset[1] + vring_span;
  l.pool_size = 2ull * num * fw::kBufferSize;
  l.region_size = l.pool_offset + l.pool_size;
  return l;
}

void InitRegion(std::span<uint8_t> region, const RegionLayout& l) {
  std::memset(region.data(), 0, l.pool_offset);  // header page and both vrings
  RegionHeader h{};
  h.magic = kRegionMagic;
  h.version = kRegionVersion;
  h.queue_size = l.num;
  h.buffer_size = fw::kBufferSize;
  h.region_size = l.region_size;
  h.vring_offset[0] = l.vring_offset[0];
  h.vring_offset[1] = l.vring_offset[1];
  h.pool_offset = l.pool_offset;
  h.num_buffers = 2 * l.num;
  std::memcpy(region.data(), &h, sizeof(h));
}

Result<RegionLayout> ValidateRegion(std::span<const uint8_t> region) {
  if (region.size() < kRegionPage) return Err(EBADMSG);
  // One copy, read once: the driver may rewrite the header while we look at it.
  RegionHeader h;
  std::memcpy(&h, region.data(), sizeof(h));
  if (h.magic != kRegionMagic) return Err(EBADMSG);
  if (h.version != kRegionVersion || h.buffer_size != fw::kBufferSize) return Err(EPROTONOSUPPORT);
  if (!QueueSizeOk(h.queue_size) || h.num_buffers != 2 * h.queue_size || h.reserved != 0 ||
      h.region_size != region.size())
    return Err(EINVAL);

  RegionLayout l;
  l.num = h.queue_size;
  l.vring_size = VringLayout::For(l.num).size;
  l.vring_offset[0] = h.vring_offset[0];
  l.vring_offset[1] = h.vring_offset[1];
  l.pool_offset = h.pool_offset;
  l.pool_size = 2ull * l.num * fw::kBufferSize;
  l.region_size = region.size();

  const uint64_t size = region.size();
  for (uint64_t off : {l.vring_offset[0], l.vring_offset[1], l.pool_offset})
    if (off % kRegionPage != 0 || off < kRegionPage) return Err(EINVAL);  // not in the header
  if (!Inside(l.vring_offset[0], l.vring_size, size) ||
      !Inside(l.vring_offset[1], l.vring_size, size) || !Inside(l.pool_offset, l.pool_size, size))
    return Err(EINVAL);
  if (!Disjoint(l.vring_offset[0], l.vring_size, l.vring_offset[1], l.vring_size) ||
      !Disjoint(l.vring_offset[0], l.vring_size, l.pool_offset, l.pool_size) ||
      !Disjoint(l.vring_offset[1], l.vring_size, l.pool_offset, l.pool_size))
    return Err(EINVAL);
  return l;
}

Result<SharedRegion> SharedRegion::Create(uint32_t num) {
  Result<RegionLayout> l = LayoutFor(num);
  if (!l) return Errno{l.error()};
  int fd = memfd_create("vnpu-fwlink", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Err(errno);
  auto fail = [fd](int err) {
    close(fd);
    return Err(err);
  };
  if (ftruncate(fd, static_cast<off_t>(l->region_size)) != 0) return fail(errno);
  // Sealed before anyone else sees it: neither side can make the other's mapping fault.
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) return fail(errno);
  void* p = mmap(nullptr, l->region_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(errno);
  auto* base = static_cast<uint8_t*>(p);
  InitRegion({base, l->region_size}, *l);
  return SharedRegion(fd, base, l->region_size, *l);
}

Result<SharedRegion> SharedRegion::Map(int fd) {
  auto fail = [fd](int err) {
    close(fd);
    return Err(err);
  };
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0) return fail(errno);
  if ((seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW)) return fail(EPERM);
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(errno);
  if (st.st_size < static_cast<off_t>(kRegionPage)) return fail(EBADMSG);
  const auto size = static_cast<size_t>(st.st_size);
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail(errno);
  auto* base = static_cast<uint8_t*>(p);
  Result<RegionLayout> l = ValidateRegion({base, size});
  if (!l) {
    munmap(p, size);
    return fail(-l.error());
  }
  return SharedRegion(fd, base, size, *l);
}

SharedRegion::SharedRegion(SharedRegion&& o) noexcept
    : fd_(o.fd_), base_(o.base_), size_(o.size_), layout_(o.layout_) {
  o.fd_ = -1;
  o.base_ = nullptr;
  o.size_ = 0;
}

SharedRegion& SharedRegion::operator=(SharedRegion&& o) noexcept {
  if (this != &o) {
    Release();
    fd_ = o.fd_;
    base_ = o.base_;
    size_ = o.size_;
    layout_ = o.layout_;
    o.fd_ = -1;
    o.base_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

SharedRegion::~SharedRegion() {
  Release();
}

void SharedRegion::Release() {
  if (base_ != nullptr) munmap(base_, size_);
  if (fd_ >= 0) close(fd_);
  base_ = nullptr;
  fd_ = -1;
}

}  // namespace accel::vnpu::fwlink
