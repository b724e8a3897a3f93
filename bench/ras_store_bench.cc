// ras_store_bench.cc - the RAS store's commit rate, beside raw SQLite writing the same rows.
//
// DOC: what is measured
//
// One iteration writes `batch` events (rows from a sample snapshot: five components, messages,
// some addresses and firmware blobs) for one device, each with its aggregate count:
//
//   Store/append_wait     RasStore::Append() x batch, then WaitDurable(last ticket): queueing,
//                         the writer thread's transactions (it commits whatever is queued when
//                         it wakes, up to max_batch) and the wake-up of the waiter.
//   Raw/txn_per_batch     the floor: one connection, the same schema and pragmas, the same two
//                         statements per event (INSERT event, UPSERT aggregate) prepared once,
//                         in one BEGIN IMMEDIATE ... COMMIT per iteration, on this thread.
//   Raw/txn_per_event     the same with one transaction per event: what batching saves.
//
// `full` is synchronous=FULL (an fsync of the WAL per commit) instead of NORMAL, the store's
// default (docs/ras/store.md, durability). Every variant starts from an empty file in $TMPDIR
// (else /tmp) and keeps every row (no retention), so all grow alike. items_per_second is
// events per second of real time: the store's work happens on its writer thread. On a loaded
// machine real time mostly measures the scheduler, so `cpu_ns_per_event` gives the CPU time of
// the whole process (every thread, CLOCK_PROCESS_CPUTIME_ID) per event, for every variant.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "ras/store/ras_store.h"
#include "sample_snapshot.h"

namespace {

using accel::ras::Durability;
using accel::ras::Event;
using accel::ras::RasStore;
using accel::ras::Snapshot;
using accel::ras::StoreOptions;

const Snapshot& Sample() {
  static const Snapshot s = [] {
    accel::ras::testing::SampleShape shape;
    shape.events = accel::ras::kMaxEvents;
    return accel::ras::testing::MakeSampleSnapshot(shape);
  }();
  return s;
}

// An empty directory for one benchmark run, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl =
        std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/ras-store-bench-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
  }
  ~TempDir() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool ok() const { return !dir_.empty(); }
  std::string db() const { return dir_ + "/ras.db"; }

 private:
  std::string dir_;
};

int64_t ProcessCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Events per second (real time) and process CPU per event, from the CPU time at the start.
void Report(benchmark::State& state, size_t batch, int64_t cpu_start) {
  const int64_t events = state.iterations() * static_cast<int64_t>(batch);
  state.SetItemsProcessed(events);
  if (events > 0)
    state.counters["cpu_ns_per_event"] =
        static_cast<double>(ProcessCpuNs() - cpu_start) / static_cast<double>(events);
}

StoreOptions BenchOptions(bool full) {
  StoreOptions o;
  o.max_events = 0;
  o.max_age_ns = 0;
  o.durability = full ? Durability::kFull : Durability::kNormal;
  return o;
}

void StoreAppendWait(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  TempDir dir;
  auto store = RasStore::Open(dir.db(), BenchOptions(state.range(1) != 0));
  if (!dir.ok() || !store) return state.SkipWithError("cannot open the store");
  const Snapshot& s = Sample();
  size_t next = 0;
  uint64_t aggregate = 0;
  const int64_t cpu_start = ProcessCpuNs();
  for (auto _ : state) {
    uint64_t ticket = 0;
    for (size_t i = 0; i < batch; ++i) {
      const Event& e = s.events[next];
      next = (next + 1) % s.events.size();
      ticket = (*store)->Append(s.device, s.components[e.component].name, e, ++aggregate);
    }
    if (!(*store)->WaitDurable(ticket, 60000)) return state.SkipWithError("WaitDurable failed");
  }
  Report(state, batch, cpu_start);
}

