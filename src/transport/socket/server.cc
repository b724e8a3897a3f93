// server.cc - acceld's socket transport; see server.h and docs/wire-protocol.md.
#include "transport/socket/server.h"

#include <linux/ioctl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "core/device.h"
#include "core/dispatch.h"
#include "core/driver.h"
#include "core/file.h"
#include "core/permissions.h"
#include "transport/socket/payload.h"
#include "transport/socket/peer_credentials.h"
#include "transport/socket/reply_memory.h"
#include "wire/runtime_dir.h"
#include "wire/wire.h"

namespace accel::transport {

namespace {

// Admission (docs/wire-protocol.md, "Connections"): each connection is a thread, so their
// number is bounded. Past kMaxConnections nobody gets another; the last kRootReserve of them
// are root's alone, and other users get at most kMaxPerUid each, so that no user (nor all of
// them together) can lock root out. A refused client gets one frame, -EUSERS, then EOF.
constexpr size_t kMaxConnections = 1024;
constexpr size_t kRootReserve = 64;
constexpr size_t kMaxPerUid = 64;
// A connection must send HELLO this soon after connecting, or it is closed: an idle socket
// that never speaks holds a thread and a place for nothing.
constexpr int kHandshakeDeadlineMs = 2000;

bool SendAll(int fd, const std::vector<uint8_t>& frame) {
  for (;;) {
    ssize_t n = send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n) == frame.size();
    if (errno != EINTR) return false;
  }
}

}  // namespace

struct SocketServer::Connection {
  int fd = -1;
  // Monitor stream state: events are sent from whichever thread raised them, non-blocking.
  uint64_t monitor_id = 0;  // registry subscription, 0 when not monitoring
  std::atomic<bool> monitor_ready{false};
  // Held while the MONITOR reply goes out and the stream opens, and by every event sent: an
  // event raised once the client has its reply (it may act on it at once, e.g. LOAD a
  // driver) must reach it, not be dropped in the window before monitor_ready is set.
  std::mutex monitor_mu;
  std::atomic<uint64_t> monitor_seqno{0};
  std::thread thread;
  std::atomic<bool> finished{false};
  bool hangup_seen = false;  // poll loop only
  std::mutex mu;             // guards file against the poll loop's Interrupt()
  core::File* file = nullptr;
  std::vector<uint32_t> groups;  // SO_PEERGROUPS at connect
  uint32_t uid = 0;              // SO_PEERCRED at connect, for admission
  uint16_t version = 0;          // 0 until HELLO
};

SocketServer::SocketServer(core::Registry& registry, core::DriverControl& loader)
    : registry_(registry), loader_(loader), control_(registry, loader) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

SocketServer::~SocketServer() {
  ShutdownAll();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
  }
  if (wake_fd_ >= 0) close(wake_fd_);
}

Result<void> SocketServer::Listen(const std::string& path) {
  Result<sockaddr_un> addr = wire::UnixSocketAddress(path);
  if (!addr) return Errno{addr.error()};
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return Err(errno);
  unlink(path.c_str());  // stale: the runtime-dir lock says no other daemon owns it
  if (bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) != 0 ||
      chmod(path.c_str(), 0666) != 0 || listen(fd, 128) != 0) {
    int e = errno;
    close(fd);
    return Err(e);
  }
  listen_fd_ = fd;
  path_ = path;
  return {};
}

size_t SocketServer::connection_count() const {
  std::lock_guard lock(conns_mu_);
  return conns_.size();
}

