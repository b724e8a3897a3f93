// client_connection.cc - see client_connection.h.
#include "client_connection.h"

#include <linux/ioctl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transport/socket/runtime_dir.h"

namespace accel::client {

Result<ClientConnection*> ClientConnection::Connect() {
  const std::string path = wire::SocketPath(wire::DefaultRuntimeDir());
  Result<sockaddr_un> addr = wire::UnixSocketAddress(path);
  if (!addr) return Errno{addr.error()};
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return Err(errno);
  int rc;
  do {
    rc = connect(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int e = errno;
    close(fd);
    return Err(e);
  }
  auto* conn = new ClientConnection(fd);
  wire::HelloRequest hello{wire::kMinVersion, wire::kVersion};
  Result<ReplyFrame> r = conn->Call(
      wire::Op::kHello, 0, std::span(reinterpret_cast<const uint8_t*>(&hello), sizeof(hello)));
  if (!r || r->status < 0 || r->payload.size() != sizeof(wire::HelloReply)) {
    int e = !r ? r.error() : (r->status < 0 ? r->status : -EPROTO);
    delete conn;
    return Errno{e};
  }
  return conn;
}

ClientConnection::~ClientConnection() {
  close(fd_);
}

Result<size_t> ClientConnection::RoundTrip(const void* frame, size_t len) {
  ssize_t n;
  do {
    n = send(fd_, frame, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Err(errno == EPIPE ? ECONNRESET : errno);
  const uint32_t want_seq = seq_;
  do {
    n = recv(fd_, rx_.data(), rx_.size(), MSG_TRUNC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Err(errno);
  if (n == 0) return Err(ECONNRESET);
  Result<wire::FrameView> f =
      wire::ParseFrame(rx_.data(), static_cast<size_t>(n), n > static_cast<ssize_t>(rx_.size()));
  if (!f || f->header.seq != want_seq || (f->header.op & wire::kReplyBit) == 0) {
    // A frame the daemon sent about a malformed request has op 0x8000 and our seq; anything
    // else means the stream is out of step.
    if (f && f->header.op == wire::kReplyBit && f->header.status < 0)
      return Errno{f->header.status};
    return Err(EPROTO);
  }
  return static_cast<size_t>(n);
}

Result<ReplyFrame> ClientConnection::Call(wire::Op op, uint32_t arg,
                                          std::span<const uint8_t> payload) {
  if (payload.size() > wire::kMaxPayload) return Err(EMSGSIZE);
  std::lock_guard lock(mu_);
  tx_ = wire::BuildFrame(op, ++seq_, 0, arg, payload);
  Result<size_t> n = RoundTrip(tx_.data(), tx_.size());
  if (!n) return Errno{n.error()};
  wire::Header h;
  std::memcpy(&h, rx_.data(), sizeof(h));
  ReplyFrame r;
  r.status = h.status;
  r.payload.assign(rx_.begin() + sizeof(h), rx_.begin() + static_cast<ptrdiff_t>(*n));
  return r;
}

Result<ReplyFrame> ClientConnection::NextEvent(int timeout_ms) {
  std::lock_guard lock(mu_);
  pollfd p{fd_, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Err(errno);
  if (n == 0) return Err(ETIME);
  ssize_t got;
  do {
    got = recv(fd_, rx_.data(), rx_.size(), MSG_TRUNC);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return Err(errno);
  if (got == 0) return Err(ECONNRESET);
  Result<wire::FrameView> f = wire::ParseFrame(rx_.data(), static_cast<size_t>(got),
                                               got > static_cast<ssize_t>(rx_.size()));
  if (!f) return Err(EPROTO);
  ReplyFrame r;
  r.status = f->header.status;
  r.payload.assign(f->payload.begin(), f->payload.end());
  return r;
}

int ClientConnection::Ioctl(uint32_t cmd, void* arg) {
  const size_t size = _IOC_SIZE(cmd);
  if (size != 0 && arg == nullptr) return -EFAULT;
  std::lock_guard lock(mu_);
  tx_.resize(sizeof(wire::Header) + size);
  wire::Header h =
      wire::MakeHeader(wire::Op::kIoctl, ++seq_, 0, cmd, static_cast<uint32_t>(size), false);
  std::memcpy(tx_.data(), &h, sizeof(h));
  if (size) std::memcpy(tx_.data() + sizeof(h), arg, size);
  Result<size_t> n = RoundTrip(tx_.data(), tx_.size());
  if (!n) return n.error();
  std::memcpy(&h, rx_.data(), sizeof(h));
  std::span<const uint8_t> payload(rx_.data() + sizeof(h), *n - sizeof(h));
  if (payload.size() < size) return h.status < 0 ? h.status : -EPROTO;
  if (size) std::memcpy(arg, payload.data(), size);
  // copy_to_user() segments: the daemon writes into our memory at addresses our struct named.
  Result<void> seg = wire::ForEachSegment(
      payload.subspan(size), [](uint64_t addr, const uint8_t* d, uint32_t len) {
        if (len) std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), d, len);
      });
  if (!seg) return -EPROTO;
  return h.status;
}

}  // namespace accel::client
