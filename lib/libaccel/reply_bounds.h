// reply_bounds.h - the caller's own buffers that a reply may fill (issue 12 A1).
//
// A copy_to_user() in the daemon comes back as copy-out segments: an address and bytes, over
// the socket in the reply and over a FUSE node staged in the file. The address is the daemon's
// to name, so libaccel only writes a segment that lies wholly inside a buffer the caller gave
// for this call, and checks every segment before it writes any: a reply that names anything
// else is refused whole (-EFAULT), and the caller's memory is as it was. The buffers come from
// the caller's struct *before* the call (the reply rewrites the struct), for the generic
// commands whose layout libaccel knows, and from accel_ioctl_buffers() for any other.
//
//   ReplyBounds b = ReplyBounds::ForCommand(cmd, arg, size);
//   if (int rc = b.Add(user_buf, user_len); rc < 0) return rc;
//   ... send, receive ...
//   if (int rc = CheckSegments(segments, b); rc < 0) return rc;  // then write them
#ifndef ACCEL_LIBACCEL_REPLY_BOUNDS_H_
#define ACCEL_LIBACCEL_REPLY_BOUNDS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace accel::client {

class ReplyBounds {
 public:
  static constexpr size_t kMaxBuffers = 11;  // 3 of a generic command + ACCEL_MAX_USER_BUFFERS

  // The buffers the struct of a generic command names: RAS_QUERY's ptr/size, DRM VERSION's
  // name/date/desc with their lengths. None for any other command.
  static ReplyBounds ForCommand(uint32_t cmd, const void* arg, size_t size);

  // 0, or -EINVAL for a range that wraps or one buffer too many. An empty one is ignored.
  int Add(uint64_t addr, uint64_t len);
  // Whether [addr, addr + len) lies inside one buffer.
  bool Allows(uint64_t addr, uint64_t len) const;
  size_t size() const { return count_; }

 private:
  struct Range {
    uint64_t addr;
    uint64_t len;
  };
  std::array<Range, kMaxBuffers> ranges_{};
  size_t count_ = 0;
};

// Every segment of a reply's segment list against `bounds` (the descriptor segment, which
// names offsets in the struct, is not memory and passes): 0, -EFAULT when one falls outside,
// -EPROTO when the list does not parse.
int CheckSegments(std::span<const uint8_t> segments, const ReplyBounds& bounds);

}  // namespace accel::client

#endif  // ACCEL_LIBACCEL_REPLY_BOUNDS_H_
