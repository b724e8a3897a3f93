// staged_socket.cc - see staged_socket.h.
#include "daemon/staged_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace accel::ras {
namespace {

// -ENOENT: nothing there; 0: a socket nobody accepts on; -EADDRINUSE: a live server;
// -EEXIST: something that is not a socket.
int ProbeExisting(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return errno == ENOENT ? -ENOENT : -errno;
  if (!S_ISSOCK(st.st_mode)) return -EEXIST;
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int err = errno;
  close(fd);
  // EAGAIN: a live server with a full backlog.
  if (rc == 0 || err == EAGAIN) return -EADDRINUSE;
  return 0;
}

}  // namespace

Result<StagedSocket> StagedSocket::Create(const std::string& target) {
  if (target.empty() || target.back() == '/') return Err(EINVAL);
  if (target.size() >= sizeof(sockaddr_un::sun_path)) return Err(ENAMETOOLONG);
  if (int rc = ProbeExisting(target); rc != -ENOENT && rc != 0) return Errno{rc};

  const size_t slash = target.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : target.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
  std::string pattern = dir + "." + base + ".XXXXXX";
  if (pattern.size() + 2 >= sizeof(sockaddr_un::sun_path)) return Err(ENAMETOOLONG);
  if (mkdtemp(pattern.data()) == nullptr) return Err(errno);

  StagedSocket s;
  s.target_ = target;
  s.staging_dir_ = pattern;
  s.bind_path_ = pattern + "/s";
  return s;
}

StagedSocket::StagedSocket(StagedSocket&& other) noexcept {
  *this = std::move(other);
}

StagedSocket& StagedSocket::operator=(StagedSocket&& other) noexcept {
  if (this != &other) {
    RemoveStaging();
    target_ = std::move(other.target_);
    staging_dir_ = std::exchange(other.staging_dir_, {});
    bind_path_ = std::move(other.bind_path_);
    published_ = std::exchange(other.published_, false);
    dev_ = other.dev_;
    ino_ = other.ino_;
  }
  return *this;
}

StagedSocket::~StagedSocket() {
  RemoveStaging();
}

void StagedSocket::RemoveStaging() {
  if (staging_dir_.empty()) return;
  unlink(bind_path_.c_str());  // only there when Publish was never reached
  rmdir(staging_dir_.c_str());
  staging_dir_.clear();
}

Result<void> StagedSocket::Publish(mode_t mode, int gid) {
  if (staging_dir_.empty() || published_) return Err(EINVAL);
  struct stat st {};
  if (lstat(bind_path_.c_str(), &st) != 0) return Err(errno);
  if (!S_ISSOCK(st.st_mode)) return Err(ENOTSOCK);
  if (gid >= 0 && lchown(bind_path_.c_str(), static_cast<uid_t>(-1), gid) != 0) return Err(errno);
  if (chmod(bind_path_.c_str(), mode) != 0) return Err(errno);
  // The target was probed in Create; a socket that turned up since is replaced like a stale
  // one, anything else is kept.
  if (int rc = ProbeExisting(target_); rc == -EEXIST || rc == -EADDRINUSE) return Errno{rc};
  if (rename(bind_path_.c_str(), target_.c_str()) != 0) return Err(errno);
  published_ = true;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  RemoveStaging();
  return {};
}

void StagedSocket::Unpublish() {
  if (!published_) return;
  published_ = false;
  struct stat st {};
  if (lstat(target_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
    unlink(target_.c_str());
}

}  // namespace accel::ras
