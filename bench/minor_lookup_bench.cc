// minor_lookup_bench.cc - MinorAllocator lookups under RCU, beside a shared_mutex-guarded map.
//
// DOC: what is measured
//
// Every open by name and every LIST looks a minor up. MinorAllocator promises lock-free reads
// (an RcuReadLock and one atomic load), so readers should scale with threads where a
// reader-writer lock does not: std::shared_mutex's shared lock is an atomic read-modify-write
// on one shared cache line, which bounces between cores.
//
//   MinorLookup/rcu            { RcuReadLock g; minors.Load(key)->value }
//   MinorLookup/shared_mutex   { std::shared_lock l(mu); map.find(key)->second->value }
//
// Both over the same 64 published entries and the same key sequence, with 1, 2 and 4 reader
// threads and no writer. items_per_second is the aggregate rate across threads (real time).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "core/minor_allocator.h"
#include "core/rcu.h"

namespace {

constexpr uint32_t kEntries = 64;

struct Entry {
  uint32_t minor = 0;
  uint64_t value = 0;
};

// Both structures, filled once with the same entries and never written again.
struct Tables {
  std::array<Entry, kEntries> entries;
  accel::MinorAllocator<Entry> minors;
  std::shared_mutex mu;
  std::unordered_map<uint32_t, Entry*> map;

  Tables() {
    for (uint32_t i = 0; i < kEntries; ++i) {
      entries[i] = Entry{i, uint64_t{i} * 3 + 1};
      accel::Result<uint32_t> id = minors.Alloc();  // lowest free: i
      if (!id || *id != i || !minors.Store(i, &entries[i])) std::abort();
      map.emplace(i, &entries[i]);
    }
  }
};

Tables& TheTables() {
  static Tables t;  // built by the first thread to arrive; the others wait for it
  return t;
}

// Each thread walks all keys, starting at its own offset so threads do not move in lockstep.
uint32_t FirstKey(const benchmark::State& state) {
  return static_cast<uint32_t>(state.thread_index()) * 17 % kEntries;
}

void BM_RcuLookup(benchmark::State& state) {
  Tables& t = TheTables();
  { accel::RcuReadLock warm; }  // registers this thread's reader record outside the timing
  uint32_t key = FirstKey(state);
  for (auto _ : state) {
    accel::RcuReadLock guard;
    const Entry* e = t.minors.Load(key);
    benchmark::DoNotOptimize(e->value);
    key = (key + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SharedMutexLookup(benchmark::State& state) {
  Tables& t = TheTables();
  uint32_t key = FirstKey(state);
  for (auto _ : state) {
    std::shared_lock lock(t.mu);
    const Entry* e = t.map.find(key)->second;
    benchmark::DoNotOptimize(e->value);
    key = (key + 1) % kEntries;
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RcuLookup)->Name("MinorLookup/rcu")->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK(BM_SharedMutexLookup)
    ->Name("MinorLookup/shared_mutex")
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
