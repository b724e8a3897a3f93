// reply_memory.h - copy_to_user() and fd_install() for one IOCTL over the socket.
//
// DOC: how a reply carries memory and descriptors
//
// The daemon cannot write into the client's memory or descriptor table, so both ride back in
// the IOCTL reply (docs/wire-protocol.md): each copy_to_user() becomes a copy-out segment that
// libaccel writes at the address the struct named; each install_fd() keeps a duplicate of the
// driver's descriptor, sent with the reply as SCM_RIGHTS, plus the struct offset libaccel
// writes the received number at, in one last segment (address kFdSegmentAddr).
//
// The duplicates belong to this object until the reply is sent: whatever happens (the handler
// failed, the send failed, the connection went away), the destructor closes them, so the
// daemon never leaks a descriptor. Descriptors travel only with a successful reply: a command
// that failed after installing one has not handed anything over, as fd_install() runs only on
// a kernel ioctl's success path.
//
// copy_from_user() goes the other way, during the call: the connection's CopyInChannel asks
// libaccel for the bytes (a version-3 client; older ones get -EOPNOTSUPP, as a FUSE node does).
//
//   ReplyMemory mem(segments, budget, /*fds_allowed=*/version >= wire::kFdVersion);
//   int rc = core::Dispatch(file, caller, cmd, arg, size, mem);
//   std::span<const int> fds = mem.Finish(rc);     // appends the fd segment when rc >= 0
//   SendReply(..., fds);                            // then mem closes its duplicates
#ifndef ACCEL_TRANSPORT_SOCKET_REPLY_MEMORY_H_
#define ACCEL_TRANSPORT_SOCKET_REPLY_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/caller.h"
#include "transport/socket/copy_in_channel.h"
#include "transport/socket/fd_memory_budget.h"
#include "wire/wire.h"

namespace accel::transport {

class ReplyMemory final : public core::UserMemory {
 public:
  // Segments go to `out` (cleared by the caller), at most `budget` bytes of them, the fd
  // segment included. Without `fds_allowed` (a version-1 client) InstallFd is -EOPNOTSUPP.
  // `fd_budget`, when given, charges each memfd to `uid` before it is sent.
  ReplyMemory(std::vector<uint8_t>& out, size_t budget, bool fds_allowed,
              CopyInChannel* copy_in = nullptr, FdMemoryBudget* fd_budget = nullptr,
              uint32_t uid = 0)
      : out_(out),
        budget_(budget),
        fds_allowed_(fds_allowed),
        copy_in_(copy_in),
        fd_budget_(fd_budget),
        uid_(uid) {}
  ~ReplyMemory() override { CloseFds(); }
  ReplyMemory(const ReplyMemory&) = delete;
  ReplyMemory& operator=(const ReplyMemory&) = delete;

  // 0, -EFAULT (address 0), -E2BIG (the reply would not fit in a frame).
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override;
  // Through the channel: 0, -EFAULT, -E2BIG; -EOPNOTSUPP without one.
  int CopyIn(void* dst, uint64_t addr, uint32_t len) override {
    return copy_in_ ? copy_in_->Fetch(dst, addr, len) : -EOPNOTSUPP;
  }
  // 0; -EOPNOTSUPP (version-1 client), -EMFILE (past kMaxReplyFds), -E2BIG (no room left for
  // the fd segment), -EDQUOT (the caller's memfd budget is spent), or dup's errno.
  int InstallFd(int fd, uint32_t offset) override;

  // After the handler: with `status` >= 0 appends the fd segment and returns the descriptors
  // to send; otherwise closes them and returns none.
  std::span<const int> Finish(int status);
  size_t fd_count() const { return fds_.size(); }

 private:
  void CloseFds();

  std::vector<uint8_t>& out_;
  size_t budget_;
  const bool fds_allowed_;
  CopyInChannel* const copy_in_;
  FdMemoryBudget* const fd_budget_;
  const uint32_t uid_;
  std::vector<int> fds_;
  std::vector<uint32_t> offsets_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_REPLY_MEMORY_H_
