// fd_memory_budget.cc - see fd_memory_budget.h.
#include "transport/socket/fd_memory_budget.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace accel::transport {

FdMemoryBudget::FdMemoryBudget(uint64_t per_uid)
    : inotify_fd_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      per_uid_(per_uid),
      thread_([this] { Loop(); }) {}

FdMemoryBudget::~FdMemoryBudget() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof(one));
  thread_.join();
  if (inotify_fd_ >= 0) close(inotify_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void FdMemoryBudget::set_per_uid(uint64_t bytes) {
  std::lock_guard lock(mu_);
  per_uid_ = bytes;
}

uint64_t FdMemoryBudget::charged(uint32_t uid) const {
  std::lock_guard lock(mu_);
  auto it = by_uid_.find(uid);
  return it == by_uid_.end() ? 0 : it->second;
}

int FdMemoryBudget::Charge(uint32_t uid, int fd) {
  if (uid == 0) return 0;
  struct stat st {};
  if (fstat(fd, &st) != 0) return -errno;
  if (!S_ISREG(st.st_mode)) return 0;
  const int seals = fcntl(fd, F_GET_SEALS);
  if (seals < 0) return 0;  // not a memfd: a file on disk is not the daemon's memory
  if ((seals & F_SEAL_GROW) == 0) return -EINVAL;
  if (inotify_fd_ < 0) return -ENOSYS;
  const uint64_t bytes = (static_cast<uint64_t>(st.st_size) + 4095) & ~uint64_t{4095};
  std::lock_guard lock(mu_);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  // One watch per inode: a memfd sent again (a second mmap of one buffer) is charged once.
  const int wd = inotify_add_watch(inotify_fd_, path.c_str(), IN_DELETE_SELF);
  if (wd < 0) return -errno;
  if (watched_.count(wd) != 0) return 0;
  uint64_t& mine = by_uid_[uid];
  if (mine + bytes > per_uid_) {
    if (mine == 0) by_uid_.erase(uid);
    inotify_rm_watch(inotify_fd_, wd);
    return -EDQUOT;
  }
  mine += bytes;
  watched_[wd] = {uid, bytes};
  return 0;
}

void FdMemoryBudget::Release(int wd) {
  std::lock_guard lock(mu_);
  auto it = watched_.find(wd);
  if (it == watched_.end()) return;
  auto u = by_uid_.find(it->second.uid);
  if (u != by_uid_.end() && (u->second -= it->second.bytes) == 0) by_uid_.erase(u);
  watched_.erase(it);
}

void FdMemoryBudget::Loop() {
  if (inotify_fd_ < 0 || stop_fd_ < 0) return;
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd p[2] = {{inotify_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(p, 2, -1) < 0 && errno != EINTR) return;
    if (p[1].revents) return;
    if (!(p[0].revents & POLLIN)) continue;
    for (ssize_t n; (n = read(inotify_fd_, buf, sizeof(buf))) > 0;) {
      for (char* q = buf; q < buf + n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(q);
        // IN_IGNORED follows IN_DELETE_SELF (and any removal): the inode is gone.
        if (ev->mask & IN_IGNORED) Release(ev->wd);
        q += sizeof(inotify_event) + ev->len;
      }
    }
  }
}

}  // namespace accel::transport
