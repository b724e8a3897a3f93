// runtime_dir.h - where acceld's socket lives, agreed by the daemon and every client.
#ifndef ACCEL_WIRE_RUNTIME_DIR_H_
#define ACCEL_WIRE_RUNTIME_DIR_H_

#include <accel/result.h>
#include <sys/un.h>

#include <string>

namespace accel::wire {

// Where acceld puts its sockets: $ACCEL_RUNTIME_DIR if set; else the system directory for
// root; else $XDG_RUNTIME_DIR/accel; else /tmp/accel-UID.
std::string DefaultRuntimeDir();
// The system daemon's directory: $ACCEL_SYSTEM_RUNTIME_DIR if set (tests), else /run/accel.
std::string SystemRuntimeDir();
// Where a client looks: $ACCEL_RUNTIME_DIR if set; else the system daemon's directory when its
// socket is there (so an ordinary user finds the root acceld, as Docker's and PipeWire's
// clients find their system daemon); else DefaultRuntimeDir(), the user's own.
std::string ClientRuntimeDir();
// The sockets acceld serves in its runtime directory, by name: the device protocol
// (docs/wire-protocol.md), the gRPC RAS query service and its root-only admin service
// (docs/ras/grpc.md). Daemon and clients form every path from these, never from a literal.
inline constexpr char kDeviceSocketName[] = "acceld.sock";
inline constexpr char kRasSocketName[] = "ras.sock";
inline constexpr char kRasAdminSocketName[] = "ras-admin.sock";
inline constexpr char kLockFileName[] = "acceld.lock";

inline std::string SocketPath(const std::string& runtime_dir) {
  return runtime_dir + "/" + kDeviceSocketName;
}
inline std::string RasSocketPath(const std::string& runtime_dir) {
  return runtime_dir + "/" + kRasSocketName;
}
inline std::string RasAdminSocketPath(const std::string& runtime_dir) {
  return runtime_dir + "/" + kRasAdminSocketName;
}

// The AF_UNIX address of `path`; -ENAMETOOLONG past sun_path's 108 bytes.
Result<sockaddr_un> UnixSocketAddress(const std::string& path);

// mkdir -p with mode 0755 for each missing component; 0 or a negative errno.
int CreateDirectories(const std::string& dir);

// The last-resort runtime directory, /tmp/accel-UID: in a directory every user may write, so
// another user could have made it first (a symlink, or a directory of theirs holding a fake
// acceld.sock). It is used only when it is private, as XDG_RUNTIME_DIR must be: a real
// directory, not a symlink, owned by this euid, mode 0700.
std::string FallbackRuntimeDir();
// 0 when `dir` is not the fallback or the fallback is private (or does not exist yet);
// -EACCES when it is another user's, a symlink, not a directory or open to others.
int CheckRuntimeDir(const std::string& dir);
// For acceld: creates `dir` (the fallback with mode 0700, others as CreateDirectories) and
// checks it with CheckRuntimeDir; 0 or a negative errno.
int PrepareRuntimeDir(const std::string& dir);

}  // namespace accel::wire

#endif  // ACCEL_WIRE_RUNTIME_DIR_H_
