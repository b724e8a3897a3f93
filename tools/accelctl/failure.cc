// failure.cc - see failure.h.
#include "failure.h"

#include <accel/libaccel.h>
#include <fmt/core.h>
#include <linux/limits.h>

#include <cerrno>
#include <cstdio>

namespace accelctl {

int Fail(ExitStatus status, std::string_view message) {
  fmt::print(stderr, "accelctl: {}\n", message);
  return static_cast<int>(status);
}

std::string DaemonSocketPath() {
  char path[PATH_MAX];
  if (accel_socket_path(path, sizeof(path)) < 0) return "?";
  return path;
}

bool IsUnreachable(int negative_errno) {
  switch (-negative_errno) {
    case ENOENT:        // no socket file: acceld is not running under this runtime dir
    case ECONNREFUSED:  // a stale socket file: acceld died without removing it
    case ENOTDIR:
    case ENAMETOOLONG:
    case ECONNRESET:  // acceld went away mid-call
    case EPROTO:
    case EPROTONOSUPPORT:  // a daemon of another protocol version
      return true;
    default:
      return false;
  }
}

int FailUnreachable(int negative_errno) {
  if (negative_errno == -EPROTONOSUPPORT || negative_errno == -EPROTO)
    return Fail(ExitStatus::kFailed,
                fmt::format("acceld at {} speaks another protocol ({}); use the accelctl built "
                            "with that acceld",
                            DaemonSocketPath(), ErrnoText(negative_errno)));
  if (negative_errno == -EACCES)  // the socket or its directory is not ours to use
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot reach acceld at {} ({}); ask for access to that directory "
                            "or set ACCEL_RUNTIME_DIR to the daemon you may use",
                            DaemonSocketPath(), ErrnoText(negative_errno)));
  return Fail(ExitStatus::kFailed,
              fmt::format("cannot reach acceld at {} ({}); start it with `acceld` or set "
                          "ACCEL_RUNTIME_DIR",
                          DaemonSocketPath(), ErrnoText(negative_errno)));
}

std::string ErrnoText(int negative_errno) {
  return accel_strerror(negative_errno);
}

}  // namespace accelctl
