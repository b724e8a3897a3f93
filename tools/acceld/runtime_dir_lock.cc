// runtime_dir_lock.cc - see runtime_dir_lock.h.
#include "runtime_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "wire/runtime_dir.h"

namespace accel::acceld {
namespace {}  // namespace

Result<RuntimeDirLock> RuntimeDirLock::Acquire(const std::string& dir, long* holder_pid) {
  *holder_pid = 0;
  if (int rc = accel::wire::PrepareRuntimeDir(dir); rc < 0) return Errno{rc};
  std::string path = dir + "/" + wire::kLockFileName;
  // Never through a symlink, and never a file that is not a lock file of ours: a root acceld
  // must not be talked into truncating another file (a symlink or hard link planted where
  // acceld.lock goes). A file it creates here is its own; one already there must be a
  // regular file of our euid with one link, as an earlier acceld left it.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) {
    fd = open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
                    st.st_nlink != 1)) {
      close(fd);
      return Err(EEXIST);
    }
  }
  if (fd < 0) return Err(errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    char buf[32] = {};
    if (pread(fd, buf, sizeof(buf) - 1, 0) > 0) *holder_pid = std::strtol(buf, nullptr, 10);
    close(fd);
    return Err(e == EWOULDBLOCK ? EBUSY : e);
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only informative; the lock is what counts.
  }
  return RuntimeDirLock(fd, path);
}

RuntimeDirLock::~RuntimeDirLock() {
  if (fd_ >= 0) {
    if (ftruncate(fd_, 0) != 0) {
    }
    close(fd_);
  }
}

}  // namespace accel::acceld
