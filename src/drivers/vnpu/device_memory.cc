// device_memory.cc - see device_memory.h.
#include "drivers/vnpu/device_memory.h"

#include <cerrno>
#include <iterator>

namespace accel::vnpu {

DeviceMemory::DeviceMemory(uint64_t size) : size_(size & ~(kPageSize - 1)) {
  if (size_) free_.emplace(kBase, size_);
}

Result<uint64_t> DeviceMemory::Allocate(uint64_t bytes) {
  if (bytes == 0 || bytes % kPageSize) return Err(EINVAL);
  std::lock_guard lock(mu_);
  if (bytes > size_ - used_) return Err(ENOMEM);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < bytes) continue;
    const uint64_t address = it->first;
    const uint64_t rest = it->second - bytes;
    free_.erase(it);
    if (rest) free_.emplace(address + bytes, rest);
    used_ += bytes;
    return address;
  }
  return Err(ENOMEM);  // fragmented, or the retired pages took the room
}

void DeviceMemory::Free(uint64_t address, uint64_t bytes) {
  std::lock_guard lock(mu_);
  used_ -= bytes;
  // Poisoned pages stay out of the free list for good: that is what retiring them means.
  uint64_t start = address;
  const uint64_t end = address + bytes;
  for (auto p = poisoned_.lower_bound(address); p != poisoned_.end() && *p < end; ++p) {
    if (*p > start) InsertFree(start, *p - start);
    start = *p + kPageSize;
  }
  if (start < end) InsertFree(start, end - start);
}

void DeviceMemory::InsertFree(uint64_t address, uint64_t bytes) {
  auto next = free_.lower_bound(address);
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == address) {
      address = prev->first;
      bytes += prev->second;
      free_.erase(prev);
    }
  }
  if (next != free_.end() && address + bytes == next->first) {
    bytes += next->second;
    free_.erase(next);
  }
  free_.emplace(address, bytes);
}

bool DeviceMemory::Poison(uint64_t address) {
  if (!Contains(address)) return false;
  const uint64_t page = address & ~(kPageSize - 1);
  std::lock_guard lock(mu_);
  if (!poisoned_.insert(page).second) return true;
  // A free page is retired at once; a page in use stays with its BO until that is freed.
  auto it = free_.upper_bound(page);
  if (it == free_.begin()) return true;
  --it;
  if (page >= it->first + it->second) return true;
  const uint64_t start = it->first, end = it->first + it->second;
  free_.erase(it);
  if (page > start) free_.emplace(start, page - start);
  if (page + kPageSize < end) free_.emplace(page + kPageSize, end - page - kPageSize);
  return true;
}

bool DeviceMemory::FirstPoisoned(uint64_t address, uint64_t bytes, uint64_t* page) const {
  if (bytes == 0) return false;
  std::lock_guard lock(mu_);
  auto it = poisoned_.lower_bound(address & ~(kPageSize - 1));
  if (it == poisoned_.end() || *it >= address + bytes) return false;
  if (page) *page = *it;
  return true;
}

bool DeviceMemory::IsPoisoned(uint64_t address, uint64_t bytes) const {
  return FirstPoisoned(address, bytes, nullptr);
}

size_t DeviceMemory::poisoned_pages() const {
  std::lock_guard lock(mu_);
  return poisoned_.size();
}

uint64_t DeviceMemory::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace accel::vnpu
