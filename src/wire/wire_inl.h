// wire_inl.h - template bodies of wire.h.
#ifndef ACCEL_WIRE_WIRE_INL_H_
#define ACCEL_WIRE_WIRE_INL_H_

#include <cerrno>
#include <cstring>

namespace accel::wire {

template <typename Fn>
Result<void> ForEachSegment(std::span<const uint8_t> bytes, Fn&& fn) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < sizeof(SegmentHeader)) return Err(EBADMSG);
    SegmentHeader h;
    std::memcpy(&h, bytes.data() + pos, sizeof(h));
    pos += sizeof(h);
    const size_t padded = (static_cast<size_t>(h.len) + 7) & ~size_t{7};
    if (h.pad != 0 || bytes.size() - pos < padded) return Err(EBADMSG);
    fn(h.addr, bytes.data() + pos, h.len);
    pos += padded;
  }
  return {};
}

}  // namespace accel::wire

#endif  // ACCEL_WIRE_WIRE_INL_H_
