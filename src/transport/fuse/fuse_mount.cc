// fuse_mount.cc - see fuse_mount.h.
#include "transport/fuse/fuse_mount.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace accel::transport {
namespace {

int MakeDirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string part = dir.substr(0, pos);
    if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return -errno;
  }
  return 0;
}

}  // namespace

bool FuseMount::ClearStaleMount(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0 || errno != ENOTCONN) return false;
  if (umount2(dir.c_str(), MNT_DETACH) != 0) {
    spdlog::warn("stale FUSE mount at {} could not be cleared: {}", dir, std::strerror(errno));
    return false;
  }
  spdlog::info("cleared a stale mount at {} (a previous acceld was killed)", dir);
  return true;
}

Result<void> FuseMount::Mount(const std::string& dir, const std::string& fsname,
                              const fuse_lowlevel_ops& ops, void* userdata, std::string* why) {
  ClearStaleMount(dir);
  if (int rc = MakeDirs(dir); rc < 0) {
    *why = "cannot create " + dir + ": " + std::strerror(-rc);
    return Errno{rc};
  }
  const std::string fsname_opt = "-ofsname=" + fsname + ",subtype=accel";
  std::vector<const char*> argv = {"acceld", fsname_opt.c_str(), "-odefault_permissions"};
  if (geteuid() == 0) argv.push_back("-oallow_other");  // non-root needs user_allow_other
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  se_ = fuse_session_new(&args, &ops, sizeof(ops), userdata);
  if (se_ == nullptr) {
    *why = "cannot create a FUSE session (is /dev/fuse there?)";
    return Err(ENODEV);
  }
  if (fuse_session_mount(se_, dir.c_str()) != 0) {
    fuse_session_destroy(se_);
    se_ = nullptr;
    *why = "cannot mount FUSE at " + dir + " (no /dev/fuse, or not permitted here)";
    return Err(EPERM);
  }
  dir_ = dir;
  loop_ = std::thread([se = se_] {
    fuse_loop_config* cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(cfg, 0);
    fuse_loop_cfg_set_max_threads(cfg, 16);
    fuse_session_loop_mt(se, cfg);
    fuse_loop_cfg_destroy(cfg);
  });
  return {};
}

void FuseMount::Stop() {
  if (se_ == nullptr) return;
  fuse_session_exit(se_);
  // Unmounting makes the kernel end the session, which wakes the loop's workers from their
  // blocking read on /dev/fuse.
  fuse_session_unmount(se_);
  if (loop_.joinable()) loop_.join();
  fuse_session_destroy(se_);
  se_ = nullptr;
}

}  // namespace accel::transport
