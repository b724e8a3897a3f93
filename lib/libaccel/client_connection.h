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

#include "transport/socket/wire.h"

namespace accel::client {

struct ReplyFrame {
  int32_t status = 0;
  std::vector<uint8_t> payload;
};

class ClientConnection {
 public:
  static Result<ClientConnection*> Connect();
  ~ClientConnection();

  // One round trip. The reply's status is in ReplyFrame::status; Result errors are transport
  // failures (-ECONNRESET when the daemon went away, -EPROTO for a reply that makes no sense).
  Result<ReplyFrame> Call(wire::Op op, uint32_t arg, std::span<const uint8_t> payload);
  // IOCTL without allocations on the hot path: the reply struct lands in `arg`.
  int Ioctl(uint32_t cmd, void* arg);

  // Waits for one unsolicited frame (a monitor event) up to timeout_ms (-1: forever).
  // -ETIME on timeout, -ECONNRESET when the daemon went away.
  Result<ReplyFrame> NextEvent(int timeout_ms);
  int fd() const { return fd_; }

  uint32_t minor = UINT32_MAX;
  uint64_t client_id = 0;

 private:
  explicit ClientConnection(int fd) : fd_(fd) {}
  Result<size_t> RoundTrip(const void* frame, size_t len);

  int fd_;
  uint32_t seq_ = 0;
  std::mutex mu_;
  std::vector<uint8_t> rx_ = std::vector<uint8_t>(wire::kMaxFrame + 1);
  std::vector<uint8_t> tx_;
};

}  // namespace accel::client

#endif  // ACCEL_LIBACCEL_CLIENT_CONNECTION_H_
