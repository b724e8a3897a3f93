// copy_in_channel.h - copy_from_user() over the socket: the daemon asks the caller's libaccel
// for the bytes, in the middle of the IOCTL (wire op COPY_IN, version 3).
//
// A kernel handler reads the caller's memory through a pointer in its struct; here the caller
// is another process, reached only through its connection. The connection's thread is inside
// the dispatcher when a handler calls copy_from_user, so it sends a COPY_IN request on the
// same SOCK_SEQPACKET connection and waits for the one frame that answers it. libaccel serves
// the request from its own memory while it waits for the IOCTL's reply
// (lib/libaccel/client_connection.cc).
//
// A caller that does not answer cannot hold the device: each request has a deadline, and a
// late, missing or malformed answer makes the copy -EFAULT and marks the channel broken, so
// that the connection is closed after the reply (the stream is out of step by then).
//
//   channel.Begin(fd, ioctl_seq, version);   // one per connection, reused for each IOCTL
//   int rc = channel.Fetch(dst, addr, len);  // 0, -EFAULT, -E2BIG
#ifndef ACCEL_TRANSPORT_SOCKET_COPY_IN_CHANNEL_H_
#define ACCEL_TRANSPORT_SOCKET_COPY_IN_CHANNEL_H_

#include <cstdint>
#include <vector>

namespace accel::transport {

class CopyInChannel {
 public:
  // How long a caller has to answer one request. Its process is running (it is blocked in
  // our IOCTL), so a healthy libaccel answers within microseconds.
  static constexpr int kDeadlineMs = 2000;
  // Bytes one IOCTL may copy in, across all its copy_from_user calls: a bound on what a
  // handler can make this connection carry.
  static constexpr uint32_t kMaxBytesPerIoctl = 1u << 20;

  // Starts the IOCTL of `seq` on connection `fd` (wire `version`): a fresh byte budget.
  void Begin(int fd, uint32_t seq, uint16_t version) {
    fd_ = fd;
    seq_ = seq;
    version_ = version;
    fetched_ = 0;
    broken_ = false;
  }

  // Fills `dst` with `len` bytes at the caller's `addr`: 0; -EFAULT (the caller could not
  // read there, address 0, a range that wraps, or the channel broke); -E2BIG past
  // kMaxBytesPerIoctl.
  int Fetch(void* dst, uint64_t addr, uint32_t len);
  // True once the stream may be out of step; the connection must then be closed.
  bool broken() const { return broken_; }

 private:
  int FetchChunk(uint8_t* dst, uint64_t addr, uint32_t len);

  int fd_ = -1;
  uint32_t seq_ = 0;
  uint16_t version_ = 0;
  uint32_t fetched_ = 0;
  bool broken_ = false;
  std::vector<uint8_t> rx_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_COPY_IN_CHANNEL_H_
