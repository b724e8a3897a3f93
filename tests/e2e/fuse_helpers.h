// fuse_helpers.h - what the FUSE end-to-end tests do as an outside program would: read
// directories and attribute files, run children (as another user, or a client program) with a
// time limit, and find the mounts a daemon left.
//
// Every wait here is bounded, so that a product bug makes a test fail instead of hang:
//   int rc = RunBounded([&] { return open(path, O_RDONLY) < 0 ? -errno : 0; });
//   EXPECT_EQ(rc, -EACCES);
#ifndef ACCEL_TESTS_E2E_FUSE_HELPERS_H_
#define ACCEL_TESTS_E2E_FUSE_HELPERS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace accel::testing {

// Polls `pred` every 5 ms until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// Names in `dir` from readdir(3), "." and ".." left out; empty if it cannot be opened.
std::set<std::string> ListDir(const std::string& dir);
// The whole text of a file read with read(2), or "<errno N>" when open or read fails.
std::string ReadText(const std::string& path);
// open(O_WRONLY|O_TRUNC) + write(2) of `text`; 0 or -errno.
int WriteText(const std::string& path, const std::string& text);

// kill(2) that refuses pids <= 0: kill(-1, sig) would signal every process we may signal,
// which is what an unset pid (a daemon that never started, a failed fork) would do.
int SignalPid(pid_t pid, int sig);

// Waits at most `limit` for `pid`; kills it (SIGKILL) when it overstays. Returns its exit
// code, -1000 - signal if a signal ended it, or kTimedOut (also for a pid <= 0).
inline constexpr int kTimedOut = -999;
int WaitChild(pid_t pid, std::chrono::milliseconds limit);
// Runs fn in a forked child (as `uid`/`gid`/`groups` when given) and returns what it returned
// (a negative errno or a small count), or kTimedOut. fn runs after fork(): syscalls only.
struct Identity {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};
int RunBounded(const std::function<int()>& fn,
               std::chrono::milliseconds limit = std::chrono::seconds(10),
               const Identity* as = nullptr);
// Runs `argv` with stdout+stderr to `log_path`; returns the exit code as WaitChild does.
// With `private_mounts` it runs in a mount namespace of its own (root only), so that whatever
// it mounts is seen by nobody else and goes away with it.
int RunProgram(const std::vector<std::string>& argv, const std::string& log_path,
               std::chrono::milliseconds limit = std::chrono::seconds(30),
               bool private_mounts = false);

// Mount points at or below `dir`, from /proc/self/mountinfo.
std::vector<std::string> MountsUnder(const std::string& dir);
// Detaches (MNT_DETACH) every mount at or below `dir`: what a killed daemon left behind.
void DetachMountsUnder(const std::string& dir);

}  // namespace accel::testing

#endif  // ACCEL_TESTS_E2E_FUSE_HELPERS_H_
