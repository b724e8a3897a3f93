// node_owner.cc - see node_owner.h.
#include "node_owner.h"

#include <fmt/core.h>
#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <vector>

namespace accelctl {
namespace {

// The reentrant lookups want a caller's buffer; entries with many members can need more than
// sysconf's hint, so grow on ERANGE up to a bound.
constexpr size_t kFirstLookupBuffer = 1024;
constexpr size_t kMaxLookupBuffer = 1 << 20;

}  // namespace

std::string FormatNodeMode(uint32_t mode) {
  return fmt::format("{:04o}", mode & 07777);
}

std::string GroupName(uint32_t gid) {
  std::vector<char> buf(kFirstLookupBuffer);
  while (buf.size() <= kMaxLookupBuffer) {
    group entry{};
    group* found = nullptr;
    int rc = getgrgid_r(static_cast<gid_t>(gid), &entry, buf.data(), buf.size(), &found);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc == 0 && found != nullptr) return found->gr_name;
    break;
  }
  return std::to_string(gid);
}

std::string UserName(uint32_t uid) {
  std::vector<char> buf(kFirstLookupBuffer);
  while (buf.size() <= kMaxLookupBuffer) {
    passwd entry{};
    passwd* found = nullptr;
    int rc = getpwuid_r(static_cast<uid_t>(uid), &entry, buf.data(), buf.size(), &found);
    if (rc == ERANGE) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc == 0 && found != nullptr) return found->pw_name;
    break;
  }
  return std::to_string(uid);
}

}  // namespace accelctl
