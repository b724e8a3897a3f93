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
//   5. copies in (when both the user's cmd and the table's have _IOC_WRITE; the rest of the
//      struct is zeroed), calls the handler, copies out (when both have _IOC_READ) even if
//      the handler failed, so errors can return data; as drm_ioctl() does.
//
// `arg` is the caller's struct, exactly _IOC_SIZE(cmd) bytes (any other arg_size is -EINVAL,
// whatever steps 1 and 2 found); the transport got it from a socket frame, a FUSE ioctl or
// the caller's own memory. `mem` is where copy_to_user writes go.
//
// DOC: looking a command up before running it
//
// A transport that must know a command's flags before it runs it (FUSE moves MAY_SLEEP calls
// off its workers) does steps 1 and 2 alone with FindCommand(), reads flags(), and hands the
// FoundCommand to the second Dispatch(), which goes on from step 3; so a command is looked up
// once either way. The descriptor lives in the driver's table, which unload frees (dlclose)
// only after unplugging the device and waiting for every Enter() still open: a FoundCommand
// therefore holds the device entered from the lookup on, and Dispatch() ends that bracket when
// it returns, so nothing of the driver is touched outside it and the bracket never outlives
// the call (a transport replies after Dispatch(), and the reply may let the file, and with it
// the device, go).
//
//   core::FoundCommand found = core::FindCommand(file, cmd);    // error(): -ENODEV, -ENOTTY
//   if (found.flags() & ACCEL_IOCTL_MAY_SLEEP) { /* to a thread of its own, found moved */ }
//   int rc = core::Dispatch(std::move(found), caller, arg, size, mem);
#ifndef ACCEL_CORE_DISPATCH_H_
#define ACCEL_CORE_DISPATCH_H_

#include <cstddef>
#include <cstdint>

#include "core/caller.h"

struct accel_ioctl_desc;

namespace accel::core {

class Device;
class File;

// 0 or a negative errno. arg_size must equal _IOC_SIZE(cmd) (-EINVAL otherwise).
int Dispatch(File& file, const Caller& caller, uint32_t cmd, void* arg, size_t arg_size,
             UserMemory& mem);

// The command `cmd` names on a file's device, with the device held (see the DOC above), or
// the reason there is none. It remembers the file and the user's cmd, so it cannot be run on
// another. Move-only: exactly one owner ends the bracket.
class FoundCommand {
 public:
  FoundCommand(FoundCommand&& o) noexcept;
  FoundCommand& operator=(FoundCommand&&) = delete;
  ~FoundCommand();

  // 0, or -ENODEV (the file is detached or the device unplugged), or -ENOTTY (no command).
  int error() const { return error_; }
  // The command's ACCEL_IOCTL_* flags; 0 when there is no command.
  uint32_t flags() const;

 private:
  friend FoundCommand FindCommand(File& file, uint32_t cmd);
  friend int Dispatch(FoundCommand&& found, const Caller& caller, void* arg, size_t arg_size,
                      UserMemory& mem);
  FoundCommand(File& file, uint32_t cmd, Device* entered, const accel_ioctl_desc* io, int error)
      : file_(file), cmd_(cmd), dev_(entered), io_(io), error_(error) {}

  File& file_;
  uint32_t cmd_;
  Device* dev_ = nullptr;  // entered while not null; Exit() in the destructor
  const accel_ioctl_desc* io_ = nullptr;
  int error_ = 0;
};

// Steps 1 and 2 of the dispatcher for `cmd` on `file`.
FoundCommand FindCommand(File& file, uint32_t cmd);

// Dispatch() from step 3, on the file and cmd of `found` (its error, if it found no command).
// Takes `found` and ends its bracket before returning. arg_size must equal _IOC_SIZE(cmd).
int Dispatch(FoundCommand&& found, const Caller& caller, void* arg, size_t arg_size,
             UserMemory& mem);

}  // namespace accel::core

#endif  // ACCEL_CORE_DISPATCH_H_
