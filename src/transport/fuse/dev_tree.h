// dev_tree.h - the FUSE tree of device nodes: DEVDIR/accel/accelN and accel/by-path/.
//
// DOC: what a node is
//
// Each registered device is a regular file accelN (FUSE cannot serve char devices) whose
// mode, owner and group are the device's node permissions; the kernel enforces them
// (default_permissions). open(2) makes a core File, close(2) releases it, ioctl(2) goes to
// core::Dispatch with the caller's credentials from the FUSE request. Only the fixed struct of
// an ioctl travels (restricted ioctls); what a command copies to a user pointer is staged and
// read back with read(2)/pread(2) (staging_memory.h). pread/pwrite at offsets in [2^32,
// 2^62) reach the driver's file_rw hook (buffer-object data at fake offsets, as DRM's mmap
// offsets), with the caller's credentials. Commands flagged MAY_SLEEP run on a
// thread of their own and reply asynchronously, so a sleeping wait never holds a FUSE worker,
// and a FUSE interrupt (Ctrl-C in the caller) interrupts the call (-EINTR). poll(2) reports
// POLLIN while RAS events are queued for the file, POLLHUP|POLLERR once the device is gone.
// by-path/<bus>-accel are symlinks to ../accelN, as /dev/dri/by-path has. Entry and
// attribute timeouts are 0, so a device appears and disappears from the tree at once.
#ifndef ACCEL_TRANSPORT_FUSE_DEV_TREE_H_
#define ACCEL_TRANSPORT_FUSE_DEV_TREE_H_

#include "transport/fuse/fuse_mount.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/registry.h"

namespace accel::transport {

struct OpenNode;  // one open(2) of a node: its core File, staged payload and poll handle

class DevTree {
 public:
  explicit DevTree(core::Registry& registry) : registry_(registry) {}
  ~DevTree();

  // Mounts at `dir` (DEVDIR/accel).
  Result<void> Mount(const std::string& dir, std::string* why);
  void Stop();
  bool mounted() const { return mount_.mounted(); }

  // The by-path name of a bus address: "platform:dummy.0" -> "platform-dummy.0-accel".
  static std::string ByPathName(const std::string& bus);

  core::Registry& registry() { return registry_; }

  // Sleeping (MAY_SLEEP) ioctls each take a thread until they reply, so they are bounded
  // (issue 12 A3): per open file, per uid over all files, and in all. Past a bound the call is
  // -EAGAIN at once; after Stop() began it is -ESHUTDOWN.
  static constexpr int kMaxSleepersPerFile = 16;
  static constexpr int kMaxSleepersPerUid = 128;
  static constexpr int kMaxSleepers = 1024;
  // A sleeper leaves in two steps. The reply lets the kernel release the file, and RELEASE
  // (on another worker) frees the OpenNode at once, so the node's count is given back before
  // the reply (LeaveSleeperFile) and the uid's and the total after it (SleeperReplied), which
  // Stop() waits for.
  int AdmitSleeper(OpenNode& node, uint32_t uid);  // 0 or -errno
  void LeaveSleeperFile(OpenNode& node);
  void SleeperReplied(uint32_t uid);

  // Open nodes are tracked so that Stop() can close the ones whose RELEASE will never come
  // (a client still holds the node when the daemon stops).
  void Track(OpenNode* node);
  void Untrack(OpenNode* node);

 private:
  void CloseOrphans();

  core::Registry& registry_;
  FuseMount mount_;
  std::mutex sleep_mu_;
  std::condition_variable sleepers_gone_;
  std::map<uint32_t, int> sleepers_by_uid_;  // sleep_mu_
  int sleepers_ = 0;                         // sleep_mu_
  bool stopping_ = false;                    // sleep_mu_
  std::mutex open_mu_;
  std::set<OpenNode*> open_nodes_;
};

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_FUSE_DEV_TREE_H_
