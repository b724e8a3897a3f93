// reply_memory.cc - see reply_memory.h.
#include "transport/socket/reply_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace accel::transport {
namespace {

// The fd segment at its largest; reserved from the budget with the first descriptor, so that
// later copy-outs cannot crowd it out of the frame.
constexpr size_t kFdSegmentMax = sizeof(wire::SegmentHeader) + wire::kMaxReplyFds * 4;

}  // namespace

int ReplyMemory::CopyOut(uint64_t addr, const void* src, uint32_t len) {
  if (addr == 0 && len != 0) return -EFAULT;
  if (addr == wire::kFdSegmentAddr) return -EFAULT;  // that address means "descriptors"
  if (sizeof(wire::SegmentHeader) + len + 7 > budget_) return -E2BIG;
  const size_t before = out_.size();
  wire::AppendSegment(out_, addr, src, len);
  budget_ -= out_.size() - before;
  return 0;
}

int ReplyMemory::InstallFd(int fd, uint32_t offset) {
  if (!fds_allowed_) return -EOPNOTSUPP;
  if (fds_.size() >= wire::kMaxReplyFds) return -EMFILE;
  if (fd_budget_)
    if (int rc = fd_budget_->Charge(uid_, fd); rc < 0) return rc;
  if (fds_.empty()) {
    if (budget_ < kFdSegmentMax) return -E2BIG;
    budget_ -= kFdSegmentMax;
  }
  // CLOEXEC: a helper the daemon spawns (a RAS trigger) must not inherit a client's buffer.
  const int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) {
    const int e = errno;
    if (fds_.empty()) budget_ += kFdSegmentMax;
    return -e;
  }
  fds_.push_back(dup);
  offsets_.push_back(offset);
  return 0;
}

std::span<const int> ReplyMemory::Finish(int status) {
  if (status < 0) CloseFds();
  if (fds_.empty()) return {};
  wire::AppendSegment(out_, wire::kFdSegmentAddr, offsets_.data(),
                      static_cast<uint32_t>(offsets_.size() * sizeof(uint32_t)));
  return fds_;
}

void ReplyMemory::CloseFds() {
  for (int fd : fds_) close(fd);
  fds_.clear();
  offsets_.clear();
}

}  // namespace accel::transport