void SocketServer::Run(int stop_fd) {
  for (;;) {
    std::vector<pollfd> fds = {
        {listen_fd_, POLLIN, 0}, {stop_fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    std::vector<Connection*> watched;
    {
      std::lock_guard lock(conns_mu_);
      for (auto& c : conns_) {
        if (c->hangup_seen || c->finished) continue;
        fds.push_back({c->fd, POLLRDHUP, 0});
        watched.push_back(c.get());
      }
    }
    int n = poll(fds.data(), fds.size(), -1);
    if (n < 0 && errno != EINTR) {
      spdlog::error("poll: {}", std::strerror(errno));
      break;
    }
    if (fds[1].revents) break;
    if (fds[2].revents) {
      uint64_t v;
      (void)!read(wake_fd_, &v, sizeof(v));
    }
    for (size_t i = 0; i < watched.size(); ++i) {
      if (!fds[3 + i].revents) continue;
      Connection* c = watched[i];
      c->hangup_seen = true;
      std::lock_guard lock(c->mu);
      if (c->file) c->file->Interrupt();  // a call sleeping for a vanished caller
    }
    ReapFinished();
    if (fds[0].revents & POLLIN) Accept();
  }
  ShutdownAll();
}

void SocketServer::Accept() {
  int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno != EAGAIN && errno != EINTR) spdlog::warn("accept: {}", std::strerror(errno));
    return;
  }
  const std::optional<core::Caller> peer = PeerCred(fd);
  if (!peer) {
    close(fd);
    return;
  }
  if (const char* why = Admit(peer->uid)) {
    spdlog::warn("refusing a connection of uid {}: {}", peer->uid, why);
    // The client must be able to read why: refuse more input (its HELLO, if not sent yet, is
    // EPIPE to it and libaccel then reads this frame), drop what came (unread data at close
    // would turn our frame into ECONNRESET for the client), then send and close.
    shutdown(fd, SHUT_RD);
    char scratch[256];
    while (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0) {
    }
    const std::vector<uint8_t> frame =
        wire::BuildFrame(static_cast<wire::Op>(0), 0, -EUSERS, 0, std::span<const uint8_t>(), true);
    (void)send(fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
    return;
  }
  if (!EnablePassCred(fd)) {
    spdlog::warn("SO_PASSCRED: {}; dropping connection", std::strerror(errno));
    close(fd);
    return;
  }
  auto conn = std::make_unique<Connection>();
  conn->fd = fd;
  conn->uid = peer->uid;
  conn->groups = PeerGroups(fd);
  Connection* raw = conn.get();
  {
    std::lock_guard lock(conns_mu_);
    conns_.push_back(std::move(conn));
  }
  raw->thread = std::thread([this, raw] { Serve(raw); });
}

const char* SocketServer::Admit(uint32_t uid) const {
  std::lock_guard lock(conns_mu_);
  const size_t total = conns_.size();
  if (total >= kMaxConnections) return "the daemon's connection limit is reached";
  if (uid == 0) return nullptr;
  if (total >= kMaxConnections - kRootReserve) return "the rest of the connections are root's";
  size_t mine = 0;
  for (const auto& c : conns_) mine += c->uid == uid && !c->finished;
  return mine >= kMaxPerUid ? "this user has as many connections as a user may" : nullptr;
}

void SocketServer::ReapFinished() {
  std::list<std::unique_ptr<Connection>> done;
  {
    std::lock_guard lock(conns_mu_);
    for (auto it = conns_.begin(); it != conns_.end();) {
      if ((*it)->finished) {
        done.push_back(std::move(*it));
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& c : done) {
    c->thread.join();
    close(c->fd);
  }
}

void SocketServer::ShutdownAll() {
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
  // Unplugging wakes every sleeper with -ENODEV; then no thread is stuck in a driver.
  loader_.UnloadAll();
  {
    std::lock_guard lock(conns_mu_);
    for (auto& c : conns_) shutdown(c->fd, SHUT_RDWR);
  }
  for (;;) {
    std::unique_ptr<Connection> c;
    {
      std::lock_guard lock(conns_mu_);
      if (conns_.empty()) break;
      c = std::move(conns_.front());
      conns_.pop_front();
    }
    if (c->thread.joinable()) c->thread.join();
    close(c->fd);
  }
}

namespace {

// The answer to one request frame: status, payload, and whether to hang up after sending.
// The payload is `body` then `tail`; both are views into buffers the session owns and reuses,
// so the IOCTL path allocates nothing per call.
struct Reply {
  int32_t status = 0;
  std::span<const uint8_t> body;
  std::span<const uint8_t> tail;
  bool close_after = false;
  std::span<const int> fds;  // IOCTL: descriptors the handler installed (owned by the session)
};

// Sends header + body + tail as one datagram, with `fds` (SCM_RIGHTS) when there are any, in
// the connection's protocol `version`.
bool SendReply(int fd, const wire::Header& request, const Reply& r, uint16_t version) {
  wire::Header h =
      wire::MakeHeader(static_cast<wire::Op>(request.op), request.seq, r.status, request.arg,
                       static_cast<uint32_t>(r.body.size() + r.tail.size()), true, version);
  iovec iov[3] = {{&h, sizeof(h)},
                  {const_cast<uint8_t*>(r.body.data()), r.body.size()},
                  {const_cast<uint8_t*>(r.tail.data()), r.tail.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 3;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * wire::kMaxReplyFds)];
  if (!r.fds.empty() && r.fds.size() <= wire::kMaxReplyFds) {
    const size_t bytes = sizeof(int) * r.fds.size();
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(bytes);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(bytes);
    std::memcpy(CMSG_DATA(c), r.fds.data(), bytes);
  }
  for (;;) {
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<size_t>(n) == sizeof(h) + r.body.size() + r.tail.size();
    if (errno != EINTR) return false;
  }
}

}  // namespace

// One connection's protocol state machine, run on its own thread: the handshake, the open
// file and its IOCTLs, the monitor stream; the control operations it hands to ControlOps.
class ConnectionSession {
 public:
  ConnectionSession(core::Registry& registry, ControlOps& control, FdMemoryBudget& fd_budget,
                    SocketServer::Connection& conn)
      : registry_(registry),
        control_(control),
        fd_budget_(fd_budget),
        conn_(conn),
        file_mu_(conn.mu),
        file_(conn.file),
        groups_(conn.groups),
        version_(conn.version) {}
  ~ConnectionSession() {
    if (conn_.monitor_id) registry_.Unsubscribe(conn_.monitor_id);  // no callback runs after
  }

  Reply Handle(const wire::FrameView& f, const core::Caller& caller) {
    const wire::Header& h = f.header;
    if (version_ == 0) {
      if (h.op != static_cast<uint16_t>(wire::Op::kHello)) return Fatal(-EPROTO);
      return Hello(f);
    }
    if (h.version != version_) return Fatal(-EPROTO);
    switch (static_cast<wire::Op>(h.op)) {
      case wire::Op::kHello:
        return Error(-EPROTO);
      case wire::Op::kOpen:
        return Open(f, caller);
      case wire::Op::kIoctl:
        return Ioctl(f, caller);
      case wire::Op::kList:
        return Out(control_.List(out_));
      case wire::Op::kLoad:
        return Out(control_.Load(f, caller, out_));
      case wire::Op::kUnload:
        return Out(control_.Unload(f, caller, out_));
      case wire::Op::kDrivers:
        return Out(control_.Drivers(out_));
      case wire::Op::kMonitor:
        return Monitor();
      case wire::Op::kClients:
        if (version_ < wire::kFdVersion) return Error(-EOPNOTSUPP);
        return Out(control_.Clients(f, caller, out_));
      case wire::Op::kCopyIn:
        return Error(-EPROTO);  // only the daemon asks, and only during an IOCTL
    }
    return Error(-EOPNOTSUPP);
  }

  // After the reply went out (or could not): the descriptors it carried are closed here.
  void ReplySent() {
    reply_memory_.reset();
    if (conn_.monitor_id) conn_.monitor_ready = true;
  }

 private:
  static Reply Error(int e) { return Reply{e, {}, {}, false, {}}; }
  static Reply Fatal(int e) { return Reply{e, {}, {}, true, {}}; }
  // A reply whose payload is out_ (filled by the handler, left empty where there is none).
  Reply Out(int32_t status = 0) { return Reply{status, out_, {}, false, {}}; }

  Reply Hello(const wire::FrameView& f) {
    wire::HelloRequest req;
    if (f.payload.size() != sizeof(req)) return Fatal(-EPROTO);
    std::memcpy(&req, f.payload.data(), sizeof(req));
    const uint16_t hi = std::min(req.max_version, wire::kVersion);
    if (req.min_version > req.max_version || hi < req.min_version || hi < wire::kMinVersion)
      return Fatal(-EPROTONOSUPPORT);
    version_ = hi;
    out_.clear();
    AppendStruct(out_, wire::HelloReply{hi, 0, static_cast<uint32_t>(wire::kMaxFrame)});
    return Out();
  }

  Reply Open(const wire::FrameView& f, const core::Caller& caller) {
    if (file_) return Error(-EISCONN);
    std::string name = PayloadString(f);
    if (name.empty() || name.size() > wire::kMaxDeviceName || name.find('\0') != std::string::npos)
      return Error(-EINVAL);
    Result<core::DeviceRef> dev = registry_.LookupName(name);
    if (!dev) return Error(dev.error());
    if (!core::MayOpenReadWrite((*dev)->permissions(), caller.uid, caller.gid, groups_))
      return Error(-EACCES);
    Result<core::File*> file = (*dev)->Open(caller);
    if (!file) return Error(file.error());
    {
      std::lock_guard lock(file_mu_);
      file_ = *file;
    }
    out_.clear();
    AppendStruct(out_, wire::OpenReply{(*dev)->minor(), 0, (*file)->client_id()});
    return Out();
  }

  Reply Ioctl(const wire::FrameView& f, const core::Caller& caller) {
    if (!file_) return Error(-EBADF);
    const uint32_t cmd = f.header.arg;  // the dispatcher judges the payload's size against it
    // The dispatcher works on the struct in place: the receive buffer is this connection's
    // own private copy, exactly what copy_from_user would have produced.
    auto* arg = const_cast<uint8_t*>(f.payload.data());
    segments_.clear();
    // copy_from_user asks the caller over this connection (version 3 clients answer COPY_IN).
    const bool copy_in = version_ >= wire::kCopyInVersion;
    copy_in_.Begin(conn_.fd, f.header.seq, version_);
    // Lives until ReplySent(): its descriptors must stay open while the reply is sent.
    reply_memory_.emplace(segments_, wire::kMaxPayload - f.payload.size(),
                          version_ >= wire::kFdVersion, copy_in ? &copy_in_ : nullptr, &fd_budget_,
                          caller.uid);
    Reply r;
    r.status = core::Dispatch(*file_, caller, cmd, arg, f.payload.size(), *reply_memory_);
    r.close_after = copy_in_.broken();  // a lost COPY_IN leaves the stream out of step
    r.fds = reply_memory_->Finish(r.status);
    r.body = f.payload;
    r.tail = segments_;
    return r;
  }

  Reply Monitor() {
    if (file_ || conn_.monitor_id) return Error(-EISCONN);
    SocketServer::Connection* conn = &conn_;
    conn_.monitor_id = registry_.Subscribe(
        [conn](core::DeviceEvent e, const core::Device& dev) { SendMonitorEvent(*conn, e, dev); });
    return {};
  }

  static uint32_t MonitorAction(core::DeviceEvent e) {
    switch (e) {
      case core::DeviceEvent::kAdded:
        return wire::kMonitorAdd;
      case core::DeviceEvent::kRemoved:
        return wire::kMonitorRemove;
      case core::DeviceEvent::kChanged:
        return wire::kMonitorChange;
      case core::DeviceEvent::kWedged:
        return wire::kMonitorWedged;
      case core::DeviceEvent::kRecovered:
        return wire::kMonitorRecovered;
    }
    return wire::kMonitorChange;
  }

  // Runs on the thread that raised the event, under the registry's subscriber lock. Never
  // blocks: a monitor that does not read loses events, and the seqno gap tells it so.
  static void SendMonitorEvent(SocketServer::Connection& conn, core::DeviceEvent e,
                               const core::Device& dev) {
    std::lock_guard lock(conn.monitor_mu);
    if (!conn.monitor_ready) return;
    wire::MonitorRecord rec{};
    rec.action = MonitorAction(e);
    // A version-1 client was promised actions 1 to 3 only.
    if (rec.action > wire::kMonitorChange && conn.version < wire::kFdVersion) return;
    rec.minor = dev.minor();
    rec.seqno = ++conn.monitor_seqno;
    rec.timestamp_ns =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
    wire::CopyField(rec.name, sizeof(rec.name), dev.name());
    wire::CopyField(rec.driver, sizeof(rec.driver), dev.driver_name());
    wire::Header h = wire::MakeHeader(wire::Op::kMonitor, 0, 0, 0, sizeof(rec), true, conn.version);
    iovec iov[2] = {{&h, sizeof(h)}, {&rec, sizeof(rec)}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    (void)sendmsg(conn.fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  core::Registry& registry_;
  ControlOps& control_;        // the operations that name no file, shared by every connection
  FdMemoryBudget& fd_budget_;  // the server's: memfds sent to clients are charged here
  SocketServer::Connection& conn_;
  std::mutex& file_mu_;
  core::File*& file_;
  const std::vector<uint32_t>& groups_;
  uint16_t& version_;
  std::vector<uint8_t> out_;                 // reply payloads, reused
  std::vector<uint8_t> segments_;            // copy-out segments of the current IOCTL, reused
  CopyInChannel copy_in_;                    // copy_from_user for the current IOCTL
  std::optional<ReplyMemory> reply_memory_;  // the current IOCTL's, until its reply is sent
};

void SocketServer::ServeFrames(Connection* conn, const std::optional<core::Caller>& connector) {
  // The handshake deadline: HELLO (or anything) must arrive in time.
  pollfd first{conn->fd, POLLIN, 0};
  int ready;
  do {
    ready = poll(&first, 1, kHandshakeDeadlineMs);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) spdlog::debug("no HELLO within {} ms; closing", kHandshakeDeadlineMs);
  if (ready <= 0) return;
  std::vector<uint8_t> buf(wire::kMaxFrame + 1);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  // The session (and its monitor subscription) ends before the connection is reaped.
  ConnectionSession session(registry_, control_, fd_budget_, *conn);
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(conn->fd, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // peer gone (or shut down by us)
    const bool truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    Result<wire::FrameView> frame = wire::ParseFrame(buf.data(), static_cast<size_t>(n), truncated);
    if (!frame) {
      const size_t got = std::min(static_cast<size_t>(n), buf.size());
      SendAll(conn->fd, wire::BuildFrame(static_cast<wire::Op>(0), wire::SeqOf(buf.data(), got),
                                         frame.error(), 0, std::span<const uint8_t>(), true));
      spdlog::debug("malformed frame ({}), closing connection", std::strerror(-frame.error()));
      break;
    }
    std::optional<core::Caller> caller = MessageCred(msg);
    if (!caller) caller = connector;
    if (!caller) break;
    if (conn->file) conn->file->ClearInterrupt();
    Reply r = session.Handle(*frame, *caller);
    std::unique_lock opening(conn->monitor_mu, std::defer_lock);
    if (conn->monitor_id && !conn->monitor_ready) opening.lock();  // see monitor_mu
    const bool sent =
        SendReply(conn->fd, frame->header, r, conn->version ? conn->version : wire::kVersion);
    session.ReplySent();
    if (opening.owns_lock()) opening.unlock();
    if (!sent || r.close_after) break;
  }
}

void SocketServer::Serve(Connection* conn) {
  const std::optional<core::Caller> connector = PeerCred(conn->fd);
  ServeFrames(conn, connector);
  {
    std::lock_guard lock(conn->mu);
    if (conn->file) {
      conn->file->Close(connector.value_or(core::Caller{}));
      conn->file = nullptr;
    }
  }
  conn->finished = true;
  uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

}  // namespace accel::transport
