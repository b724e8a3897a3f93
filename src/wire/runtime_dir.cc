// runtime_dir.cc - see runtime_dir.h.
#include "wire/runtime_dir.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace accel::wire {

std::string SystemRuntimeDir() {
  if (const char* d = std::getenv("ACCEL_SYSTEM_RUNTIME_DIR"); d && *d) return d;
  return "/run/accel";
}

std::string DefaultRuntimeDir() {
  if (const char* d = std::getenv("ACCEL_RUNTIME_DIR"); d && *d) return d;
  if (geteuid() == 0) return SystemRuntimeDir();
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/accel";
  return FallbackRuntimeDir();
}

std::string ClientRuntimeDir() {
  if (const char* d = std::getenv("ACCEL_RUNTIME_DIR"); d && *d) return d;
  const std::string system = SystemRuntimeDir();
  struct stat st;
  if (stat(SocketPath(system).c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return system;
  return DefaultRuntimeDir();
}

std::string FallbackRuntimeDir() {
  return "/tmp/accel-" + std::to_string(geteuid());
}

int CheckRuntimeDir(const std::string& dir) {
  if (dir != FallbackRuntimeDir()) return 0;
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return errno == ENOENT ? 0 : -errno;
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) return -EACCES;
  return 0;
}

int PrepareRuntimeDir(const std::string& dir) {
  if (dir != FallbackRuntimeDir()) return CreateDirectories(dir);
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return -errno;
  return CheckRuntimeDir(dir);
}

Result<sockaddr_un> UnixSocketAddress(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return Err(ENAMETOOLONG);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

int CreateDirectories(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string part = dir.substr(0, pos);
    if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return -errno;
  }
  return 0;
}

}  // namespace accel::wire
