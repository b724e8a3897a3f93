// fuse_mount.cc - see fuse_mount.h.
#include "transport/fuse/fuse_mount.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "wire/runtime_dir.h"

namespace accel::transport {
namespace {

constexpr int kWakeSignal = SIGUSR2;

void InstallWakeSignal() {
  struct sigaction sa {};
  sa.sa_handler = [](int) {};  // only to interrupt read(2): no SA_RESTART
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(kWakeSignal, &sa, nullptr);
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
  if (int rc = wire::CreateDirectories(dir); rc < 0) {
    *why = "cannot create " + dir + ": " + std::strerror(-rc);
    return Errno{rc};
  }
  const std::string fsname_opt = "-ofsname=" + fsname + ",subtype=accel";
  std::vector<const char*> argv = {"acceld", fsname_opt.c_str(), "-odefault_permissions"};
  if (geteuid() == 0) argv.push_back("-oallow_other");  // non-root needs user_allow_other
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  se_ = fuse_session_new(&args, &ops, sizeof(ops), userdata);
  fuse_opt_free_args(&args);  // libfuse may have grown the list; the session keeps no pointer
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
  InstallWakeSignal();
  for (int i = 0; i < kWorkers; ++i) {
    auto w = std::make_unique<Worker>();
    w->thread = std::thread(Serve, se_, w.get());
    workers_.push_back(std::move(w));
  }
  return {};
}

void FuseMount::Serve(fuse_session* se, Worker* self) {
  // The wake signal must reach this thread even though acceld blocks others for its signalfd.
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, kWakeSignal);
  pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
  fuse_buf buf{};
  while (!fuse_session_exited(se)) {
    int n = fuse_session_receive_buf(se, &buf);
    if (n == -EINTR) continue;
    if (n <= 0) {  // the connection ended (unmounted, or aborted)
      if (n < 0) fuse_session_exit(se);
      break;
    }
    fuse_session_process_buf(se, &buf);
  }
  free(buf.mem);
  self->done = true;
}

void FuseMount::Stop() {
  if (se_ == nullptr) return;
  fuse_session_exit(se_);
  // Wake every worker out of read(2); repeat, since a signal that lands just before a worker
  // enters read(2) is lost.
  for (auto& w : workers_) {
    while (!w->done) {
      pthread_kill(w->thread.native_handle(), kWakeSignal);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    w->thread.join();
  }
  workers_.clear();
  // Detaches the mount; a client still holding a node gets ENOTCONN once the session's
  // descriptor is closed below, as when a daemon dies.
  fuse_session_unmount(se_);
  fuse_session_destroy(se_);
  se_ = nullptr;
}

}  // namespace accel::transport
