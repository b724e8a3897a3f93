// fuse_helpers.cc - see fuse_helpers.h.
#include "fuse_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace accel::testing {

bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

std::set<std::string> ListDir(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
      names.insert(e->d_name);
  }
  closedir(d);
  return names;
}

std::string ReadText(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "<errno " + std::to_string(errno) + ">";
  std::string text;
  char buf[512];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  const int err = errno;
  close(fd);
  return n < 0 ? "<errno " + std::to_string(err) + ">" : text;
}

int WriteText(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return -errno;
  const ssize_t n = write(fd, text.data(), text.size());
  const int rc = n == static_cast<ssize_t>(text.size()) ? 0 : (n < 0 ? -errno : -EIO);
  close(fd);
  return rc;
}

int SignalPid(pid_t pid, int sig) {
  return pid > 0 ? kill(pid, sig) : -1;
}

int WaitChild(pid_t pid, std::chrono::milliseconds limit) {
  if (pid <= 0) return kTimedOut;  // fork failed: nothing to wait for, nothing to kill
  int status = 0;
  const bool exited = Eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }, limit);
  if (!exited) {
    SignalPid(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return kTimedOut;
  }
  if (WIFSIGNALED(status)) return -1000 - WTERMSIG(status);
  return WEXITSTATUS(status);
}

int RunBounded(const std::function<int()>& fn, std::chrono::milliseconds limit,
               const Identity* as) {
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a test that crashed
    if (as != nullptr && (setgroups(as->groups.size(), as->groups.data()) != 0 ||
                          setgid(as->gid) != 0 || setuid(as->uid) != 0))
      _exit(255);
    // Offset by 128 so that negative errnos survive the 0..255 exit code.
    _exit(fn() + 128);
  }
  const int code = WaitChild(pid, limit);
  return code < 0 ? code : code - 128;
}

int RunProgram(const std::vector<std::string>& argv, const std::string& log_path,
               std::chrono::milliseconds limit, bool private_mounts) {
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (private_mounts && (unshare(CLONE_NEWNS) != 0 ||
                           mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0))
      _exit(126);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return WaitChild(pid, limit);
}

std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    if (point == dir || point.rfind(dir + "/", 0) == 0) found.push_back(point);
  }
  return found;
}

void DetachMountsUnder(const std::string& dir) {
  std::vector<std::string> points = MountsUnder(dir);
  // Deepest first, so that a parent mount never hides a child that is still there.
  std::sort(points.rbegin(), points.rend());
  for (const std::string& p : points) umount2(p.c_str(), MNT_DETACH);
}

}  // namespace accel::testing
