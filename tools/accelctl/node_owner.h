// node_owner.h - a device node's permission bits, owner and group, as `ls -l` would show them.
//
// acceld applies each node's mode, owner and group to every open (docs/wire-protocol.md), so
// these are what decides who may use a device; accelctl prints them in `list` and `info` and
// in the advice after -EACCES.
#ifndef ACCEL_TOOLS_ACCELCTL_NODE_OWNER_H_
#define ACCEL_TOOLS_ACCELCTL_NODE_OWNER_H_

#include <cstdint>
#include <string>

namespace accelctl {

// Permission bits in octal with a leading zero, e.g. "0660".
std::string FormatNodeMode(uint32_t mode);

// The group's name from the group database, or its number when it has none.
std::string GroupName(uint32_t gid);

// The user's name from the password database, or its number when it has none.
std::string UserName(uint32_t uid);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_NODE_OWNER_H_
