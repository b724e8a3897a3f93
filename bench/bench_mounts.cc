// bench_mounts.cc - see bench_mounts.h.
#include "bench_mounts.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace accel::bench {
namespace {

// Fixed buffers rather than std::string: the atexit() handler must not depend on objects whose
// destructors may already have run.
constexpr size_t kMaxDirs = 8;
std::mutex g_mu;
std::array<std::array<char, PATH_MAX>, kMaxDirs> g_dirs{};

void DetachRegistered() {
  std::lock_guard lock(g_mu);
  for (auto& dir : g_dirs) {
    if (dir[0] != '\0') umount2(dir.data(), MNT_DETACH);
    dir[0] = '\0';
  }
}

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += static_cast<char>(std::strtol(field.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::vector<std::string> MountPoints() {
  std::vector<std::string> points;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (fields >> id >> parent >> devno >> root >> mount_point)
      points.push_back(Unescape(mount_point));
  }
  return points;
}

// A FUSE mount whose server has gone answers every stat() with ENOTCONN.
bool ServerGone(const std::string& dir) {
  struct stat st;
  return stat(dir.c_str(), &st) != 0 && errno == ENOTCONN;
}

}  // namespace

std::string MakeBenchDir(const std::string& tag) {
  const std::string tmpl =
      (std::filesystem::temp_directory_path() / (kBenchDirPrefix + tag + "XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return mkdtemp(buf.data()) ? std::string(buf.data()) : std::string();
}

bool DetachMount(const std::string& dir) {
  return umount2(dir.c_str(), MNT_DETACH) == 0;
}

int DetachStaleBenchMounts() {
  const std::string prefix = (std::filesystem::temp_directory_path() / kBenchDirPrefix).string();
  int detached = 0;
  for (const std::string& dir : MountPoints()) {
    if (dir.rfind(prefix, 0) == 0 && ServerGone(dir) && DetachMount(dir)) ++detached;
  }
  return detached;
}

void DetachOnExit(const std::string& dir) {
  static const bool installed = std::atexit(DetachRegistered) == 0;
  (void)installed;
  if (dir.size() >= PATH_MAX) return;
  std::lock_guard lock(g_mu);
  for (auto& slot : g_dirs) {
    if (slot[0] != '\0') continue;
    std::memcpy(slot.data(), dir.c_str(), dir.size() + 1);
    return;
  }
}

void ForgetOnExit(const std::string& dir) {
  std::lock_guard lock(g_mu);
  for (auto& slot : g_dirs) {
    if (dir == slot.data()) slot[0] = '\0';
  }
}

}  // namespace accel::bench
