// fuse_mount.h - one FUSE low-level session: mount, serve on a thread pool, unmount.
//
// DOC: lifecycle
//
// Mount() clears a stale mount left by a daemon that was killed (stat() fails with ENOTCONN
// on a FUSE mount whose server is gone: it is detached with umount2(MNT_DETACH)), creates
// the mount point if needed, mounts with default_permissions (the kernel checks each node's
// mode, owner and group) and allow_other (other users can reach the nodes), and starts a
// fixed pool of worker threads reading requests. Stop() ends the workers and unmounts; the
// destructor calls it. A mount that fails is reported to the caller, which logs one line and
// goes on without it: the socket still serves.
//
// Why our own workers rather than fuse_session_loop_mt(): its workers sleep in read(2) on
// /dev/fuse and only a signal or the end of the connection wakes them. acceld takes its
// signals through a signalfd, and a lazy unmount does not end the connection while a client
// still holds a node open, so that loop would never return. Our workers are woken with a
// signal of their own (SIGUSR2, no SA_RESTART) after the session is marked exited.
#ifndef ACCEL_TRANSPORT_FUSE_FUSE_MOUNT_H_
#define ACCEL_TRANSPORT_FUSE_FUSE_MOUNT_H_

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <accel/result.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace accel::transport {

class FuseMount {
 public:
  FuseMount() = default;
  ~FuseMount() { Stop(); }
  FuseMount(const FuseMount&) = delete;
  FuseMount& operator=(const FuseMount&) = delete;

  // Mounts `ops` (with `userdata`) at `dir`. *why explains a failure in one line.
  Result<void> Mount(const std::string& dir, const std::string& fsname,
                     const fuse_lowlevel_ops& ops, void* userdata, std::string* why);
  void Stop();

  fuse_session* session() const { return se_; }
  const std::string& dir() const { return dir_; }
  bool mounted() const { return se_ != nullptr; }

  // True when `dir` is a FUSE mount whose server is gone; clears it (MNT_DETACH).
  static bool ClearStaleMount(const std::string& dir);

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  static void Serve(fuse_session* se, Worker* self);

  static constexpr int kWorkers = 8;  // sleeping commands run elsewhere: these never block long
  fuse_session* se_ = nullptr;
  std::string dir_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_FUSE_MOUNT_H_
