// copy_in_channel.cc - see copy_in_channel.h.
#include "transport/socket/copy_in_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "wire/wire.h"

namespace accel::transport {

int CopyInChannel::Fetch(void* dst, uint64_t addr, uint32_t len) {
  if (len == 0) return 0;
  if (broken_ || fd_ < 0 || addr == 0 || addr + len < addr) return -EFAULT;
  if (len > kMaxBytesPerIoctl - fetched_) return -E2BIG;
  auto* out = static_cast<uint8_t*>(dst);
  for (uint32_t done = 0; done < len;) {
    const uint32_t chunk = std::min(len - done, wire::kMaxCopyIn);
    if (int rc = FetchChunk(out + done, addr + done, chunk); rc < 0) return rc;
    done += chunk;
  }
  fetched_ += len;
  return 0;
}

int CopyInChannel::FetchChunk(uint8_t* dst, uint64_t addr, uint32_t len) {
  const wire::CopyInRequest req{addr, len, 0};
  const std::vector<uint8_t> frame = wire::BuildFrame(
      wire::Op::kCopyIn, seq_, 0, 0, std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req)),
      false, version_);
  ssize_t n;
  do {
    n = send(fd_, frame.data(), frame.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(frame.size())) {
    broken_ = true;
    return -EFAULT;
  }
  pollfd p{fd_, POLLIN, 0};
  do {
    n = poll(&p, 1, kDeadlineMs);
  } while (n < 0 && errno == EINTR);
  rx_.resize(wire::kMaxFrame + 1);
  if (n == 1) {
    do {
      n = recv(fd_, rx_.data(), rx_.size(), MSG_TRUNC | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
  } else {
    n = -1;  // the deadline passed (or poll failed): the caller did not answer
  }
  if (n <= 0) {
    broken_ = true;
    return -EFAULT;
  }
  const bool truncated = static_cast<size_t>(n) > rx_.size();
  Result<wire::FrameView> f = wire::ParseFrame(rx_.data(), static_cast<size_t>(n), truncated);
  const uint16_t want_op = static_cast<uint16_t>(wire::Op::kCopyIn) | wire::kReplyBit;
  if (!f || f->header.op != want_op || f->header.seq != seq_ || f->header.version != version_) {
    broken_ = true;  // anything else now, a new request included, means the stream is lost
    return -EFAULT;
  }
  if (f->header.status < 0) {
    // The caller's own verdict on its memory; nothing else is a valid refusal.
    if (!f->payload.empty()) broken_ = true;
    return -EFAULT;
  }
  if (f->header.status != 0 || f->payload.size() != len) {
    broken_ = true;
    return -EFAULT;
  }
  std::memcpy(dst, f->payload.data(), len);
  return 0;
}

}  // namespace accel::transport
