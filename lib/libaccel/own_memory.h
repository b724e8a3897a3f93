// own_memory.h - reading and writing this process's memory at addresses the daemon names.
//
// Copy-out segments (copy_to_user) and COPY_IN requests (copy_from_user) carry addresses that
// came from the caller's own structs, but they arrive from another process. A kernel's
// copy_*_user fails with -EFAULT on an address that is not mapped as asked; so do these, by
// going through process_vm_{read,write}v on ourselves instead of dereferencing the address, so
// that a wrong address costs the call, never the process.
#ifndef ACCEL_LIB_LIBACCEL_OWN_MEMORY_H_
#define ACCEL_LIB_LIBACCEL_OWN_MEMORY_H_

#include <cstdint>

namespace accel::client {

// 0, or -EFAULT when [addr, addr + len) is not all writable (address 0 always is not).
int WriteOwnMemory(uint64_t addr, const void* src, uint32_t len);
// 0, or -EFAULT when [addr, addr + len) is not all readable.
int ReadOwnMemory(void* dst, uint64_t addr, uint32_t len);

}  // namespace accel::client

#endif  // ACCEL_LIB_LIBACCEL_OWN_MEMORY_H_
