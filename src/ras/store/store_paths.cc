// store_paths.cc - see store_paths.h.
#include "ras/store/store_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace accel::ras::store {

std::string DefaultPathFor(uid_t euid, const char* xdg_state_home, const char* home) {
  if (euid == 0) return "/var/lib/accel/ras.db";
  if (xdg_state_home != nullptr && xdg_state_home[0] == '/')
    return std::string(xdg_state_home) + "/accel/ras.db";
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.local/state/accel/ras.db";
  return {};
}

int CreateDatabaseFile(const std::string& path) {
  if (path.empty() || path.back() == '/') return -EINVAL;
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
      const std::string part = dir.substr(0, end);
      if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return -errno;
      if (end == std::string::npos) break;
    }
  }
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0) return -errno;
  close(fd);
  return 0;
}

}  // namespace accel::ras::store