// The same rows written straight through the SQLite API.
class RawWriter {
 public:
  RawWriter(const std::string& path, bool full) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return;
    const std::string pragmas = std::string("PRAGMA journal_mode = WAL; PRAGMA synchronous = ") +
                                (full ? "FULL" : "NORMAL") +
                                "; INSERT INTO devices (driver, serial, last_name) "
                                "VALUES ('dummy', 'DUMMY-0003', 'accel3')";
    ok_ = sqlite3_exec(db_, pragmas.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK &&
          Prepare("BEGIN IMMEDIATE", &begin_) && Prepare("COMMIT", &commit_) &&
          Prepare(
              "INSERT INTO events (device_id, seqno, timestamp_ns, component, severity, code, "
              "count, address, message, raw) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
              &insert_) &&
          Prepare(
              "INSERT INTO aggregates (device_id, component, severity, count) "
              "VALUES (1, ?1, ?2, ?3) ON CONFLICT (device_id, component, severity) "
              "DO UPDATE SET count = excluded.count",
              &upsert_);
  }
  ~RawWriter() {
    for (sqlite3_stmt* st : {begin_, commit_, insert_, upsert_}) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  bool ok() const { return ok_; }

  bool Begin() { return Run(begin_); }
  bool Commit() { return Run(commit_); }
  bool Write(const std::string& component, const Event& e, uint64_t aggregate) {
    sqlite3_bind_int64(insert_, 1, static_cast<int64_t>(e.seqno));
    sqlite3_bind_int64(insert_, 2, static_cast<int64_t>(e.timestamp_ns));
    sqlite3_bind_text(insert_, 3, component.data(), static_cast<int>(component.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert_, 4, e.severity);
    sqlite3_bind_int64(insert_, 5, e.code);
    sqlite3_bind_int64(insert_, 6, e.count);
    if (e.address) sqlite3_bind_int64(insert_, 7, static_cast<int64_t>(*e.address));
    sqlite3_bind_text(insert_, 8, e.message.data(), static_cast<int>(e.message.size()),
                      SQLITE_TRANSIENT);
    if (!e.raw.empty())
      sqlite3_bind_blob(insert_, 9, e.raw.data(), static_cast<int>(e.raw.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(upsert_, 1, component.data(), static_cast<int>(component.size()),
                      SQLITE_TRANSIENT);
    sqlite3_bind_int64(upsert_, 2, e.severity);
    sqlite3_bind_int64(upsert_, 3, static_cast<int64_t>(aggregate));
    return Run(insert_) && Run(upsert_);
  }

 private:
  bool Prepare(const char* sql, sqlite3_stmt** st) {
    return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, st, nullptr) == SQLITE_OK;
  }
  static bool Run(sqlite3_stmt* st) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE;
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt *begin_ = nullptr, *commit_ = nullptr, *insert_ = nullptr, *upsert_ = nullptr;
  bool ok_ = false;
};

void Raw(benchmark::State& state, bool txn_per_event) {
  const auto batch = static_cast<size_t>(state.range(0));
  const bool full = state.range(1) != 0;
  TempDir dir;
  {  // the store creates the file and its schema, then lets go
    auto store = RasStore::Open(dir.db(), BenchOptions(full));
    if (!dir.ok() || !store) return state.SkipWithError("cannot create the database");
  }
  RawWriter w(dir.db(), full);
  if (!w.ok()) return state.SkipWithError("cannot prepare the raw writer");
  const Snapshot& s = Sample();
  size_t next = 0;
  uint64_t aggregate = 0;
  const int64_t cpu_start = ProcessCpuNs();
  for (auto _ : state) {
    bool ok = txn_per_event || w.Begin();
    for (size_t i = 0; ok && i < batch; ++i) {
      const Event& e = s.events[next];
      next = (next + 1) % s.events.size();
      if (txn_per_event) ok = w.Begin();
      ok = ok && w.Write(s.components[e.component].name, e, ++aggregate);
      if (txn_per_event) ok = ok && w.Commit();
    }
    if (!txn_per_event) ok = ok && w.Commit();
    if (!ok) return state.SkipWithError("SQLite write failed");
  }
  Report(state, batch, cpu_start);
}

void RawTxnPerBatch(benchmark::State& state) {
  Raw(state, false);
}
void RawTxnPerEvent(benchmark::State& state) {
  Raw(state, true);
}

// Batches of 1 show the per-commit cost; 4096 is StoreOptions::max_batch.
void BatchArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"batch", "full"});
  for (int64_t full : {0, 1})
    for (int64_t batch : {1, 64, 1024, 4096}) b->Args({batch, full});
  b->UseRealTime();
}

BENCHMARK(StoreAppendWait)->Name("Store/append_wait")->Apply(BatchArgs);
BENCHMARK(RawTxnPerBatch)->Name("Raw/txn_per_batch")->Apply(BatchArgs);
// Per-event commits do not depend on the batch size; 64 events per iteration keeps FULL short.
BENCHMARK(RawTxnPerEvent)
    ->Name("Raw/txn_per_event")
    ->ArgNames({"batch", "full"})
    ->Args({64, 0})
    ->Args({64, 1})
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
