// minor_allocator.h - an xarray-style ID allocator with reserve-then-store and RCU lookups.
//
// DOC: the pattern it exists for
//
// DRM (and accel after it) registers a minor in two steps: first reserve an index so the
// device has a name, then publish the real pointer once the device is ready to be opened. The
// RFC thread recounts the bug this invites: with xarray, storing NULL reserves nothing unless
// the array is an allocating one (XA_ZERO_ENTRY), and the v3 series fell back to IDR. Here the
// states are explicit:
//
//   free --Alloc()--> reserved --Store(p)--> published --Erase()--> free
//                        ^--------Store(nullptr)--'
//
//   - Alloc() reserves the lowest free index below the limit; full is -ENOSPC.
//   - A reserved slot reads as empty (Load returns nullptr) and is never handed out twice.
//   - Store() to an index that was never reserved is -EINVAL: a deliberate tightening of
//     xa_store(), because that misuse is the bug class the thread argued about.
//   - Erase() frees the index and returns only after every reader that could have seen the
//     old pointer has left its read section, so the caller may drop its reference at once.
//
// Lookups are lock-free: Load() is one atomic load under an RcuReadLock. Writers serialise on a
// mutex (registering and unplugging devices is rare).
//
//   MinorAllocator<Minor> minors;           // limit 256 (ACCEL_MAX_MINORS)
//   Result<uint32_t> id = minors.Alloc();   // reserved, Load(id) == nullptr
//   ...initialise the device...
//   minors.Store(*id, minor);               // published
//   { RcuReadLock g; Minor* m = minors.Load(*id); ... }
//   minors.Erase(*id);                      // free; readers have drained
#ifndef ACCEL_CORE_MINOR_ALLOCATOR_H_
#define ACCEL_CORE_MINOR_ALLOCATOR_H_

#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <accel/result.h>
#include "core/rcu.h"

namespace accel {

template <typename T>
class MinorAllocator {
 public:
  static constexpr uint32_t kDefaultLimit = 256;

  explicit MinorAllocator(uint32_t limit = kDefaultLimit)
      : limit_(limit), slots_(new std::atomic<T*>[limit]), used_((limit + 63) / 64, 0) {
    for (uint32_t i = 0; i < limit_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
  }
  MinorAllocator(const MinorAllocator&) = delete;
  MinorAllocator& operator=(const MinorAllocator&) = delete;

  uint32_t limit() const { return limit_; }

  // Reserves the lowest free index. The slot reads as empty until Store().
  Result<uint32_t> Alloc() {
    std::lock_guard lock(mu_);
    for (size_t w = 0; w < used_.size(); ++w) {
      uint64_t free_bits = ~used_[w];
      if (free_bits == 0) continue;
      uint32_t id = static_cast<uint32_t>(w * 64 + std::countr_zero(free_bits));
      if (id >= limit_) break;
      used_[w] |= uint64_t{1} << (id % 64);
      return id;
    }
    return Err(ENOSPC);
  }

  // Publishes `ptr` at a reserved index (or replaces a published one). nullptr turns a
  // published slot back into a reserved one. A never-reserved or out-of-range index is -EINVAL.
  // Replacing or un-publishing waits for readers, as Erase() does, so the old pointer may be
  // released when this returns.
  Result<void> Store(uint32_t id, T* ptr) {
    std::lock_guard lock(mu_);
    if (!IsReserved(id)) return Err(EINVAL);
    T* old = slots_[id].exchange(ptr, std::memory_order_seq_cst);
    if (old != nullptr) Rcu::Synchronize();
    return {};
  }

  // Frees the index and returns the pointer that was published there (nullptr if it was only
  // reserved). -EINVAL when the index was not allocated.
  Result<T*> Erase(uint32_t id) {
    std::lock_guard lock(mu_);
    if (!IsReserved(id)) return Err(EINVAL);
    T* old = slots_[id].exchange(nullptr, std::memory_order_seq_cst);
    if (old != nullptr) Rcu::Synchronize();
    used_[id / 64] &= ~(uint64_t{1} << (id % 64));
    return old;
  }

  // The published pointer at `id`, or nullptr (free, reserved or out of range). The caller
  // holds an RcuReadLock; the pointer is valid until the lock ends.
  T* Load(uint32_t id) const {
    if (id >= limit_) return nullptr;
    return slots_[id].load(std::memory_order_seq_cst);
  }

  // True when `id` is reserved or published. Takes the writer lock: for tests and tools.
  bool IsAllocated(uint32_t id) const {
    std::lock_guard lock(mu_);
    return IsReserved(id);
  }

 private:
  bool IsReserved(uint32_t id) const {
    return id < limit_ && (used_[id / 64] >> (id % 64) & 1) != 0;
  }

  const uint32_t limit_;
  std::unique_ptr<std::atomic<T*>[]> slots_;
  mutable std::mutex mu_;       // serialises writers; guards used_
  std::vector<uint64_t> used_;  // bit set: reserved or published
};

}  // namespace accel

#endif  // ACCEL_CORE_MINOR_ALLOCATOR_H_
