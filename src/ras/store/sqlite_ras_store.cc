// sqlite_ras_store.cc - RasStore::Open(), the queue and tickets, the writer thread and
// retention; see sqlite_ras_store.h for how the threads and connections fit together.
#include "ras/store/sqlite_ras_store.h"

#include <pwd.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "ras/store/schema.h"
#include "ras/store/store_paths.h"

namespace accel::ras {
namespace store {
namespace {

uint64_t RealtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

Result<void> SqliteRasStore::Start() {
  struct Def {
    Statement* st;
    const char* sql;
  };
  const Def defs[] = {
      {&ws_.begin, "BEGIN IMMEDIATE"},
      {&ws_.commit, "COMMIT"},
      {&ws_.rollback, "ROLLBACK"},
      {&ws_.upsert_device,
       "INSERT INTO devices (driver, serial, last_name) VALUES (?1, ?2, ?3) "
       "ON CONFLICT (driver, serial) DO UPDATE SET last_name = excluded.last_name "
       "RETURNING id, last_seqno"},
      {&ws_.set_last_seqno, "UPDATE devices SET last_seqno = ?2 WHERE id = ?1"},
      {&ws_.insert_event,
       "INSERT INTO events (device_id, seqno, timestamp_ns, component, severity, code, count, "
       "address, message, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&ws_.upsert_aggregate,
       "INSERT INTO aggregates (device_id, component, severity, count) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (device_id, component, severity) DO UPDATE SET count = excluded.count"},
      {&ws_.upsert_page,
       "INSERT INTO pages (device_id, address, cause, state, timestamp_ns) "
       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id, address) DO UPDATE SET "
       "cause = excluded.cause, state = excluded.state, timestamp_ns = excluded.timestamp_ns"},
      // Everything older than the newest ?1 rows (ids grow with log order).
      {&ws_.trim_to_count,
       "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 "
       "OFFSET ?1)"},
  };
  for (const Def& d : defs) {
    Result<Statement> st = Statement::Prepare(wdb_.get(), d.sql);
    if (!st) return Errno{st.error()};
    *d.st = std::move(*st);
  }
  // A failed trim is not fatal: the file stays usable, and the next run tries again.
  if (int rc = ApplyRetention(); rc < 0)
    std::fprintf(stderr, "ras store: retention failed: %s (%s); tried again later\n",
                 sqlite3_errmsg(wdb_.get()), std::strerror(-rc));
  last_retention_ = std::chrono::steady_clock::now();
  try {
    writer_ = std::thread([this] { WriterLoop(); });
  } catch (const std::system_error& e) {
    return Errno{e.code().value() > 0 ? -e.code().value() : -EAGAIN};
  }
  return {};
}

// ---- queue and tickets ----

uint64_t SqliteRasStore::Append(const DeviceIdentity& device, const std::string& component,
                                const Event& event, uint64_t aggregate_after) {
  Item item;
  item.kind = Item::Kind::kEvent;
  item.driver = device.driver;
  item.serial = device.serial;
  item.name = device.name;
  item.component = component;
  item.event = event;
  item.aggregate_after = aggregate_after;
  item.critical = event.severity == static_cast<uint32_t>(Severity::kUncorrected) ||
                  event.severity == static_cast<uint32_t>(Severity::kFatal);
  return Enqueue(std::move(item));
}

uint64_t SqliteRasStore::PutPage(const DeviceIdentity& device, const RetiredPage& page) {
  Item item;
  item.kind = Item::Kind::kPage;
  item.driver = device.driver;
  item.serial = device.serial;
  item.name = device.name;
  item.page = page;
  item.critical = true;
  return Enqueue(std::move(item));
}

uint64_t SqliteRasStore::Enqueue(Item item) {
  std::unique_lock l(mu_);
  const uint64_t ticket = ++last_ticket_;
  const int refused = closing_                                                     ? -ESHUTDOWN
                      : opts_.max_queued != 0 && queue_.size() >= opts_.max_queued ? -ENOBUFS
                                                                                   : 0;
  if (refused != 0) {
    RecordFailure(ticket, ticket, refused);
    if (item.kind == Item::Kind::kEvent) ++stats_.events_failed;
    if (!refusing_)
      std::fprintf(stderr, "ras store: refusing writes (%s); not logged again until one fits\n",
                   refused == -ESHUTDOWN ? "store closed" : "queue full");
    refusing_ = true;
    return ticket;
  }
  refusing_ = false;
  item.ticket = ticket;
  if (item.kind == Item::Kind::kEvent) ++stats_.events_queued;
  queue_.push_back(std::move(item));
  l.unlock();
  work_cv_.notify_one();
  return ticket;
}

void SqliteRasStore::RecordFailure(uint64_t first, uint64_t last, int err) {
  // Ranges arrive in any order (a refused ticket can fall inside a batch's span) but never
  // overlap; merge with the neighbour that ends right before, and the one starting right after.
  auto next = failures_.upper_bound(first);
  if (next != failures_.begin()) {
    auto prev = std::prev(next);
    if (prev->second.last + 1 == first && prev->second.err == err) {
      prev->second.last = last;
      if (next != failures_.end() && next->first == last + 1 && next->second.err == err) {
        prev->second.last = next->second.last;
        failures_.erase(next);
      }
      return;
    }
  }
  if (next != failures_.end() && next->first == last + 1 && next->second.err == err) {
    FailedRange merged{next->second.last, err};
    failures_.erase(next);
    failures_.emplace(first, merged);
    return;
  }
  failures_.emplace(first, FailedRange{last, err});
}

int SqliteRasStore::FailureOf(uint64_t ticket) const {
  auto it = failures_.upper_bound(ticket);
  if (it == failures_.begin()) return 0;
  --it;
  return ticket <= it->second.last ? it->second.err : 0;
}

Result<void> SqliteRasStore::WaitDurable(uint64_t ticket, int timeout_ms) {
  std::unique_lock l(mu_);
  if (ticket == 0) return {};
  if (ticket > last_ticket_) return Err(EINVAL);  // never issued
  auto settled = [&] { return durable_ticket_ >= ticket || FailureOf(ticket) != 0; };
  if (timeout_ms < 0) {
    durable_cv_.wait(l, settled);
  } else if (!durable_cv_.wait_for(l, std::chrono::milliseconds(timeout_ms), settled)) {
    return Err(ETIME);
  }
  if (int err = FailureOf(ticket); err != 0) return Errno{err};
  return {};
}

// ---- the writer ----

void SqliteRasStore::WriterLoop() {
  const size_t max_batch = std::max<uint32_t>(opts_.max_batch, 1);
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock l(mu_);
      work_cv_.wait(l, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything queued is settled
      const size_t n = std::min(queue_.size(), max_batch);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    const int rc = CommitBatch(batch);
    const uint64_t events = static_cast<uint64_t>(std::count_if(
        batch.begin(), batch.end(), [](const Item& i) { return i.kind == Item::Kind::kEvent; }));
    // Before the waiters learn of it, so that whoever a WaitDurable() answered finds the
    // listener's effect (the RAS service's watchers told) done.
    if (settled_listener_) settled_listener_(batch.back().ticket);
    {
      std::lock_guard l(mu_);
      if (rc < 0) {
        stats_.events_failed += events;
      } else {
        stats_.events_committed += events;
        ++(sync_in_force_ >= 2 ? stats_.commits_full : stats_.commits_normal);
      }
      if (rc < 0) {
        // The batch's tickets are consecutive except for refused ones, already recorded.
        size_t start = 0;
        for (size_t i = 1; i <= batch.size(); ++i) {
          if (i == batch.size() || batch[i].ticket != batch[i - 1].ticket + 1) {
            RecordFailure(batch[start].ticket, batch[i - 1].ticket, rc);
            start = i;
          }
        }
      }
      durable_ticket_ = batch.back().ticket;
    }
    durable_cv_.notify_all();
    ReportCommit(rc, batch.size());
    batch.clear();
    ++commits_since_retention_;
    MaybeApplyRetention(false);
  }
}

int SqliteRasStore::ApplyDurability(const std::vector<Item>& batch) {
  bool full = opts_.durability == Durability::kFull;
  if (opts_.durability == Durability::kAuto)
    full = std::any_of(batch.begin(), batch.end(), [](const Item& i) { return i.critical; });
  const int64_t want = full ? 2 : 1;
  if (sync_in_force_ == want) return 0;
  // Outside a transaction: the level applies to the next COMMIT on this connection.
  if (int rc = Exec(wdb_.get(), full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
      rc < 0)
    return rc;
  Result<int64_t> now = QueryInt(wdb_.get(), "PRAGMA synchronous");
  if (!now) return now.error();
  sync_in_force_ = *now;
  return sync_in_force_ == want ? 0 : -EIO;
}

int SqliteRasStore::CommitBatch(const std::vector<Item>& batch) {
  int rc = ApplyDurability(batch);
  if (rc == 0) rc = ws_.begin.Run();
  for (size_t i = 0; rc == 0 && i < batch.size(); ++i) rc = WriteItem(batch[i]);
  if (rc == 0) rc = WriteDirtySeqnos();
  if (rc == 0) rc = ws_.commit.Run();
  if (rc == 0) return 0;
  if (!sqlite3_get_autocommit(wdb_.get())) (void)ws_.rollback.Run();
  devices_.clear();  // ids and seqnos written in the rolled-back transaction are gone
  last_device_ = nullptr;
  return -EIO;
}

Result<CachedDevice*> SqliteRasStore::Device(const Item& item) {
  CachedDevice* last = last_device_;
  if (last != nullptr && last->serial == item.serial && last->driver == item.driver &&
      last->name == item.name)
    return last;
  std::string key = item.driver;
  key.push_back('\0');
  key += item.serial;
  auto it = devices_.find(key);
  if (it != devices_.end() && it->second.name == item.name) return last_device_ = &it->second;
  Statement& st = ws_.upsert_device;
  st.BindText(1, item.driver);
  st.BindText(2, item.serial);
  st.BindText(3, item.name);
  int rc = st.Step();
  if (rc != SQLITE_ROW) {
    st.Reset();
    return Errno{ErrnoFromSqlite(rc)};
  }
  CachedDevice d;
  d.id = st.ColumnI64(0);
  d.last_seqno = st.ColumnU64(1);
  d.driver = item.driver;
  d.serial = item.serial;
  d.name = item.name;
  if (rc = st.Run(); rc < 0) return Errno{rc};  // steps past RETURNING's only row
  if (it != devices_.end()) {                   // renamed: keep the seqno not yet written
    d.last_seqno = std::max(d.last_seqno, it->second.last_seqno);
    d.seqno_dirty = it->second.seqno_dirty;
    it->second = std::move(d);
    return last_device_ = &it->second;
  }
  return last_device_ = &devices_.emplace(std::move(key), std::move(d)).first->second;
}

int SqliteRasStore::WriteItem(const Item& item) {
  Result<CachedDevice*> dev = Device(item);
  if (!dev) return dev.error();
  const int64_t id = (*dev)->id;
  if (item.kind == Item::Kind::kPage) {
    Statement& st = ws_.upsert_page;
    st.BindI64(1, id);
    st.BindU64(2, item.page.address);
    st.BindI64(3, item.page.cause);
    st.BindI64(4, static_cast<int64_t>(item.page.state));
    st.BindU64(5, item.page.timestamp_ns);
    return st.Run();
  }
  const Event& e = item.event;
  Statement& ev = ws_.insert_event;
  ev.BindI64(1, id);
  ev.BindU64(2, e.seqno);
  ev.BindU64(3, e.timestamp_ns);
  ev.BindText(4, item.component);
  ev.BindI64(5, e.severity);
  ev.BindI64(6, e.code);
  ev.BindI64(7, e.count);
  if (e.address) ev.BindU64(8, *e.address);  // unbound stays NULL
  ev.BindText(9, e.message);
  ev.BindBlob(10, e.raw);
  if (int rc = ev.Run(); rc < 0) return rc;
  Statement& agg = ws_.upsert_aggregate;
  agg.BindI64(1, id);
  agg.BindText(2, item.component);
  agg.BindI64(3, e.severity);
  agg.BindU64(4, item.aggregate_after);
  if (int rc = agg.Run(); rc < 0) return rc;
  if (e.seqno > (*dev)->last_seqno) {
    (*dev)->last_seqno = e.seqno;
    (*dev)->seqno_dirty = true;
  }
  return 0;
}

int SqliteRasStore::WriteDirtySeqnos() {
  for (auto& [key, d] : devices_) {
    if (!d.seqno_dirty) continue;
    ws_.set_last_seqno.BindI64(1, d.id);
    ws_.set_last_seqno.BindU64(2, d.last_seqno);
    if (int rc = ws_.set_last_seqno.Run(); rc < 0) return rc;
    d.seqno_dirty = false;
  }
  return 0;
}

void SqliteRasStore::ReportCommit(int rc, size_t items) {
  if (rc < 0 && !commit_failing_) {
    std::fprintf(stderr,
                 "ras store: commit of %zu writes failed: %s; their waiters get -EIO; "
                 "not logged again until a commit succeeds\n",
                 items, sqlite3_errmsg(wdb_.get()));
  } else if (rc == 0 && commit_failing_) {
    std::fprintf(stderr, "ras store: commits succeed again\n");
  }
  commit_failing_ = rc < 0;
}

void SqliteRasStore::MaybeApplyRetention(bool force) {
  const auto now = std::chrono::steady_clock::now();
  const bool due = force || commits_since_retention_ >= opts_.retention_every_commits ||
                   now - last_retention_ >= std::chrono::milliseconds(opts_.retention_every_ms);
  if (!due || commits_since_retention_ == 0) return;
  if (int rc = ApplyRetention(); rc < 0)
    std::fprintf(stderr, "ras store: retention failed: %s (%s); tried again later\n",
                 sqlite3_errmsg(wdb_.get()), std::strerror(-rc));
  commits_since_retention_ = 0;
  last_retention_ = now;
}

// Deletes events beyond max_events (oldest first) and older than max_age_ns, in one
// transaction of its own: acknowledged writes never wait for it.
int SqliteRasStore::ApplyRetention() {
  if (opts_.max_events == 0 && opts_.max_age_ns == 0) return 0;
  int rc = ws_.begin.Run();
  if (rc == 0 && opts_.max_events != 0) {
    // OFFSET is signed; a bound above INT64_MAX rows cannot be reached anyway.
    const uint64_t keep = std::min<uint64_t>(opts_.max_events, INT64_MAX);
    ws_.trim_to_count.BindU64(1, keep);
    rc = ws_.trim_to_count.Run();
  }
  const uint64_t now = RealtimeNs();
  if (rc == 0 && opts_.max_age_ns != 0 && now > opts_.max_age_ns) {
    // Prepared per run: it runs every few seconds at most, and the condition's shape depends on
    // the cutoff (sqlite_util.h, U64RangeCondition).
    const uint64_t cutoff = now - opts_.max_age_ns;  // delete timestamps in [0, cutoff)
    const std::string sql =
        "DELETE FROM events WHERE " + U64RangeCondition("timestamp_ns", "", 0, cutoff - 1);
    Result<Statement> st = Statement::Prepare(wdb_.get(), sql.c_str());
    rc = st ? 0 : st.error();
    if (rc == 0) {
      st->BindU64(st->ParameterIndex(":lo"), 0);
      st->BindU64(st->ParameterIndex(":hi"), cutoff - 1);
      rc = st->Run();
    }
  }
  if (rc == 0) rc = ws_.commit.Run();
  if (rc < 0 && !sqlite3_get_autocommit(wdb_.get())) (void)ws_.rollback.Run();
  return rc;
}

void SqliteRasStore::Close() {
  std::lock_guard c(close_mu_);
  if (closed_) return;
  {
    std::lock_guard l(mu_);
    closing_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  MaybeApplyRetention(true);
  ws_ = WriterStatements{};  // finalized before their connection closes
  wdb_.reset();
  {
    std::lock_guard r(read_mu_);
    rdb_.reset();
  }
  closed_ = true;
}

StoreStats SqliteRasStore::Stats() {
  std::lock_guard l(mu_);
  return stats_;
}

void SqliteRasStore::SetSettledListener(std::function<void(uint64_t)> listener) {
  std::lock_guard l(mu_);  // the writer reads it after taking mu_ for its next batch
  settled_listener_ = std::move(listener);
}

}  // namespace store

// ---- opening ----

Result<std::unique_ptr<RasStore>> RasStore::Open(const std::string& path,
                                                 const StoreOptions& opts) {
  // Two threads use SQLite at once (on separate connections): a single-threaded build of the
  // library cannot serve that.
  if (sqlite3_threadsafe() == 0) return Err(ENOTSUP);
  if (int rc = store::CreateDatabaseFile(path); rc < 0) return Errno{rc};
  Result<store::Db> wdb = store::OpenConnection(path, opts.busy_timeout_ms);
  if (!wdb) return Errno{wdb.error()};
  // WAL persists in the file; synchronous is per connection (docs/ras/store.md, durability).
  Result<std::string> mode = store::QueryText(wdb->get(), "PRAGMA journal_mode = WAL");
  if (!mode) return Errno{mode.error()};
  if (*mode != "wal") return Err(EIO);  // e.g. a file on a filesystem without shared memory
  // synchronous is set per batch by the writer (ApplyDurability), NORMAL until then.
  if (int rc = store::Exec(wdb->get(), "PRAGMA synchronous = NORMAL"); rc < 0) return Errno{rc};
  if (Result<void> m = store::Migrate(wdb->get()); !m) return Errno{m.error()};

  Result<store::Db> rdb = store::OpenConnection(path, opts.busy_timeout_ms);
  if (!rdb) return Errno{rdb.error()};
  if (int rc = store::Exec(rdb->get(), "PRAGMA query_only = 1"); rc < 0) return Errno{rc};

  auto s = std::make_unique<store::SqliteRasStore>(opts, std::move(*wdb), std::move(*rdb));
  if (Result<void> started = s->Start(); !started) return Errno{started.error()};
  return std::unique_ptr<RasStore>(std::move(s));
}

Result<Durability> ParseDurability(std::string_view text) {
  if (text == "normal") return Durability::kNormal;
  if (text == "full") return Durability::kFull;
  if (text == "auto") return Durability::kAuto;
  return Err(EINVAL);
}

const char* DurabilityName(Durability d) {
  switch (d) {
    case Durability::kNormal:
      return "normal";
    case Durability::kFull:
      return "full";
    case Durability::kAuto:
      return "auto";
  }
  return "?";
}

std::string RasStore::DefaultPath() {
  const char* home = std::getenv("HOME");
  std::string path = store::DefaultPathFor(geteuid(), std::getenv("XDG_STATE_HOME"), home);
  if (!path.empty() || (home != nullptr && home[0] == '/')) return path;
  // No usable $HOME: the passwd entry's home directory.
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
    return store::DefaultPathFor(geteuid(), nullptr, found->pw_dir);
  return {};
}

}  // namespace accel::ras
