// sqlite_ras_store.h - private to accel_ras_store: the SQLite implementation of RasStore,
// split over sqlite_ras_store.cc (opening, queue, tickets, the writer, retention) and
// sqlite_ras_store_reads.cc (Load, Events). Consumers include ras_store.h only.
//
// DOC: threads and connections
//
// Two connections to one WAL database. The writer connection belongs to the writer thread
// (Open() uses it before the thread starts and Close() after it is joined); the read
// connection is shared by callers under read_mu_. WAL lets the reader see the last committed
// state while a batch is being written. Append()/PutPage() only take mu_ to push onto the
// queue; the writer takes up to max_batch items, writes them in one BEGIN IMMEDIATE ... COMMIT
// with statements prepared once, then publishes the last ticket of the batch (durable_ticket_)
// and wakes WaitDurable(). Tickets are issued in queue order, so a batch is a run of tickets;
// the runs that failed (and tickets refused at the door) are kept in failures_ as disjoint
// ranges, merged when adjacent, so a waiter learns its own batch's outcome.
#ifndef ACCEL_RAS_STORE_SQLITE_RAS_STORE_H_
#define ACCEL_RAS_STORE_SQLITE_RAS_STORE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ras/store/ras_store.h"
#include "ras/store/sqlite_util.h"

namespace accel::ras::store {

// One queued write.
struct Item {
  enum class Kind { kEvent, kPage };
  Kind kind = Kind::kEvent;
  uint64_t ticket = 0;
  std::string driver, serial, name;
  // kEvent
  std::string component;
  Event event;
  uint64_t aggregate_after = 0;
  // kPage
  RetiredPage page;
  // Worth an fsync under Durability::kAuto: an uncorrected or fatal event, or a retired page.
  bool critical = false;
};

// The writer's statements, prepared once on the writer connection.
struct WriterStatements {
  Statement begin, commit, rollback;
  Statement upsert_device, set_last_seqno;
  Statement insert_event, upsert_aggregate, upsert_page;
  Statement trim_to_count;
};

// What the writer knows of a device row; dropped when a transaction rolls back.
struct CachedDevice {
  int64_t id = 0;
  std::string driver, serial, name;
  uint64_t last_seqno = 0;
  bool seqno_dirty = false;
};

class SqliteRasStore final : public RasStore {
 public:
  SqliteRasStore(const StoreOptions& opts, Db writer_db, Db reader_db)
      : opts_(opts), wdb_(std::move(writer_db)), rdb_(std::move(reader_db)) {}
  ~SqliteRasStore() override { Close(); }

  // Prepares statements, applies retention once and starts the writer.
  Result<void> Start();

  Result<PersistedState> Load(const std::string& driver, const std::string& serial) override;
  uint64_t Append(const DeviceIdentity& device, const std::string& component, const Event& event,
                  uint64_t aggregate_after) override;
  uint64_t PutPage(const DeviceIdentity& device, const RetiredPage& page) override;
  Result<void> WaitDurable(uint64_t ticket, int timeout_ms) override;
  Result<std::vector<EventRecord>> Events(const LogQuery& q) override;
  void Close() override;
  StoreStats Stats() override;
  void SetSettledListener(std::function<void(uint64_t)> listener) override;

 private:
  struct FailedRange {
    uint64_t last;
    int err;  // negative errno
  };

  uint64_t Enqueue(Item item);
  // Under mu_: records tickets [first, last] as failed with `err`.
  void RecordFailure(uint64_t first, uint64_t last, int err);
  // Under mu_: the error of a failed ticket, 0 otherwise.
  int FailureOf(uint64_t ticket) const;

  void WriterLoop();
  int CommitBatch(const std::vector<Item>& batch);
  // Puts the synchronous level the batch needs in force (read back from SQLite, not assumed).
  int ApplyDurability(const std::vector<Item>& batch);
  int WriteItem(const Item& item);
  Result<CachedDevice*> Device(const Item& item);
  int WriteDirtySeqnos();
  void ReportCommit(int rc, size_t items);
  void MaybeApplyRetention(bool force);
  int ApplyRetention();

  const StoreOptions opts_;

  // Writer side: used by Start() before the thread exists, then by the writer only, then by
  // Close() after the join.
  Db wdb_;
  WriterStatements ws_;
  std::unordered_map<std::string, CachedDevice> devices_;  // driver '\0' serial
  CachedDevice* last_device_ = nullptr;  // the previous item's: events come in runs
  uint32_t commits_since_retention_ = 0;
  std::chrono::steady_clock::time_point last_retention_;
  bool commit_failing_ = false;  // to log a run of failed commits once
  int64_t sync_in_force_ = -1;   // PRAGMA synchronous as SQLite reports it (1 NORMAL, 2 FULL)
  std::function<void(uint64_t)> settled_listener_;

  std::mutex read_mu_;
  Db rdb_;  // reset by Close()

  std::mutex mu_;
  std::condition_variable work_cv_;     // writer: queue_ not empty or closing_
  std::condition_variable durable_cv_;  // waiters: durable_ticket_ moved
  std::deque<Item> queue_;
  uint64_t last_ticket_ = 0;     // the last ticket issued
  uint64_t durable_ticket_ = 0;  // every ticket up to here is settled (committed or failed)
  std::map<uint64_t, FailedRange> failures_;  // first ticket -> range; disjoint
  bool closing_ = false;
  bool refusing_ = false;  // to log a run of refused tickets once
  StoreStats stats_;
  std::thread writer_;

  std::mutex close_mu_;
  bool closed_ = false;
};

}  // namespace accel::ras::store

#endif  // ACCEL_RAS_STORE_SQLITE_RAS_STORE_H_
