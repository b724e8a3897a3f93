// fd_memory_budget.h - what the memory a client keeps through a descriptor costs it.
//
// A driver hands a client memory as a memfd (vnpu's buffer objects and rings, dummy's
// EXPORT). The client keeps it as long as it likes, after the buffer object is destroyed and
// its device range reused (issue 12 A6), so device-memory limits alone do not bound the real
// memory a user can pin in acceld's name. So every memfd that install_fd() sends over the
// socket is charged, at its sealed size, to the caller's uid until the kernel frees the
// memfd's inode: an inotify watch on it (through /proc/self/fd/N) reports IN_DELETE_SELF
// once the last descriptor and the last mapping are gone, in whatever process they were.
// The watch does not pin the inode. The same inode is charged once. Past the uid's budget
// install_fd() is -EDQUOT and nothing is sent. Root is not charged. A memfd that is not
// sealed against growth is refused (-EINVAL): its size could not be charged.
// Descriptors that are not memfds (eventfds, files on disk) are not memory and pass free.
#ifndef ACCEL_TRANSPORT_SOCKET_FD_MEMORY_BUDGET_H_
#define ACCEL_TRANSPORT_SOCKET_FD_MEMORY_BUDGET_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace accel::transport {

class FdMemoryBudget {
 public:
  static constexpr uint64_t kDefaultPerUid = uint64_t{4} << 30;  // 4 GiB

  explicit FdMemoryBudget(uint64_t per_uid = kDefaultPerUid);
  ~FdMemoryBudget();
  FdMemoryBudget(const FdMemoryBudget&) = delete;
  FdMemoryBudget& operator=(const FdMemoryBudget&) = delete;

  void set_per_uid(uint64_t bytes);
  // Before `fd` goes to a client of `uid`: 0 (charged, or nothing to charge), -EDQUOT past the
  // budget, -EINVAL for a memfd that can grow, or the errno of fstat/inotify.
  int Charge(uint32_t uid, int fd);
  // Bytes charged to `uid` now.
  uint64_t charged(uint32_t uid) const;

 private:
  struct Watched {
    uint32_t uid;
    uint64_t bytes;
  };
  void Loop();
  void Release(int wd);

  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  mutable std::mutex mu_;
  uint64_t per_uid_;                     // mu_
  std::map<int, Watched> watched_;       // mu_: inotify watch -> its charge
  std::map<uint32_t, uint64_t> by_uid_;  // mu_
  std::thread thread_;                   // last: starts once the members above exist
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_FD_MEMORY_BUDGET_H_
