// node_file.h - libaccel over a FUSE device node (internal).
//
// A node is DEVDIR/accel/accelN, a regular file served by acceld. ioctl(2) carries the fixed
// struct; what the command copied to user pointers is staged by the daemon, announced by a
// positive return (its length) and fetched here from the staged segments (pread at 2^62),
// then written where the struct's pointers said: the caller sees exactly what the socket
// transport (and a kernel) would give it.
#ifndef ACCEL_LIBACCEL_NODE_FILE_H_
#define ACCEL_LIBACCEL_NODE_FILE_H_

#include <accel/result.h>

#include <cstdint>
#include <string>

#include "reply_bounds.h"

namespace accel::client {

enum class TransportChoice { kAuto, kSocket, kNode };

// From $ACCEL_TRANSPORT ("socket", "node"; anything else is auto).
TransportChoice ChosenTransport();
// The node path for `name`: $ACCEL_DEV_DIR/accel/NAME, else <runtime dir>/dev/accel/NAME,
// else /dev/accel/NAME when that is a regular file (a FUSE node, never a kernel char device,
// whose driver would not speak these numbers).
std::string NodePath(const std::string& name);
// Opens the node O_RDWR|O_CLOEXEC. -ENOENT when there is none (the caller falls back to the
// socket unless `required`).
Result<int> OpenNode(const std::string& name, bool required);
// ACCEL_CAP_MINOR of an open node, or UINT32_MAX.
uint32_t NodeMinor(int fd);
// One ioctl with the copy-out applied, only inside `bounds` (reply_bounds.h: every staged
// segment is checked before any is written); 0 or a negative errno. EINTR is retried here, in
// one place, as libdrm's drmIoctl does.
int NodeIoctl(int fd, uint32_t cmd, void* arg, const ReplyBounds& bounds = ReplyBounds());

}  // namespace accel::client

#endif  // ACCEL_LIBACCEL_NODE_FILE_H_
