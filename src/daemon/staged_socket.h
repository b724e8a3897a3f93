// staged_socket.h - a UNIX socket path that appears only once its mode and group are final.
//
// bind(2) creates the socket file with the process umask applied, and gRPC binds inside
// BuildAndStart(), so a chmod() after it leaves a window in which the path is wider than
// meant. Instead the server binds inside a fresh private directory (mkdtemp, 0700) beside
// the target, sets the socket's mode and group there, and rename(2)s it into place: connect()
// resolves the path to the socket's inode, which rename keeps, so the published path is never
// reachable with the wrong mode.
//
//   auto staged = StagedSocket::Create("/run/accel/ras-admin.sock");
//   builder.AddListeningPort("unix:" + staged->bind_path(), ...);   // BuildAndStart()
//   staged->Publish(0600, -1);
//   ...
//   staged->Unpublish();  // on shutdown: removes the path if it is still this socket
#ifndef ACCEL_DAEMON_STAGED_SOCKET_H_
#define ACCEL_DAEMON_STAGED_SOCKET_H_

#include <accel/result.h>
#include <sys/types.h>

#include <string>

namespace accel::ras {

class StagedSocket {
 public:
  // Creates the private directory beside `target`. Fails with -EEXIST when `target` exists
  // and is not a socket, -EADDRINUSE when a server accepts connections on it (a stale socket
  // is replaced on Publish), -ENAMETOOLONG when the staging path does not fit sun_path.
  static Result<StagedSocket> Create(const std::string& target);
  StagedSocket(StagedSocket&& other) noexcept;
  StagedSocket& operator=(StagedSocket&& other) noexcept;
  StagedSocket(const StagedSocket&) = delete;
  StagedSocket& operator=(const StagedSocket&) = delete;
  ~StagedSocket();  // removes the staging directory; leaves a published socket alone

  const std::string& target() const { return target_; }
  // Where the server binds before Publish().
  const std::string& bind_path() const { return bind_path_; }
  // chown (gid >= 0), chmod, rename into place, remove the staging directory.
  Result<void> Publish(mode_t mode, int gid);
  // Unlinks the target if it is still the socket Publish() put there.
  void Unpublish();

 private:
  StagedSocket() = default;
  void RemoveStaging();

  std::string target_;
  std::string staging_dir_;  // empty once removed
  std::string bind_path_;
  bool published_ = false;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_STAGED_SOCKET_H_
