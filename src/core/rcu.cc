// rcu.cc - the epoch-based RCU domain; see rcu.h for the argument.
#include "core/rcu.h"

#include <mutex>
#include <thread>
#include <vector>

namespace accel {
namespace rcu_internal {

// Records are never freed: a thread that exits gives its record back for the next thread
// to reuse. So Synchronize() can scan a snapshot of the list without holding the registry
// lock, and a thread starting its first read section never waits behind a writer's scan.
struct Domain {
  std::mutex registry_mu;  // guards records; taken on thread start/exit and for a snapshot
  std::vector<ReaderRecord*> records;
};

Domain& TheDomain() {
  // Leaked on purpose: thread-local records are returned during thread exit, which may run
  // after static destructors on the main thread.
  static Domain* d = new Domain;
  return *d;
}

ReaderRecord* AcquireRecord() {
  Domain& d = TheDomain();
  std::lock_guard lock(d.registry_mu);
  for (ReaderRecord* r : d.records) {
    if (!r->in_use.load(std::memory_order_relaxed)) {
      r->in_use.store(true, std::memory_order_relaxed);
      return r;
    }
  }
  auto* r = new ReaderRecord;
  r->in_use.store(true, std::memory_order_relaxed);
  d.records.push_back(r);
  return r;
}

void ReleaseRecord(ReaderRecord* r) {
  std::lock_guard lock(TheDomain().registry_mu);
  r->epoch.store(0, std::memory_order_release);
  r->nesting = 0;
  r->in_use.store(false, std::memory_order_relaxed);
}

ThreadRecord::ThreadRecord() : record(AcquireRecord()) {}
ThreadRecord::~ThreadRecord() {
  ReleaseRecord(record);
}

}  // namespace rcu_internal

void Rcu::Synchronize() {
  rcu_internal::Domain& d = rcu_internal::TheDomain();
  const uint64_t target = rcu_internal::g_epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
  std::vector<rcu_internal::ReaderRecord*> snapshot;
  {
    std::lock_guard lock(d.registry_mu);
    snapshot = d.records;
  }
  // A record added after the snapshot belongs to a thread whose first section began after
  // the epoch advanced: it cannot hold anything unlinked before this call.
  for (rcu_internal::ReaderRecord* r : snapshot) {
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
