// runtime_dir_lock.h - one daemon per runtime directory.
//
// acceld holds an exclusive flock() on RUNTIME_DIR/acceld.lock for its whole life and writes
// its pid there. A second daemon fails to take the lock and reports the holder; a daemon
// killed with -9 loses the lock with its process, so the next start is never blocked by a
// stale file.
#ifndef ACCEL_TOOLS_ACCELD_RUNTIME_DIR_LOCK_H_
#define ACCEL_TOOLS_ACCELD_RUNTIME_DIR_LOCK_H_

#include <string>

#include <accel/result.h>

namespace accel::acceld {

class RuntimeDirLock {
 public:
  // Creates the directory (mode 0755) if needed and takes the lock. -EBUSY when another
  // daemon holds it (*holder_pid set when known).
  static Result<RuntimeDirLock> Acquire(const std::string& dir, long* holder_pid);
  RuntimeDirLock(RuntimeDirLock&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)) {
    o.fd_ = -1;
  }
  RuntimeDirLock& operator=(RuntimeDirLock&&) = delete;
  ~RuntimeDirLock();

 private:
  RuntimeDirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
};

}  // namespace accel::acceld

#endif  // ACCEL_TOOLS_ACCELD_RUNTIME_DIR_LOCK_H_
