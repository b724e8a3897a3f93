// caller.h - who is making a call, and where its memory is.
//
// Credentials travel with every call, not with the file: ROOT_ONLY is judged from the
// caller at that call (a file opened by root and handed to another process does not carry
// root's rights), as DRM judges capable() per ioctl.
#ifndef ACCEL_CORE_CALLER_H_
#define ACCEL_CORE_CALLER_H_

#include <cstdint>
#include <cstring>

namespace accel::core {

struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t pid = 0;

  bool IsRoot() const { return uid == 0; }
};

// copy_to_user(): each transport decides how bytes reach the caller's address space.
class UserMemory {
 public:
  virtual ~UserMemory() = default;
  // Writes `len` bytes at the caller's address `addr`; 0 or -EFAULT.
  virtual int CopyOut(uint64_t addr, const void* src, uint32_t len) = 0;
};

// The caller is this process: addresses are ours. Used by tests, benchmarks and fuzzers.
class InProcessMemory final : public UserMemory {
 public:
  int CopyOut(uint64_t addr, const void* src, uint32_t len) override {
    if (addr == 0 && len != 0) return -14;  // -EFAULT
    if (len != 0) std::memcpy(reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), src, len);
    return 0;
  }
};

}  // namespace accel::core

#endif  // ACCEL_CORE_CALLER_H_
