// own_memory.cc - see own_memory.h.
#include "own_memory.h"

#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

namespace accel::client {

int WriteOwnMemory(uint64_t addr, const void* src, uint32_t len) {
  if (len == 0) return 0;
  if (addr == 0 || addr + len < addr) return -EFAULT;
  iovec local{const_cast<void*>(src), len};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), len};
  const ssize_t n = process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
  return n == static_cast<ssize_t>(len) ? 0 : -EFAULT;
}

int ReadOwnMemory(void* dst, uint64_t addr, uint32_t len) {
  if (len == 0) return 0;
  if (addr == 0 || addr + len < addr) return -EFAULT;
  iovec local{dst, len};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(addr)), len};
  const ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  return n == static_cast<ssize_t>(len) ? 0 : -EFAULT;
}

}  // namespace accel::client
