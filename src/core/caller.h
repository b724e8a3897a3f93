// caller.h - who is making a call, and where its memory is.
//
// Credentials travel with every call, not with the file: ROOT_ONLY is judged from the
// caller at that call (a file opened by root and handed to another process does not carry
// root's rights), as DRM judges capable() per ioctl.
#ifndef ACCEL_CORE_CALLER_H_
#define ACCEL_CORE_CALLER_H_

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace accel::core {

struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t pid = 0;

  bool IsRoot() const { return uid == 0; }
};

// copy_to_user(), copy_from_user() and fd_install(): each transport decides how bytes and
// descriptors travel between the caller and a handler. One object serves one call.
class UserMemory {
 public:
  virtual ~UserMemory() = default;
  // Writes `len` bytes at the caller's address `addr`; 0 or -EFAULT.
  virtual int CopyOut(uint64_t addr, const void* src, uint32_t len) = 0;
  // copy_from_user(): reads `len` bytes at the caller's address `addr` into `dst`; 0 or
  // -EFAULT. -EOPNOTSUPP where the transport cannot fetch the caller's bytes, which is the
  // default: a FUSE node carries only the fixed struct (the socket asks libaccel for them,
  // since wire version 3).
  virtual int CopyIn(void* /*dst*/, uint64_t /*addr*/, uint32_t /*len*/) { return -EOPNOTSUPP; }
  // Hands the caller a duplicate of `fd` with the reply and has the descriptor number it gets
  // written as an __s32 at byte `offset` of its struct (the core checked that 4 bytes fit in
  // arg_size()). The caller's `fd` stays the caller's. 0 or a negative errno; -EOPNOTSUPP
  // where descriptors cannot travel (FUSE nodes, in-process callers), which is the default.
  virtual int InstallFd(int /*fd*/, uint32_t /*offset*/) { return -EOPNOTSUPP; }
  // Whether CopyOut() puts the bytes where the caller's pointer says, so that the caller sees
  // them when the call returns (in process, or carried back by libaccel over the socket).
  // False where they are only staged for the caller to fetch (a FUSE node: the ioctl returns
  // the staged length instead of 0). A command that userspace reaches through other libraries
  // (DRM_IOCTL_VERSION through libdrm, which knows nothing of staging) writes nothing behind
  // its pointers there, and still succeeds.
  virtual bool reaches_caller_memory() const { return true; }

  // The bytes of the argument struct both the caller and the handler see in the call in
  // progress (the smaller of their sizes); set by the dispatcher.
  uint32_t arg_size() const { return arg_size_; }
  void set_arg_size(uint32_t n) { arg_size_ = n; }

 private:
  uint32_t arg_size_ = 0;
};

// The caller is this process: addresses are ours. Used by tests, benchmarks and fuzzers.
class InProcessMemory final : public UserMemory {
 public:
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (addr == 0 && len != 0) return -EFAULT;
    if (len != 0) std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), src, len);
    return 0;
  }
  int CopyIn(void* dst, uint64_t addr, uint32_t len) override {
    if (len == 0) return 0;
    if (addr == 0 || addr + len < addr) return -EFAULT;
    std::memcpy(dst, reinterpret_cast<const void*>(static_cast<uintptr_t>(addr)), len);
    return 0;
  }
};

}  // namespace accel::core

#endif  // ACCEL_CORE_CALLER_H_
