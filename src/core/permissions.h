// permissions.h - may this caller open that node? The kernel's generic_permission() for
// open(O_RDWR), applied to the mode/owner/group a device node carries.
#ifndef ACCEL_CORE_PERMISSIONS_H_
#define ACCEL_CORE_PERMISSIONS_H_

#include <cstdint>
#include <span>

#include "core/device.h"

namespace accel::core {

// uid 0 always may (CAP_DAC_OVERRIDE); the owner uses the owner bits; a member of the node's
// group (primary or supplementary) the group bits; anyone else the other bits. Both read and
// write are needed, as an accel node is opened O_RDWR.
bool MayOpenReadWrite(const NodePermissions& node, uint32_t uid, uint32_t gid,
                      std::span<const uint32_t> groups);

}  // namespace accel::core

#endif  // ACCEL_CORE_PERMISSIONS_H_
