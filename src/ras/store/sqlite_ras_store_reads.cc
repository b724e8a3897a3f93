// sqlite_ras_store_reads.cc - Load() and Events() on the read connection; see
// sqlite_ras_store.h.
#include "ras/store/sqlite_ras_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace accel::ras::store {

Result<PersistedState> SqliteRasStore::Load(const std::string& driver, const std::string& serial) {
  std::lock_guard r(read_mu_);
  if (!rdb_) return Err(ESHUTDOWN);
  sqlite3* db = rdb_.get();
  // One read transaction: the three queries see the same commit.
  if (int rc = Exec(db, "BEGIN"); rc < 0) return Errno{rc};
  struct EndRead {
    sqlite3* db;
    ~EndRead() { (void)Exec(db, "COMMIT"); }
  } end_read{db};

  PersistedState out;
  Result<Statement> dev = Statement::Prepare(
      db, "SELECT id, last_seqno FROM devices WHERE driver = ?1 AND serial = ?2");
  if (!dev) return Errno{dev.error()};
  dev->BindText(1, driver);
  dev->BindText(2, serial);
  int rc = dev->Step();
  if (rc == SQLITE_DONE) return out;  // never seen: nothing persisted
  if (rc != SQLITE_ROW) return Errno{ErrnoFromSqlite(rc)};
  const int64_t id = dev->ColumnI64(0);
  out.last_seqno = dev->ColumnU64(1);

  Result<Statement> agg =
      Statement::Prepare(db,
                         "SELECT component, severity, count FROM aggregates WHERE device_id = ?1 "
                         "ORDER BY component, severity");
  if (!agg) return Errno{agg.error()};
  agg->BindI64(1, id);
  while ((rc = agg->Step()) == SQLITE_ROW) {
    out.aggregates.push_back(PersistedState::Aggregate{
        agg->ColumnText(0), static_cast<uint32_t>(agg->ColumnI64(1)), agg->ColumnU64(2)});
  }
  if (rc != SQLITE_DONE) return Errno{ErrnoFromSqlite(rc)};

  Result<Statement> pages = Statement::Prepare(
      db, "SELECT address, cause, state, timestamp_ns FROM pages WHERE device_id = ?1");
  if (!pages) return Errno{pages.error()};
  pages->BindI64(1, id);
  while ((rc = pages->Step()) == SQLITE_ROW) {
    RetiredPage p;
    p.address = pages->ColumnU64(0);
    p.cause = static_cast<uint32_t>(pages->ColumnI64(1));
    p.state = pages->ColumnI64(2) == 1 ? PageState::kRetired : PageState::kPending;
    p.timestamp_ns = pages->ColumnU64(3);
    out.pages.push_back(p);
  }
  if (rc != SQLITE_DONE) return Errno{ErrnoFromSqlite(rc)};
  // In u64 order: SQL would sort addresses >= 2^63 first.
  std::sort(out.pages.begin(), out.pages.end(),
            [](const RetiredPage& a, const RetiredPage& b) { return a.address < b.address; });
  return out;
}

Result<std::vector<EventRecord>> SqliteRasStore::Events(const LogQuery& q) {
  std::vector<EventRecord> out;
  // [lo, hi] in u64; an empty window matches nothing.
  const uint64_t lo = q.since_ns.value_or(0);
  uint64_t hi = std::numeric_limits<uint64_t>::max();
  if (q.until_ns) {
    if (*q.until_ns == 0) return out;
    hi = *q.until_ns - 1;
  }
  if (q.limit == 0 || lo > hi) return out;

  std::string sql =
      "SELECT d.last_name, d.driver, d.serial, e.seqno, e.timestamp_ns, e.component, "
      "e.severity, e.code, e.count, e.address, e.message, e.raw "
      "FROM events e JOIN devices d ON d.id = e.device_id WHERE 1";
  if (!q.device.empty())
    sql += " AND e.device_id IN (SELECT id FROM devices WHERE last_name = :dev OR serial = :dev)";
  if (q.severity) sql += " AND e.severity = :sev";
  const bool windowed = q.since_ns.has_value() || q.until_ns.has_value();
  if (windowed) sql += " AND " + U64RangeCondition("e.timestamp_ns", "t", lo, hi);
  sql += " ORDER BY e.id DESC LIMIT :limit";

  std::lock_guard r(read_mu_);
  if (!rdb_) return Err(ESHUTDOWN);
  Result<Statement> st = Statement::Prepare(rdb_.get(), sql.c_str());
  if (!st) return Errno{st.error()};
  if (!q.device.empty()) st->BindText(st->ParameterIndex(":dev"), q.device);
  if (q.severity) st->BindI64(st->ParameterIndex(":sev"), *q.severity);
  if (windowed) {
    st->BindU64(st->ParameterIndex(":tlo"), lo);
    st->BindU64(st->ParameterIndex(":thi"), hi);
  }
  st->BindI64(st->ParameterIndex(":limit"), q.limit);
  int rc;
  while ((rc = st->Step()) == SQLITE_ROW) {
    EventRecord rec;
    rec.device.name = st->ColumnText(0);
    rec.device.driver = st->ColumnText(1);
    rec.device.serial = st->ColumnText(2);
    rec.component_name = st->ColumnText(5);
    Event& e = rec.event;
    e.seqno = st->ColumnU64(3);
    e.timestamp_ns = st->ColumnU64(4);
    e.severity = static_cast<uint32_t>(st->ColumnI64(6));
    e.code = static_cast<uint32_t>(st->ColumnI64(7));
    e.count = static_cast<uint32_t>(st->ColumnI64(8));
    if (!st->ColumnIsNull(9)) e.address = st->ColumnU64(9);
    e.message = st->ColumnText(10);
    e.raw = st->ColumnBlob(11);
    out.push_back(std::move(rec));
  }
  if (rc != SQLITE_DONE) return Errno{ErrnoFromSqlite(rc)};
  std::reverse(out.begin(), out.end());  // newest `limit`, oldest first
  return out;
}

}  // namespace accel::ras::store
