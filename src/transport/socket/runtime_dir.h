// runtime_dir.h - where acceld's socket lives, agreed by the daemon and every client.
#ifndef ACCEL_TRANSPORT_SOCKET_RUNTIME_DIR_H_
#define ACCEL_TRANSPORT_SOCKET_RUNTIME_DIR_H_

#include <accel/result.h>
#include <sys/un.h>

#include <string>

namespace accel::wire {

// $ACCEL_RUNTIME_DIR if set; else /run/accel for root; else $XDG_RUNTIME_DIR/accel; else
// /tmp/accel-UID.
std::string DefaultRuntimeDir();
inline std::string SocketPath(const std::string& runtime_dir) {
  return runtime_dir + "/acceld.sock";
}

// The AF_UNIX address of `path`; -ENAMETOOLONG past sun_path's 108 bytes.
Result<sockaddr_un> UnixSocketAddress(const std::string& path);

// mkdir -p with mode 0755 for each missing component; 0 or a negative errno.
int CreateDirectories(const std::string& dir);

}  // namespace accel::wire

#endif  // ACCEL_TRANSPORT_SOCKET_RUNTIME_DIR_H_
