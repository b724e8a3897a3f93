// staging_memory.h - copy_to_user() for FUSE nodes: bytes are staged in the open file.
//
// A FUSE server cannot write into the caller's memory (only the fixed ioctl struct travels),
// so what a command would copy to a user pointer is kept in the File and read back with
// read(2)/pread(2), until the next ioctl on that file replaces it:
//   offset 0 ..              the bytes of every copy-out, in order (what a user reads)
//   offset kSegmentOffset .. the same bytes as wire segments (addr, len, bytes), so libaccel
//                            can put each one where the struct's pointer said.
// The ioctl returns the number of staged bytes (> 0) instead of 0 when it staged any.
#ifndef ACCEL_TRANSPORT_FUSE_STAGING_MEMORY_H_
#define ACCEL_TRANSPORT_FUSE_STAGING_MEMORY_H_

#include <cerrno>
#include <cstdint>
#include <vector>

#include "core/caller.h"
#include "transport/socket/wire.h"

namespace accel::transport {

inline constexpr uint64_t kSegmentOffset = uint64_t{1} << 62;
// Staged payloads are bounded like a socket frame's.
inline constexpr size_t kMaxStaged = 1u << 20;

class StagingMemory final : public core::UserMemory {
 public:
  StagingMemory(std::vector<uint8_t>& raw, std::vector<uint8_t>& segments)
      : raw_(raw), segments_(segments) {}
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (raw_.size() + len > kMaxStaged) return -E2BIG;
    const auto* p = static_cast<const uint8_t*>(src);
    raw_.insert(raw_.end(), p, p + len);
    wire::AppendSegment(segments_, addr, src, len);
    return 0;
  }

 private:
  std::vector<uint8_t>& raw_;
  std::vector<uint8_t>& segments_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_STAGING_MEMORY_H_
