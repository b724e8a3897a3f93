// libaccel.cc - the C API of include/accel/libaccel.h over the acceld socket.
//
// Every entry point is noexcept and returns 0/count or a negative errno; no C++ exception or
// type crosses the C boundary.
#include <accel/libaccel.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include <linux/ioctl.h>
#include <unistd.h>

#include "client_connection.h"
#include "node_file.h"
#include "wire/runtime_dir.h"
#include "wire/wire.h"

// An open device: a socket connection, or a file descriptor of a FUSE node.
struct accel_handle {
  accel::client::ClientConnection* conn = nullptr;  // ACCEL_TRANSPORT_SOCKET
  int fd = -1;                                      // ACCEL_TRANSPORT_NODE
  uint32_t minor = UINT32_MAX;
};

struct accel_monitor {
  accel::client::ClientConnection* conn;
};

namespace {

using accel::Result;
using accel::client::ClientConnection;
using accel::client::ReplyFrame;
namespace wire = accel::wire;

// A control operation on a fresh connection.
Result<ReplyFrame> ControlCall(wire::Op op, uint32_t arg, std::span<const uint8_t> payload) {
  Result<ClientConnection*> c = ClientConnection::Connect();
  if (!c) return accel::Errno{c.error()};
  std::unique_ptr<ClientConnection> conn(*c);
  return conn->Call(op, arg, payload);
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

extern "C" {

int accel_socket_path(char* buf, size_t len) {
  std::string p = wire::SocketPath(wire::ClientRuntimeDir());
  if (buf == nullptr || p.size() + 1 > len) return -ENAMETOOLONG;
  std::memcpy(buf, p.c_str(), p.size() + 1);
  return static_cast<int>(p.size());
}

int accel_open(const char* name, accel_handle** out) {
  return accel_open_transport(name, 0, out);
}

int accel_open_transport(const char* name, int transport, accel_handle** out) try {
  if (name == nullptr || out == nullptr) return -EINVAL;
  *out = nullptr;
  accel::client::TransportChoice choice;
  switch (transport) {
    case 0:
      choice = accel::client::ChosenTransport();
      break;
    case ACCEL_TRANSPORT_SOCKET:
      choice = accel::client::TransportChoice::kSocket;
      break;
    case ACCEL_TRANSPORT_NODE:
      choice = accel::client::TransportChoice::kNode;
      break;
    default:
      return -EINVAL;
  }
  if (choice != accel::client::TransportChoice::kSocket) {
    Result<int> fd = accel::client::OpenNode(name, choice == accel::client::TransportChoice::kNode);
    if (fd) {
      auto* h = new accel_handle;
      h->fd = *fd;
      h->minor = accel::client::NodeMinor(*fd);
      *out = h;
      return 0;
    }
    if (fd.error() != -ENOENT || choice == accel::client::TransportChoice::kNode) return fd.error();
  }
  Result<ClientConnection*> c = ClientConnection::Connect();
  if (!c) return c.error();
  std::unique_ptr<ClientConnection> conn(*c);
  Result<ReplyFrame> r = conn->Call(wire::Op::kOpen, 0, Bytes(name));
  if (!r) return r.error();
  if (r->status < 0) return r->status;
  if (r->payload.size() != sizeof(wire::OpenReply)) return -EPROTO;
  wire::OpenReply open;
  std::memcpy(&open, r->payload.data(), sizeof(open));
  conn->minor = open.minor;
  conn->client_id = open.client_id;
  *out = new accel_handle{conn.release(), -1, open.minor};
  return 0;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_ioctl(accel_handle* h, unsigned long cmd, void* arg) {
  return accel_ioctl_sized(h, cmd, arg, _IOC_SIZE(cmd));
}

namespace {

// Every ioctl: `bounds` are the buffers a copy-out may fill, taken from the struct before the
// call (the reply rewrites it).
int IoctlWithin(accel_handle* h, unsigned long cmd, void* arg, size_t size,
                const accel::client::ReplyBounds& bounds) {
  if (h->conn == nullptr) {
    // The kernel hands the daemon _IOC_SIZE(cmd) bytes whatever the caller's struct is, so the
    // dispatcher could not see this mismatch; it answers the same -EINVAL over the socket.
    if (size != _IOC_SIZE(cmd)) return -EINVAL;
    return accel::client::NodeIoctl(h->fd, static_cast<uint32_t>(cmd), arg, bounds);
  }
  return h->conn->Ioctl(static_cast<uint32_t>(cmd), arg, size, bounds);
}

}  // namespace

int accel_ioctl_sized(accel_handle* h, unsigned long cmd, void* arg, size_t size) {
  if (h == nullptr) return -EBADF;
  if (cmd > UINT32_MAX) return -ENOTTY;
  return IoctlWithin(h, cmd, arg, size,
                     accel::client::ReplyBounds::ForCommand(static_cast<uint32_t>(cmd), arg, size));
}

int accel_ioctl_buffers(accel_handle* h, unsigned long cmd, void* arg,
                        const accel_user_buffer* bufs, size_t n) {
  if (h == nullptr) return -EBADF;
  if (cmd > UINT32_MAX) return -ENOTTY;
  if (n > ACCEL_MAX_USER_BUFFERS || (n != 0 && bufs == nullptr)) return -EINVAL;
  const size_t size = _IOC_SIZE(cmd);
  accel::client::ReplyBounds bounds =
      accel::client::ReplyBounds::ForCommand(static_cast<uint32_t>(cmd), arg, size);
  for (size_t i = 0; i < n; ++i)
    if (int rc = bounds.Add(bufs[i].addr, bufs[i].len); rc < 0) return rc;
  return IoctlWithin(h, cmd, arg, size, bounds);
}

int accel_close(accel_handle* h) {
  if (h == nullptr) return -EINVAL;
  delete h->conn;
  if (h->fd >= 0) close(h->fd);
  delete h;
  return 0;
}

uint32_t accel_minor(const accel_handle* h) {
  return h ? h->minor : UINT32_MAX;
}
uint64_t accel_client_id(const accel_handle* h) {
  return h && h->conn ? h->conn->client_id : 0;  // a node's client id lives in the daemon only
}
int accel_transport(const accel_handle* h) {
  if (h == nullptr) return -EINVAL;
  return h->conn ? ACCEL_TRANSPORT_SOCKET : ACCEL_TRANSPORT_NODE;
}

int accel_monitor_open(accel_monitor** out) try {
  if (out == nullptr) return -EINVAL;
  *out = nullptr;
  Result<ClientConnection*> c = ClientConnection::Connect();
  if (!c) return c.error();
  std::unique_ptr<ClientConnection> conn(*c);
  Result<ReplyFrame> r = conn->Call(wire::Op::kMonitor, 0, {});
  if (!r) return r.error();
  if (r->status < 0) return r->status;
  *out = new accel_monitor{conn.release()};
  return 0;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_monitor_next(accel_monitor* m, accel_monitor_event* ev, int timeout_ms) try {
  if (m == nullptr || ev == nullptr) return -EINVAL;
  Result<ReplyFrame> r = m->conn->NextEvent(timeout_ms);
  if (!r) return r.error();
  static_assert(sizeof(accel_monitor_event) == sizeof(wire::MonitorRecord));
  if (r->payload.size() != sizeof(wire::MonitorRecord)) return -EPROTO;
  std::memcpy(ev, r->payload.data(), sizeof(*ev));
  return 0;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_monitor_fd(const accel_monitor* m) {
  return m ? m->conn->fd() : -EINVAL;
}

void accel_monitor_close(accel_monitor* m) {
  if (m == nullptr) return;
  delete m->conn;
  delete m;
}

int accel_list(accel_device_entry* out, size_t max) try {
  Result<ReplyFrame> r = ControlCall(wire::Op::kList, 0, {});
  if (!r) return r.error();
  if (r->status < 0) return r->status;
  wire::ListHeader lh;
  if (r->payload.size() < sizeof(lh)) return -EPROTO;
  std::memcpy(&lh, r->payload.data(), sizeof(lh));
  if (r->payload.size() != sizeof(lh) + size_t{lh.count} * sizeof(wire::DeviceRecord))
    return -EPROTO;
  static_assert(sizeof(accel_device_entry) == sizeof(wire::DeviceRecord));
  for (size_t i = 0; i < lh.count && i < max && out; ++i) {
    std::memcpy(&out[i], r->payload.data() + sizeof(lh) + i * sizeof(wire::DeviceRecord),
                sizeof(wire::DeviceRecord));
  }
  return static_cast<int>(lh.count);
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_driver_load(const char* name, const char* args, char* why, size_t why_len) try {
  if (name == nullptr) return -EINVAL;
  std::string payload = std::string(name) + '\0' + (args ? args : "");
  Result<ReplyFrame> r = ControlCall(wire::Op::kLoad, 0, Bytes(payload));
  if (!r) return r.error();
  if (why && why_len) {
    size_t n = std::min(why_len - 1, r->payload.size());
    if (n) std::memcpy(why, r->payload.data(), n);  // an empty payload has no data() to copy
    why[n] = '\0';
  }
  return r->status;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_driver_unload(const char* name, unsigned flags) try {
  if (name == nullptr) return -EINVAL;
  if (flags & ~ACCEL_UNLOAD_FORCE) return -EINVAL;
  Result<ReplyFrame> r = ControlCall(
      wire::Op::kUnload, (flags & ACCEL_UNLOAD_FORCE) ? wire::kUnloadForce : 0, Bytes(name));
  if (!r) return r.error();
  return r->status;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_driver_list(char* buf, size_t len) try {
  Result<ReplyFrame> r = ControlCall(wire::Op::kDrivers, 0, {});
  if (!r) return r.error();
  if (r->status < 0) return r->status;
  if (buf == nullptr || r->payload.size() > len) return -ENOSPC;
  std::memcpy(buf, r->payload.data(), r->payload.size());
  return static_cast<int>(r->payload.size());
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

// CLIENTS a frame at a time: each reply says how many blocks there are in all, and the next
// request asks from the first block not yet received. Blocks come and go between requests; the
// text is a fresh look at each page, as `ps` is.
int accel_clients(const char* device, char** text_out) try {
  if (text_out == nullptr) return -EINVAL;
  *text_out = nullptr;
  const std::string name = device ? device : "";
  Result<ClientConnection*> c = ClientConnection::Connect();
  if (!c) return c.error();
  std::unique_ptr<ClientConnection> conn(*c);
  std::string text;
  uint32_t next = 0;
  for (;;) {
    Result<ReplyFrame> r = conn->Call(wire::Op::kClients, next, Bytes(name));
    if (!r) return r.error();
    if (r->status < 0) return r->status;
    wire::ClientsReplyHeader h;
    if (r->payload.size() < sizeof(h)) return -EPROTO;
    std::memcpy(&h, r->payload.data(), sizeof(h));
    text.append(reinterpret_cast<const char*>(r->payload.data()) + sizeof(h),
                r->payload.size() - sizeof(h));
    if (h.count == 0 || next + uint64_t{h.count} >= h.total) break;
    next += h.count;
  }
  if (text.size() > INT32_MAX) return -E2BIG;
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) return -ENOMEM;
  std::memcpy(out, text.c_str(), text.size() + 1);
  *text_out = out;
  return static_cast<int>(text.size());
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

void accel_free(void* p) {
  std::free(p);
}

const char* accel_strerror(int err) {
  return std::strerror(err < 0 ? -err : err);
}

}  // extern "C"
