// dispatch.h - the one entry every transport calls: core::Dispatch(file, cmd, arg).
//
// DOC: what the dispatcher does, and handlers never repeat (after drm_ioctl())
//
//   1. -ENODEV if the device is unplugged (checked first, as drm_ioctl does), then holds
//      the device with Enter() for the whole call;
//   2. finds the command by (type, nr): the generic table for 0x00..0x3f and 0xe0..0xef,
//      the driver's table for 0x40..0x9f; nothing there is -ENOTTY;
//   3. applies the size rules: _IOC_SIZE(cmd) below the command's first size is -EINVAL,
//      below today's is zero-extended, above it with non-zero input bytes is -E2BIG;
//   4. checks flags against the caller of this call (ROOT_ONLY -> -EACCES);
//   5. copies in (when the user's cmd has _IOC_WRITE), calls the handler, copies out (when it
//      has _IOC_READ) even if the handler failed, so errors can return data.
//
// `arg` is the caller's struct, exactly _IOC_SIZE(cmd) bytes; the transport got it from a
// socket frame, a FUSE ioctl or the caller's own memory. `mem` is where copy_to_user writes go.
#ifndef ACCEL_CORE_DISPATCH_H_
#define ACCEL_CORE_DISPATCH_H_

#include <cstddef>
#include <cstdint>

#include "core/caller.h"

namespace accel::core {

class File;

// 0 or a negative errno. arg_size must equal _IOC_SIZE(cmd) (-EINVAL otherwise).
int Dispatch(File& file, const Caller& caller, uint32_t cmd, void* arg, size_t arg_size,
             UserMemory& mem);

// The ACCEL_IOCTL_* flags of the command `cmd` names on this file's device (0 when there is no
// such command or the device is gone). Transports use MAY_SLEEP to keep sleeping calls off
// threads that must not block.
uint32_t CommandFlags(File& file, uint32_t cmd);

}  // namespace accel::core

#endif  // ACCEL_CORE_DISPATCH_H_
