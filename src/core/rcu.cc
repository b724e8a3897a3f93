// rcu.cc - the epoch-based RCU domain; see rcu.h for the argument.
#include "core/rcu.h"

#include <mutex>
#include <thread>
#include <vector>

namespace accel {
namespace {

struct ReaderRecord {
  std::atomic<uint64_t> epoch{0};  // 0 when outside any read section
  uint32_t nesting = 0;            // touched only by the owning thread
};

struct Domain {
  std::atomic<uint64_t> epoch{1};
  std::mutex registry_mu;               // guards readers; taken on thread start/exit and scans
  std::vector<ReaderRecord*> readers;
};

Domain& TheDomain() {
  // Leaked on purpose: thread-local records unregister during thread exit, which may run
  // after static destructors on the main thread.
  static Domain* d = new Domain;
  return *d;
}

// Registers the calling thread's record on first use and removes it when the thread exits.
class ThreadRecord {
 public:
  ThreadRecord() {
    Domain& d = TheDomain();
    std::lock_guard lock(d.registry_mu);
    d.readers.push_back(&record_);
  }
  ~ThreadRecord() {
    Domain& d = TheDomain();
    std::lock_guard lock(d.registry_mu);
    std::erase(d.readers, &record_);
  }
  ReaderRecord& record() { return record_; }

 private:
  ReaderRecord record_;
};

ReaderRecord& Self() {
  thread_local ThreadRecord self;
  return self.record();
}

}  // namespace

void Rcu::ReadLock() {
  ReaderRecord& r = Self();
  if (r.nesting++ == 0) {
    // seq_cst: this store must be ordered before the loads the section makes, and visible to a
    // writer scanning after it unlinked a pointer.
    r.epoch.store(TheDomain().epoch.load(std::memory_order_relaxed), std::memory_order_seq_cst);
  }
}

void Rcu::ReadUnlock() {
  ReaderRecord& r = Self();
  if (--r.nesting == 0) r.epoch.store(0, std::memory_order_release);
}

void Rcu::Synchronize() {
  Domain& d = TheDomain();
  const uint64_t target = d.epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
  std::lock_guard lock(d.registry_mu);
  for (ReaderRecord* r : d.readers) {
    for (;;) {
      // seq_cst pairs with the reader's seq_cst store and the writer's unlink (a Dekker
      // handshake): either we see the reader's epoch, or the reader sees the unlink.
      uint64_t e = r->epoch.load(std::memory_order_seq_cst);
      if (e == 0 || e >= target) break;
      std::this_thread::yield();
    }
  }
}

}  // namespace accel
