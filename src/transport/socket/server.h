// server.h - acceld's socket transport: one thread per connection, one connection per file.
//
// DOC: threads and lifetime
//
// Run() owns the listening socket and a poll loop over: the listener, a stop fd (acceld's
// signalfd), a wake eventfd, and every connection with POLLRDHUP only. A new connection gets
// its own thread, which reads a frame, answers it and loops; so a call that sleeps in a driver
// blocks only its own file's connection, as a blocking ioctl blocks only its caller. When a
// peer hangs up while its thread sleeps in the driver, the poll loop sees POLLRDHUP and
// interrupts the file (the sleep returns -EINTR). Threads that finish are joined by the loop.
//
// Shutdown (the stop fd becomes readable): stop accepting, unload every driver by force
// (devices unplug, sleepers wake with -ENODEV), shut every connection down, join the threads.
//
// Every frame is judged by the credentials the kernel attached to it (SO_PASSCRED), per
// docs/wire-protocol.md. This file is the connection machinery and the session (handshake,
// open, IOCTL, monitor); the operations that name no file are ControlOps's (control_ops.h).
#ifndef ACCEL_TRANSPORT_SOCKET_SERVER_H_
#define ACCEL_TRANSPORT_SOCKET_SERVER_H_

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <accel/result.h>
#include "core/caller.h"
#include "core/driver_control.h"
#include "core/registry.h"
#include "transport/socket/control_ops.h"
#include "transport/socket/fd_memory_budget.h"

namespace accel::transport {

class SocketServer {
 public:
  SocketServer(core::Registry& registry, core::DriverControl& loader);
  ~SocketServer();

  // Creates the socket at `path` (mode 0666, replacing a stale one) and listens.
  Result<void> Listen(const std::string& path);
  // Serves until `stop_fd` becomes readable, then shuts down as described above.
  void Run(int stop_fd);

  size_t connection_count() const;
  // nullptr when a connection of `uid` may be admitted now; otherwise why not.
  const char* Admit(uint32_t uid) const;
  // Bytes of memfds a non-root uid may hold at once through descriptors it was sent
  // (fd_memory_budget.h); acceld's --fd-memory-per-user.
  void set_fd_memory_per_uid(uint64_t bytes) { fd_budget_.set_per_uid(bytes); }
  const FdMemoryBudget& fd_budget() const { return fd_budget_; }

  struct Connection;  // one client: a file, a control or a monitor connection

 private:
  void Serve(Connection* conn);
  void ServeFrames(Connection* conn, const std::optional<core::Caller>& connector);
  void Accept();
  void ReapFinished();
  void ShutdownAll();

  core::Registry& registry_;
  core::DriverControl& loader_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::string path_;
  mutable std::mutex conns_mu_;
  std::list<std::unique_ptr<Connection>> conns_;
  ControlOps control_;        // LIST, LOAD, UNLOAD, ...: shared by every connection
  FdMemoryBudget fd_budget_;  // memfds sent to clients, charged until the kernel frees them
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_SERVER_H_
