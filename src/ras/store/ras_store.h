// ras_store.h - the durable side of RAS: events, aggregate counters and retired pages in SQLite.
//
// DOC: durability
//
// One database (WAL mode) per acceld: by default /var/lib/accel/ras.db for root,
// $XDG_STATE_HOME/accel/ras.db (or ~/.local/state/accel/ras.db) otherwise; `--ras-db` sets it.
// State is keyed by device identity, (driver, serial), never by accelN, so a device keeps its
// history when it comes back under another minor.
//
// Writes are batched: Append() queues and returns a ticket at once; a writer thread commits
// everything queued in one transaction; WaitDurable(ticket) returns once that commit is done.
// An event is *acknowledged* when WaitDurable returned for it: from then on it survives
// kill -9 of the daemon. Aggregate counters are updated in the same transaction as the event
// that moved them, so counters and log never disagree after a crash.
// Retention bounds the log: at most max_events rows and nothing older than max_age.
#ifndef ACCEL_RAS_STORE_RAS_STORE_H_
#define ACCEL_RAS_STORE_RAS_STORE_H_

#include <accel/result.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ras/model.h"
#include "ras/service_records.h"

namespace accel::ras {

// When a commit waits for fsync (SQLite's synchronous, docs/ras/store.md "durability"):
// kNormal never (kill -9 safe, power loss may take the last batches), kFull always, kAuto
// (acceld's default) for a batch that holds an uncorrected or fatal event or a retired page.
enum class Durability { kNormal, kFull, kAuto };
// "normal", "full", "auto"; -EINVAL for anything else.
Result<Durability> ParseDurability(std::string_view text);
const char* DurabilityName(Durability d);

struct StoreOptions {
  uint64_t max_events = 100000;                      // rows kept in the event log; 0: no bound
  uint64_t max_age_ns = 90ULL * 86400 * 1000000000;  // 90 days; 0 keeps everything
  uint32_t max_batch = 4096;                         // events per transaction at most
  // Added with the SQLite implementation (docs/ras/store.md):
  uint32_t max_queued = 1u << 18;         // more queued writes fail (-ENOBUFS); 0: no bound
  uint32_t busy_timeout_ms = 5000;        // SQLite busy_timeout on both connections
  uint32_t retention_every_commits = 64;  // retention runs after this many commits ...
  uint32_t retention_every_ms = 10000;    // ... or this long after the last run, if sooner
  Durability durability = Durability::kAuto;
};

// What the writer did, since Open(); for tests, logs and metrics.
struct StoreStats {
  uint64_t events_queued = 0;     // Append()s accepted: what reporters were told is recorded
  uint64_t events_committed = 0;  // of those, in a committed batch
  uint64_t events_failed = 0;     // in a batch that failed (or refused at the door)
  uint64_t commits_normal = 0;    // batches committed with synchronous = NORMAL in force
  uint64_t commits_full = 0;      // ... with synchronous = FULL in force (one WAL fsync each)
};

// A device's persisted state, as Load() returns it.
struct PersistedState {
  // Aggregate count per (component name, severity), every component ever stored for the
  // identity; the caller keeps those the device still has (DeviceRasState::Restore does).
  struct Aggregate {
    std::string component;
    uint32_t severity = 0;
    uint64_t count = 0;
  };
  std::vector<Aggregate> aggregates;
  std::vector<RetiredPage> pages;  // sorted by address
  uint64_t last_seqno = 0;         // highest event seqno stored for this identity
};

class RasStore {
 public:
  // Creates the file and its directory (0700) when missing; -errno on failure.
  static Result<std::unique_ptr<RasStore>> Open(const std::string& path,
                                                const StoreOptions& opts = {});
  // The default path for this process (see DOC above).
  static std::string DefaultPath();
  virtual ~RasStore() = default;

  virtual Result<PersistedState> Load(const std::string& driver, const std::string& serial) = 0;
  // Queues the event and the component's aggregate count after it (absolute, not a delta).
  // `device` supplies driver, serial and the name at the time. Returns the ticket.
  virtual uint64_t Append(const DeviceIdentity& device, const std::string& component,
                          const Event& event, uint64_t aggregate_after) = 0;
  // Queues an upsert of one retired page (by address).
  virtual uint64_t PutPage(const DeviceIdentity& device, const RetiredPage& page) = 0;
  // Blocks until the batch holding `ticket` is committed: 0, -ETIME after timeout_ms, or the
  // writer's -errno if that commit failed. Also: -EINVAL for a ticket never issued (0 always
  // succeeds), -ENOBUFS / -ESHUTDOWN for a write refused (max_queued reached / after Close());
  // a negative timeout_ms waits without limit.
  virtual Result<void> WaitDurable(uint64_t ticket, int timeout_ms) = 0;
  // Events matching q (device by name or serial), oldest first.
  virtual Result<std::vector<EventRecord>> Events(const LogQuery& q) = 0;
  // Commits what is queued and stops the writer. Idempotent; the destructor calls it.
  virtual void Close() = 0;
  virtual StoreStats Stats() = 0;
  // Called on the writer thread when a batch has settled (committed or failed), with its last
  // ticket, before WaitDurable() tells that batch's waiters. Set before the first Append(); it
  // must not call back into the store.
  virtual void SetSettledListener(std::function<void(uint64_t settled_ticket)> listener) = 0;
};

}  // namespace accel::ras

#endif  // ACCEL_RAS_STORE_RAS_STORE_H_
