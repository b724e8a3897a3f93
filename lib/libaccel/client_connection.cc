// client_connection.cc - see client_connection.h.
#include "client_connection.h"

#include <linux/ioctl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "own_memory.h"
#include "wire/runtime_dir.h"

namespace accel::client {

Result<ClientConnection*> ClientConnection::Connect() {
  const std::string dir = wire::ClientRuntimeDir();
  if (int rc = wire::CheckRuntimeDir(dir); rc < 0) return Errno{rc};
  const std::string path = wire::SocketPath(dir);
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
  // Only a daemon of root or of this user may answer: whoever serves the socket writes into
  // this process's memory (copy-out segments) and reads it (COPY_IN), as a kernel would.
  ucred peer{};
  socklen_t len = sizeof(peer);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 ||
      (peer.uid != 0 && peer.uid != geteuid())) {
    close(fd);
    return Err(EACCES);
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
  wire::HelloReply reply;
  std::memcpy(&reply, r->payload.data(), sizeof(reply));
  if (reply.version < wire::kMinVersion || reply.version > wire::kVersion) {
    delete conn;
    return Err(EPROTO);
  }
  // An older acceld speaks version 1: it passes no descriptors and knows no CLIENTS (it
  // answers -EOPNOTSUPP), and every frame must carry the version it chose.
  conn->version_ = reply.version;
  return conn;
}

ClientConnection::~ClientConnection() {
  close(fd_);
}

int ReceivedFds::PlaceInto(std::span<const uint8_t> offsets, void* arg, size_t size) {
  if (offsets.size() != fds_.size() * sizeof(uint32_t)) {
    CloseAll();
    return -EPROTO;
  }
  for (size_t i = 0; i < fds_.size(); ++i) {
    uint32_t off;
    std::memcpy(&off, offsets.data() + i * sizeof(off), sizeof(off));
    if (off > size || size - off < sizeof(int32_t)) {
      CloseAll();
      return -EPROTO;
    }
  }
  for (size_t i = 0; i < fds_.size(); ++i) {
    uint32_t off;
    std::memcpy(&off, offsets.data() + i * sizeof(off), sizeof(off));
    const int32_t fd = fds_[i];
    std::memcpy(static_cast<uint8_t*>(arg) + off, &fd, sizeof(fd));
  }
  fds_.clear();  // the caller owns them now
  return 0;
}

void ReceivedFds::CloseAll() {
  for (int fd : fds_) close(fd);
  fds_.clear();
}

namespace {

// The descriptors of every SCM_RIGHTS message in `msg`, handed to `out`.
void CollectFds(msghdr& msg, ReceivedFds& out) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
      out.Add(fd);
    }
  }
}

}  // namespace

