// sqlite_util.cc - see sqlite_util.h.
#include "ras/store/sqlite_util.h"

#include <cerrno>
#include <cstdint>
#include <limits>
#include <utility>

namespace accel::ras::store {

int ErrnoFromSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return -EBUSY;
    case SQLITE_FULL:
      return -ENOSPC;
    case SQLITE_NOMEM:
      return -ENOMEM;
    case SQLITE_READONLY:
      return -EROFS;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return -EACCES;
    default:
      return -EIO;
  }
}

Result<Db> OpenConnection(const std::string& path, uint32_t busy_timeout_ms) {
  sqlite3* raw = nullptr;
  // No SQLITE_OPEN_CREATE: the store creates the file itself, with its mode.
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);  // closes a half-opened handle too
  if (rc != SQLITE_OK) {
    int sys = raw != nullptr ? sqlite3_system_errno(raw) : 0;
    return Errno{sys > 0 ? -sys : ErrnoFromSqlite(rc)};
  }
  sqlite3_extended_result_codes(db.get(), 1);
  const int ms = busy_timeout_ms > INT32_MAX ? INT32_MAX : static_cast<int>(busy_timeout_ms);
  rc = sqlite3_busy_timeout(db.get(), ms);
  if (rc != SQLITE_OK) return Errno{ErrnoFromSqlite(rc)};
  return db;
}

int Exec(sqlite3* db, const char* sql) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? 0 : ErrnoFromSqlite(rc);
}

Result<int64_t> QueryInt(sqlite3* db, const char* sql) {
  Result<Statement> st = Statement::Prepare(db, sql);
  if (!st) return Errno{st.error()};
  int rc = st->Step();
  if (rc != SQLITE_ROW) return Errno{rc == SQLITE_DONE ? -EIO : ErrnoFromSqlite(rc)};
  return st->ColumnI64(0);
}

Result<std::string> QueryText(sqlite3* db, const char* sql) {
  Result<Statement> st = Statement::Prepare(db, sql);
  if (!st) return Errno{st.error()};
  int rc = st->Step();
  if (rc != SQLITE_ROW) return Errno{rc == SQLITE_DONE ? -EIO : ErrnoFromSqlite(rc)};
  return st->ColumnText(0);
}

std::string U64RangeCondition(const std::string& column, const std::string& prefix, uint64_t lo,
                              uint64_t hi) {
  constexpr uint64_t kSignedMax = std::numeric_limits<int64_t>::max();
  const std::string p_lo = ":" + prefix + "lo", p_hi = ":" + prefix + "hi";
  // Within one half of u64 the signed order is the unsigned order. An interval that crosses
  // 2^63 is [lo, INT64_MAX] (non-negative) plus [INT64_MIN, hi] (negative) as signed values.
  if ((lo <= kSignedMax) == (hi <= kSignedMax))
    return "(" + column + " BETWEEN " + p_lo + " AND " + p_hi + ")";
  return "(" + column + " >= " + p_lo + " OR " + column + " <= " + p_hi + ")";
}

Result<Statement> Statement::Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return Errno{ErrnoFromSqlite(rc)};
  }
  return Statement(raw);
}

Statement::Statement(Statement&& o) noexcept
    : stmt_(std::exchange(o.stmt_, nullptr)), bind_rc_(o.bind_rc_) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(o.stmt_, nullptr);
    bind_rc_ = o.bind_rc_;
  }
  return *this;
}

int Statement::ParameterIndex(const char* name) const {
  return sqlite3_bind_parameter_index(stmt_, name);
}

void Statement::BindText(int i, std::string_view s) {
  Note(sqlite3_bind_text64(stmt_, i, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

void Statement::BindBlob(int i, const std::vector<uint8_t>& b) {
  if (b.empty()) return BindNull(i);
  Note(sqlite3_bind_blob64(stmt_, i, b.data(), b.size(), SQLITE_TRANSIENT));
}

int Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

int Statement::Run() {
  int rc;
  while ((rc = Step()) == SQLITE_ROW) {
  }
  Reset();
  return rc == SQLITE_DONE ? 0 : ErrnoFromSqlite(rc);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string Statement::ColumnText(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  const int n = sqlite3_column_bytes(stmt_, c);
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(n));
}

std::vector<uint8_t> Statement::ColumnBlob(int c) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, c));
  const int n = sqlite3_column_bytes(stmt_, c);
  return p == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(p, p + n);
}

}  // namespace accel::ras::store
