// sqlite_util.h - the little of the SQLite C API the RAS store needs, with ownership and errors
// as values: a connection handle, a prepared statement that resets itself, u64 columns.
//
//   Result<Statement> st = Statement::Prepare(db, "SELECT count FROM aggregates WHERE ...");
//   st->BindU64(1, id);
//   while (st->Step() == SQLITE_ROW) use(st->ColumnU64(0));
//   st->Reset();
//
// DOC: u64 in SQLite
//
// An SQLite INTEGER is a signed 64-bit value; there is no unsigned type, and a literal above
// 2^63 - 1 would become a REAL (and lose bits). The store keeps the two's-complement bit
// pattern: BindU64 stores static_cast<int64_t>(v) and ColumnU64 gives back
// static_cast<uint64_t>(column), both exact in C++20, so round trips and equality are exact
// (the sqlite3 CLI shows such values as negative numbers). *Ordering* in SQL is signed, so
// values >= 2^63 sort below 0: the store never compares such a column in SQL except through
// U64RangeCondition(), which turns a u64 interval into the signed ranges it covers.
#ifndef ACCEL_RAS_STORE_SQLITE_UTIL_H_
#define ACCEL_RAS_STORE_SQLITE_UTIL_H_

#include <accel/result.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace accel::ras::store {

inline int64_t ToSql(uint64_t v) {
  return static_cast<int64_t>(v);
}
inline uint64_t FromSql(int64_t v) {
  return static_cast<uint64_t>(v);
}

// A negative errno for an SQLite result code (extended or primary): -EBUSY, -ENOSPC, -ENOMEM,
// -EROFS, -EACCES; -EIO for everything else (I/O errors, corruption, not a database).
int ErrnoFromSqlite(int rc);

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

// Opens `path` (which must exist) read-write, in multi-thread mode: the caller serializes each
// connection. busy_timeout is set; -errno on failure.
Result<Db> OpenConnection(const std::string& path, uint32_t busy_timeout_ms);

// Runs SQL that returns no rows (several statements allowed); 0 or -errno.
int Exec(sqlite3* db, const char* sql);

// The first column of the first row of a single-value query (PRAGMA user_version, ...).
Result<int64_t> QueryInt(sqlite3* db, const char* sql);
Result<std::string> QueryText(sqlite3* db, const char* sql);

// An SQL condition on the signed column `column` that holds exactly the rows whose u64 value
// lies in [lo, hi] (lo <= hi). Parameters are written as :<prefix>lo and :<prefix>hi and must be
// bound with BindU64(lo) and BindU64(hi).
std::string U64RangeCondition(const std::string& column, const std::string& prefix, uint64_t lo,
                              uint64_t hi);

// A prepared statement. Bind errors are remembered and returned by the next Step()/Run().
class Statement {
 public:
  Statement() = default;
  static Result<Statement> Prepare(sqlite3* db, const char* sql);
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameter indices are 1-based; names include their ':' ("dev" -> ":dev").
  int ParameterIndex(const char* name) const;
  void BindI64(int i, int64_t v) { Note(sqlite3_bind_int64(stmt_, i, v)); }
  void BindU64(int i, uint64_t v) { BindI64(i, ToSql(v)); }
  void BindText(int i, std::string_view s);
  void BindBlob(int i, const std::vector<uint8_t>& b);  // NULL when empty
  void BindNull(int i) { Note(sqlite3_bind_null(stmt_, i)); }

  // SQLITE_ROW, SQLITE_DONE or an SQLite error code.
  int Step();
  // Steps to the end, then resets: 0 or -errno.
  int Run();
  // Ready to run again, with every parameter back to NULL.
  void Reset();

  bool ColumnIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t ColumnI64(int c) const { return sqlite3_column_int64(stmt_, c); }
  uint64_t ColumnU64(int c) const { return FromSql(ColumnI64(c)); }
  std::string ColumnText(int c) const;
  std::vector<uint8_t> ColumnBlob(int c) const;

 private:
  explicit Statement(sqlite3_stmt* s) : stmt_(s) {}
  void Note(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace accel::ras::store

#endif  // ACCEL_RAS_STORE_SQLITE_UTIL_H_