Result<size_t> ClientConnection::RoundTrip(const void* frame, size_t len, ReceivedFds* fds,
                                           bool serve_copy_in) {
  ssize_t n;
  do {
    n = send(fd_, frame, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE) {
    // The daemon may have refused us (too many connections) and said why before it closed.
    n = recv(fd_, rx_.data(), rx_.size(), MSG_DONTWAIT);
    Result<wire::FrameView> why =
        n > 0 ? wire::ParseFrame(rx_.data(), static_cast<size_t>(n), false) : Err(EPROTO);
    if (why && why->header.op == wire::kReplyBit && why->header.status < 0)
      return Errno{why->header.status};
    return Err(ECONNRESET);
  }
  if (n < 0) return Err(errno);
  const uint32_t want_seq = seq_;
  // Room for every descriptor a reply may carry; MSG_CMSG_CLOEXEC so that none leaks into a
  // program this process runs before it closes or places them.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * wire::kMaxReplyFds)];
  ReceivedFds unplaced;  // closes what nobody asked for
  ReceivedFds& got = fds ? *fds : unplaced;
  for (;;) {
    iovec iov{rx_.data(), rx_.size()};
    msghdr msg{};
    do {
      msg = msghdr{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      n = recvmsg(fd_, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Err(errno);
    CollectFds(msg, got);
    // Descriptors the kernel had to drop for want of room: the reply cannot be trusted whole.
    if (msg.msg_flags & MSG_CTRUNC) {
      got.CloseAll();
      return Err(EPROTO);
    }
    if (n == 0) return Err(ECONNRESET);
    Result<wire::FrameView> f =
        wire::ParseFrame(rx_.data(), static_cast<size_t>(n), n > static_cast<ssize_t>(rx_.size()));
    // The daemon's handler reading our memory mid-IOCTL (copy_from_user): answer, then go on
    // waiting for the reply. Only while an IOCTL of ours is in flight, and never with
    // descriptors attached.
    if (f && serve_copy_in && f->header.op == static_cast<uint16_t>(wire::Op::kCopyIn) &&
        f->header.seq == want_seq && version_ >= wire::kCopyInVersion) {
      if (!got.empty()) return Err(EPROTO);
      if (int rc = AnswerCopyIn(*f); rc < 0) return Errno{rc};
      continue;
    }
    if (!f || f->header.seq != want_seq || (f->header.op & wire::kReplyBit) == 0) {
      // A frame the daemon sent about a malformed request has op 0x8000 and our seq; anything
      // else means the stream is out of step.
      if (f && f->header.op == wire::kReplyBit && f->header.status < 0)
        return Errno{f->header.status};
      return Err(EPROTO);
    }
    return static_cast<size_t>(n);
  }
}

int ClientConnection::AnswerCopyIn(const wire::FrameView& request) {
  wire::CopyInRequest req;
  if (request.payload.size() != sizeof(req)) return -EPROTO;
  std::memcpy(&req, request.payload.data(), sizeof(req));
  if (req.len == 0 || req.len > wire::kMaxCopyIn || req.pad != 0) return -EPROTO;
  // An address this process cannot read is -EFAULT here, as copy_from_user would say, not a
  // crash (own_memory.h).
  copy_in_.resize(req.len);
  const bool ok = ReadOwnMemory(copy_in_.data(), req.addr, req.len) == 0;
  const std::vector<uint8_t> reply = wire::BuildFrame(
      wire::Op::kCopyIn, request.header.seq, ok ? 0 : -EFAULT, 0,
      ok ? std::span<const uint8_t>(copy_in_) : std::span<const uint8_t>(), true, version_);
  ssize_t sent;
  do {
    sent = send(fd_, reply.data(), reply.size(), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno == EPIPE ? -ECONNRESET : -errno;
  return 0;
}

Result<ReplyFrame> ClientConnection::Call(wire::Op op, uint32_t arg,
                                          std::span<const uint8_t> payload) {
  if (payload.size() > wire::kMaxPayload) return Err(EMSGSIZE);
  std::lock_guard lock(mu_);
  tx_ = wire::BuildFrame(op, ++seq_, 0, arg, payload, false, version_);
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

int ClientConnection::Ioctl(uint32_t cmd, void* arg, size_t size, const ReplyBounds& bounds) {
  if (size > wire::kMaxPayload) return -EINVAL;  // no frame carries it; nor is any command's size
  if (size != 0 && arg == nullptr) return -EFAULT;
  std::lock_guard lock(mu_);
  tx_.resize(sizeof(wire::Header) + size);
  wire::Header h = wire::MakeHeader(wire::Op::kIoctl, ++seq_, 0, cmd, static_cast<uint32_t>(size),
                                    false, version_);
  std::memcpy(tx_.data(), &h, sizeof(h));
  if (size) std::memcpy(tx_.data() + sizeof(h), arg, size);
  ReceivedFds fds;  // every early return below closes them
  Result<size_t> n = RoundTrip(tx_.data(), tx_.size(), &fds, /*serve_copy_in=*/true);
  if (!n) return n.error();
  std::memcpy(&h, rx_.data(), sizeof(h));
  std::span<const uint8_t> payload(rx_.data() + sizeof(h), *n - sizeof(h));
  if (payload.size() < size) return h.status < 0 ? h.status : -EPROTO;
  // A reply that would write outside the caller's buffers is refused whole: not even the
  // struct is touched.
  if (int rc = CheckSegments(payload.subspan(size), bounds); rc < 0) return rc;
  if (size) std::memcpy(arg, payload.data(), size);
  // copy_to_user() segments: the daemon writes into our memory, only inside the buffers the
  // caller gave (all checked before any is written); the fd segment says where in the struct
  // the descriptors that came along go.
  std::span<const uint8_t> fd_offsets;
  bool fd_segments = false, twice = false, fault = false;
  Result<void> seg = wire::ForEachSegment(payload.subspan(size),
                                          [&](uint64_t addr, const uint8_t* d, uint32_t len) {
                                            if (addr == wire::kFdSegmentAddr) {
                                              twice = twice || fd_segments;
                                              fd_segments = true;
                                              fd_offsets = std::span(d, len);
                                            } else if (WriteOwnMemory(addr, d, len) < 0) {
                                              fault = true;
                                            }
                                          });
  if (!seg || twice) return -EPROTO;
  if (fault) return -EFAULT;
  if (h.status < 0) return h.status;  // a failed call hands over nothing
  if (fd_segments || !fds.empty()) {
    if (int rc = fds.PlaceInto(fd_offsets, arg, size); rc < 0) return rc;
  }
  return h.status;
}

}  // namespace accel::client
