// reply_bounds.cc - see reply_bounds.h.
#include "reply_bounds.h"

#include <sys/ioctl.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "wire/wire.h"

namespace accel::client {
namespace {

// A field of the caller's struct, when the struct is long enough to hold it.
template <typename T>
bool Field(const void* arg, size_t size, size_t offset, T* out) {
  if (arg == nullptr || size < offset + sizeof(*out)) return false;
  std::memcpy(out, static_cast<const uint8_t*>(arg) + offset, sizeof(*out));
  return true;
}

}  // namespace

ReplyBounds ReplyBounds::ForCommand(uint32_t cmd, const void* arg, size_t size) {
  ReplyBounds b;
  if (_IOC_TYPE(cmd) != ACCEL_IOCTL_BASE) return b;
  // By number: accel_ioctl_sized() may send an older or newer size of the same command.
  if (_IOC_NR(cmd) == _IOC_NR(ACCEL_IOCTL_RAS_QUERY)) {
    uint64_t ptr = 0;
    uint32_t len = 0;
    if (Field(arg, size, offsetof(accel_ras_query, ptr), &ptr) &&
        Field(arg, size, offsetof(accel_ras_query, size), &len))
      (void)b.Add(ptr, len);
  } else if (_IOC_NR(cmd) == _IOC_NR(ACCEL_IOCTL_DRM_VERSION)) {
    const std::pair<size_t, size_t> strings[] = {
        {offsetof(accel_drm_version, name), offsetof(accel_drm_version, name_len)},
        {offsetof(accel_drm_version, date), offsetof(accel_drm_version, date_len)},
        {offsetof(accel_drm_version, desc), offsetof(accel_drm_version, desc_len)}};
    for (const auto& [ptr_at, len_at] : strings) {
      uint64_t ptr = 0, len = 0;
      if (Field(arg, size, ptr_at, &ptr) && Field(arg, size, len_at, &len)) (void)b.Add(ptr, len);
    }
  }
  return b;
}

int ReplyBounds::Add(uint64_t addr, uint64_t len) {
  if (len == 0) return 0;
  if (addr + len < addr) return -EINVAL;
  if (count_ == ranges_.size()) return -EINVAL;
  ranges_[count_++] = Range{addr, len};
  return 0;
}

bool ReplyBounds::Allows(uint64_t addr, uint64_t len) const {
  if (addr + len < addr) return false;
  for (size_t i = 0; i < count_; ++i) {
    const Range& r = ranges_[i];
    if (addr >= r.addr && addr + len <= r.addr + r.len) return true;
  }
  return false;
}

int CheckSegments(std::span<const uint8_t> segments, const ReplyBounds& bounds) {
  bool outside = false;
  Result<void> rc =
      wire::ForEachSegment(segments, [&](uint64_t addr, const uint8_t*, uint32_t len) {
        if (addr != wire::kFdSegmentAddr && !bounds.Allows(addr, len)) outside = true;
      });
  if (!rc) return -EPROTO;
  return outside ? -EFAULT : 0;
}

}  // namespace accel::client
