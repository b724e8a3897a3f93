// dispatch.cc - size rules, permission flags, copy in/out; see dispatch.h.
#include "core/dispatch.h"

#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/device.h"
#include "core/driver.h"
#include "core/file.h"
#include "core/generic_ioctls.h"

namespace accel::core {
namespace {

// Argument structs up to this size live on the stack; _IOC_SIZE allows up to 16 KiB.
constexpr size_t kStackArgBytes = 256;

const accel_ioctl_desc* FindIoctl(const Device& dev, uint32_t cmd) {
  if (_IOC_TYPE(cmd) != ACCEL_IOCTL_BASE) return nullptr;
  const uint32_t nr = _IOC_NR(cmd);
  // FindCommand holds Enter(), so the driver's table is there.
  if (nr >= ACCEL_COMMAND_BASE && nr < ACCEL_COMMAND_END)
    return dev.entered_driver()->FindIoctl(nr);
  return FindGenericIoctl(nr);
}

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != 0) return false;
  return true;
}

int RunHandler(File& file, const Caller& caller, const accel_ioctl_desc& io, uint32_t cmd,
               uint8_t* user, size_t user_size, UserMemory& mem) {
  const size_t today = _IOC_SIZE(io.cmd);
  const size_t first = io.min_size ? io.min_size : today;
  if (user_size < first) return -EINVAL;
  if ((io.flags & ACCEL_IOCTL_ROOT_ONLY) && !caller.IsRoot()) return -EACCES;

  // As drm_ioctl(): data goes in only where both the caller's cmd and the table's say
  // _IOC_WRITE, and out only where both say _IOC_READ. An _IOW command issued as _IOR must not
  // hand the caller the handler's struct, nor an _IOR one issued as _IOW feed it the caller's.
  const uint32_t dir = _IOC_DIR(cmd) & _IOC_DIR(io.cmd);
  const bool in = (dir & _IOC_WRITE) != 0;
  const bool out = (dir & _IOC_READ) != 0;
  if (in && user_size > today && !AllZero(user + today, user_size - today)) return -E2BIG;

  uint8_t stack_buf[kStackArgBytes];
  std::unique_ptr<uint8_t[]> heap_buf;
  uint8_t* kdata = stack_buf;
  if (today > sizeof(stack_buf)) {
    heap_buf = std::make_unique<uint8_t[]>(today);
    kdata = heap_buf.get();
  }
  const size_t copy = user_size < today ? user_size : today;
  if (in) std::memcpy(kdata, user, copy);
  std::memset(kdata + (in ? copy : 0), 0, today - (in ? copy : 0));

  Device& dev = *file.device();
  accel_call call{};
  call.dev = dev.handle();
  call.file = reinterpret_cast<accel_file*>(&file);
  call.dev_priv = dev.priv();
  call.file_priv = file.priv();
  call.uid = caller.uid;
  call.gid = caller.gid;
  call.pid = caller.pid;
  call.core = &mem;
  mem.set_arg_size(static_cast<uint32_t>(copy));  // install_fd must land in both structs
  const int rc = io.handler(&call, kdata);

  if (out) {
    std::memcpy(user, kdata, copy);
    if (user_size > today) std::memset(user + today, 0, user_size - today);
  }
  return rc;
}

}  // namespace

FoundCommand::FoundCommand(FoundCommand&& o) noexcept
    : file_(o.file_), cmd_(o.cmd_), dev_(o.dev_), io_(o.io_), error_(o.error_) {
  o.dev_ = nullptr;  // the bracket is the new owner's to end
}

FoundCommand::~FoundCommand() {
  if (dev_) dev_->Exit();
}

uint32_t FoundCommand::flags() const {
  return io_ ? io_->flags : 0;
}

FoundCommand FindCommand(File& file, uint32_t cmd) {
  Device& dev = *file.device();
  if (file.detached() || !dev.Enter()) return FoundCommand(file, cmd, nullptr, nullptr, -ENODEV);
  const accel_ioctl_desc* io = FindIoctl(dev, cmd);
  return FoundCommand(file, cmd, &dev, io, io ? 0 : -ENOTTY);
}

int Dispatch(FoundCommand&& found, const Caller& caller, void* arg, size_t arg_size,
             UserMemory& mem) {
  const FoundCommand held(std::move(found));  // destroyed on return: the bracket ends here
  // Judged before the lookup's error, so a wrong size is -EINVAL even on an unplugged device.
  if (arg_size != _IOC_SIZE(held.cmd_) || (arg_size != 0 && arg == nullptr)) return -EINVAL;
  if (held.error_ != 0) return held.error_;
  return RunHandler(held.file_, caller, *held.io_, held.cmd_, static_cast<uint8_t*>(arg), arg_size,
                    mem);
}

int Dispatch(File& file, const Caller& caller, uint32_t cmd, void* arg, size_t arg_size,
             UserMemory& mem) {
  return Dispatch(FindCommand(file, cmd), caller, arg, arg_size, mem);
}

}  // namespace accel::core
