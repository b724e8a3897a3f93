// rcu.h - read-copy-update for userspace: lock-free readers, writers that wait them out.
//
// DOC: why
//
// xarray lookups in the kernel run under rcu_read_lock(): a reader never blocks a writer and
// never takes a lock, and a writer that unlinks an object calls synchronize_rcu() before freeing
// it. accel's MinorAllocator needs the same promise in a process, so this is a small
// epoch-based RCU:
//
//   - each reading thread owns a record holding the global epoch it entered at (0 = quiescent);
//   - RcuReadLock stores the current epoch into that record (seq_cst) and then reads;
//   - Synchronize() advances the epoch and waits until no record holds an older, non-zero
//     epoch. A reader that could still see an unlinked pointer entered before the advance and
//     so holds an older epoch; a reader that enters later can no longer find the pointer.
//
// Readers pay two stores and a thread-local lookup; writers (rare: register and unplug) pay a
// scan of the reader records. Read sections nest.
//
//   {
//     RcuReadLock guard;
//     Minor* m = minors.Load(index);   // valid until guard ends
//     if (m) m->device->Get();         // take a reference to keep it past the section
//   }
#ifndef ACCEL_CORE_RCU_H_
#define ACCEL_CORE_RCU_H_

#include <atomic>
#include <cstdint>

namespace accel {

namespace rcu_internal {

struct ReaderRecord {
  std::atomic<uint64_t> epoch{0};  // 0 when outside any read section
  uint32_t nesting = 0;            // touched only by the owning thread
  std::atomic<bool> in_use{false};
};

// The calling thread's record, acquired on first use and given back at thread exit.
struct ThreadRecord {
  ThreadRecord();
  ~ThreadRecord();
  ReaderRecord* record;
};

// The global epoch; advanced only by Synchronize().
inline std::atomic<uint64_t> g_epoch{1};

inline ReaderRecord& Self() {
  thread_local ThreadRecord self;
  return *self.record;
}

}  // namespace rcu_internal

// The one domain of the process (as the kernel has one RCU).
class Rcu {
 public:
  // Waits until every read section that began before this call has ended. Must not be called
  // from inside a read section (it would wait for itself).
  static void Synchronize();

  // Inline: a lookup under RCU is on every open and every minor lookup.
  static void ReadLock() {
    rcu_internal::ReaderRecord& r = rcu_internal::Self();
    if (r.nesting++ == 0) {
      // seq_cst: ordered before the loads the section makes, and visible to a writer that
      // scans after unlinking a pointer.
      r.epoch.store(rcu_internal::g_epoch.load(std::memory_order_relaxed),
                    std::memory_order_seq_cst);
    }
  }
  static void ReadUnlock() {
    rcu_internal::ReaderRecord& r = rcu_internal::Self();
    if (--r.nesting == 0) r.epoch.store(0, std::memory_order_release);
  }
};

class RcuReadLock {
 public:
  RcuReadLock() { Rcu::ReadLock(); }
  ~RcuReadLock() { Rcu::ReadUnlock(); }
  RcuReadLock(const RcuReadLock&) = delete;
  RcuReadLock& operator=(const RcuReadLock&) = delete;
};

}  // namespace accel

#endif  // ACCEL_CORE_RCU_H_
