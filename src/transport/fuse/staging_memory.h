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
#include "wire/wire.h"

namespace accel::transport {

inline constexpr uint64_t kSegmentOffset = wire::kStagedSegmentOffset;
// Staged payloads are bounded like a socket frame's.
inline constexpr size_t kMaxStaged = 1u << 20;

// Where each copy-out went: its user address and its span within the staged bytes.
struct StagedCopy {
  uint64_t addr;
  uint32_t offset;
  uint32_t len;
};

// What one ioctl staged. The segment view (for libaccel) is built only when it is read.
struct StagedPayload {
  std::vector<uint8_t> bytes;
  std::vector<StagedCopy> copies;

  bool empty() const { return copies.empty(); }
  std::vector<uint8_t> Segments() const {
    std::vector<uint8_t> out;
    for (const StagedCopy& c : copies)
      wire::AppendSegment(out, c.addr, bytes.data() + c.offset, c.len);
    return out;
  }
};

class StagingMemory final : public core::UserMemory {
 public:
  explicit StagingMemory(StagedPayload& out) : out_(out) {}
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (out_.bytes.size() + len > kMaxStaged) return -E2BIG;
    const auto* p = static_cast<const uint8_t*>(src);
    out_.copies.push_back({addr, static_cast<uint32_t>(out_.bytes.size()), len});
    out_.bytes.insert(out_.bytes.end(), p, p + len);
    return 0;
  }
  // Staged bytes reach the caller only through a pread() of its own (libaccel does one).
  bool reaches_caller_memory() const override { return false; }

 private:
  StagedPayload& out_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_STAGING_MEMORY_H_
