// libaccel.cc - the C API of include/accel/libaccel.h over the acceld socket.
//
// Every entry point is noexcept and returns 0/count or a negative errno; no C++ exception or
// type crosses the C boundary.
#include <accel/libaccel.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "client_connection.h"
#include "transport/socket/runtime_dir.h"
#include "transport/socket/wire.h"

struct accel_handle {
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
  std::string p = wire::SocketPath(wire::DefaultRuntimeDir());
  if (buf == nullptr || p.size() + 1 > len) return -ENAMETOOLONG;
  std::memcpy(buf, p.c_str(), p.size() + 1);
  return static_cast<int>(p.size());
}

int accel_open(const char* name, accel_handle** out) try {
  if (name == nullptr || out == nullptr) return -EINVAL;
  *out = nullptr;
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
  *out = new accel_handle{conn.release()};
  return 0;
} catch (const std::bad_alloc&) {
  return -ENOMEM;
}

int accel_ioctl(accel_handle* h, unsigned long cmd, void* arg) {
  if (h == nullptr) return -EBADF;
  if (cmd > UINT32_MAX) return -ENOTTY;
  return h->conn->Ioctl(static_cast<uint32_t>(cmd), arg);
}

int accel_close(accel_handle* h) {
  if (h == nullptr) return -EINVAL;
  delete h->conn;
  delete h;
  return 0;
}

uint32_t accel_minor(const accel_handle* h) { return h ? h->conn->minor : UINT32_MAX; }
uint64_t accel_client_id(const accel_handle* h) { return h ? h->conn->client_id : 0; }

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
  Result<ReplyFrame> r = ControlCall(wire::Op::kUnload,
                                     (flags & ACCEL_UNLOAD_FORCE) ? wire::kUnloadForce : 0,
                                     Bytes(name));
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

const char* accel_strerror(int err) { return std::strerror(err < 0 ? -err : err); }

}  // extern "C"
