// permissions.cc - see permissions.h.
#include "core/permissions.h"

#include <algorithm>

namespace accel::core {

bool MayOpenReadWrite(const NodePermissions& node, uint32_t uid, uint32_t gid,
                      std::span<const uint32_t> groups) {
  if (uid == 0) return true;
  uint32_t bits;
  if (uid == node.uid) {
    bits = (node.mode >> 6) & 7;
  } else if (gid == node.gid || std::find(groups.begin(), groups.end(), node.gid) != groups.end()) {
    bits = (node.mode >> 3) & 7;
  } else {
    bits = node.mode & 7;
  }
  return (bits & 6) == 6;
}

}  // namespace accel::core
