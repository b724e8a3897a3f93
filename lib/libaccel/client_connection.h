// client_connection.h - libaccel's side of one acceld connection (internal).
//
// Connect() dials the socket and does the HELLO handshake; Call() sends one request frame and
// waits for its reply, retrying EINTR in this one place (as libdrm's drmIoctl does).
#ifndef ACCEL_LIBACCEL_CLIENT_CONNECTION_H_
#define ACCEL_LIBACCEL_CLIENT_CONNECTION_H_

#include <accel/result.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "reply_bounds.h"
#include "wire/wire.h"

namespace accel::client {

struct ReplyFrame {
  int32_t status = 0;
  std::vector<uint8_t> payload;
};

// Descriptors received with a reply (SCM_RIGHTS). Whatever is not taken is closed when this
// goes away: an fd the caller's struct has no place for must not leak into the process.
class ReceivedFds {
 public:
  ReceivedFds() = default;
  ~ReceivedFds() { CloseAll(); }
  ReceivedFds(const ReceivedFds&) = delete;
  ReceivedFds& operator=(const ReceivedFds&) = delete;

  void Add(int fd) { fds_.push_back(fd); }
  size_t size() const { return fds_.size(); }
  bool empty() const { return fds_.empty(); }
  // Writes descriptor i as an __s32 at offsets[i] of `arg` (`size` bytes) and gives them all
  // up. -EPROTO, with every descriptor closed and nothing written, when the offsets do not
  // match the descriptors or do not fit in the struct.
  int PlaceInto(std::span<const uint8_t> offsets, void* arg, size_t size);
  void CloseAll();

 private:
  std::vector<int> fds_;
};

class ClientConnection {
 public:
  static Result<ClientConnection*> Connect();
  ~ClientConnection();

  // One round trip. The reply's status is in ReplyFrame::status; Result errors are transport
  // failures (-ECONNRESET when the daemon went away, -EPROTO for a reply that makes no sense).
  Result<ReplyFrame> Call(wire::Op op, uint32_t arg, std::span<const uint8_t> payload);
  // IOCTL without allocations on the hot path: the reply struct lands in `arg`. `size` bytes
  // travel as the caller gave them; the daemon's dispatcher judges them against `cmd`.
  // Copy-out segments are written only inside `bounds` (reply_bounds.h), or not at all.
  int Ioctl(uint32_t cmd, void* arg, size_t size, const ReplyBounds& bounds);

  // Waits for one unsolicited frame (a monitor event) up to timeout_ms (-1: forever).
  // -ETIME on timeout, -ECONNRESET when the daemon went away.
  Result<ReplyFrame> NextEvent(int timeout_ms);
  int fd() const { return fd_; }

  uint32_t minor = UINT32_MAX;
  uint64_t client_id = 0;

 private:
  explicit ClientConnection(int fd) : fd_(fd) {}
  // Sends a frame and receives its reply into rx_; descriptors that came with the reply go to
  // *fds (closed there unless taken), or are closed at once when fds is null. With
  // serve_copy_in (an IOCTL), answers the daemon's COPY_IN requests that come before the reply.
  Result<size_t> RoundTrip(const void* frame, size_t len, ReceivedFds* fds = nullptr,
                           bool serve_copy_in = false);
  // One COPY_IN request: reads our own memory and sends the reply. 0, or -EPROTO for a
  // request that makes no sense, or the send's errno.
  int AnswerCopyIn(const wire::FrameView& request);

  int fd_;
  uint16_t version_ = wire::kVersion;  // what HELLO negotiated; frames after it carry it
  uint32_t seq_ = 0;
  std::mutex mu_;
  std::vector<uint8_t> rx_ = std::vector<uint8_t>(wire::kMaxFrame + 1);
  std::vector<uint8_t> tx_;
  std::vector<uint8_t> copy_in_;  // a COPY_IN answer's bytes, reused
};

}  // namespace accel::client

#endif  // ACCEL_LIBACCEL_CLIENT_CONNECTION_H_
