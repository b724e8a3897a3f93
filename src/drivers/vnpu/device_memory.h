// device_memory.h - vnpu's device memory: an address space, a size limit and poisoned pages.
//
// Buffer objects get a range of the device's address space (page-aligned, first fit, from
// kBase so that address 0 never names memory). The address is what RAS events and retired
// pages talk about, as a real device's physical address would be. A page that took an
// uncorrectable error is poisoned: jobs touching it fail, reads of it fail with -EIO, and once
// freed it is never handed out again (it is retired).
#ifndef ACCEL_DRIVERS_VNPU_DEVICE_MEMORY_H_
#define ACCEL_DRIVERS_VNPU_DEVICE_MEMORY_H_

#include <accel/result.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>

namespace accel::vnpu {

inline constexpr uint64_t kPageSize = 4096;

class DeviceMemory {
 public:
  static constexpr uint64_t kBase = uint64_t{1} << 32;

  explicit DeviceMemory(uint64_t size);

  // A page-aligned range of `bytes` (already rounded up). -ENOMEM past the limit or when no
  // free range is large enough.
  Result<uint64_t> Allocate(uint64_t bytes);
  void Free(uint64_t address, uint64_t bytes);

  // Marks the page holding `address` poisoned. false when the address is outside the device.
  bool Poison(uint64_t address);
  bool IsPoisoned(uint64_t address, uint64_t bytes) const;
  // The first poisoned page in [address, address + bytes), if any.
  bool FirstPoisoned(uint64_t address, uint64_t bytes, uint64_t* page) const;
  size_t poisoned_pages() const;

  uint64_t size() const { return size_; }
  uint64_t used() const;
  bool Contains(uint64_t address) const { return address >= kBase && address - kBase < size_; }

 private:
  void InsertFree(uint64_t address, uint64_t bytes);  // merges neighbours; mu_ held

  const uint64_t size_;
  mutable std::mutex mu_;
  uint64_t used_ = 0;
  std::map<uint64_t, uint64_t> free_;  // address -> bytes, disjoint and not adjacent
  std::set<uint64_t> poisoned_;        // page addresses
};

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_DEVICE_MEMORY_H_
