// schema.cc - the schema, one migration step per version; see schema.h and docs/ras/store.md.
#include "ras/store/schema.h"

#include <cerrno>
#include <string>

#include "ras/store/sqlite_util.h"

namespace accel::ras::store {
namespace {

// kMigrations[v] takes a file from version v to v + 1. Every u64 column holds its bit pattern
// (sqlite_util.h). Timestamps are CLOCK_REALTIME nanoseconds.
const char* const kMigrations[kSchemaVersion] = {
    // 0 -> 1: the first layout.
    R"sql(
CREATE TABLE devices (
  id          INTEGER PRIMARY KEY,
  driver      TEXT NOT NULL,
  serial      TEXT NOT NULL,
  last_name   TEXT NOT NULL DEFAULT '',  -- accelN when last seen
  last_seqno  INTEGER NOT NULL DEFAULT 0, -- highest event seqno ever stored (survives retention)
  UNIQUE (driver, serial)
);
CREATE TABLE events (
  id           INTEGER PRIMARY KEY,       -- the rowid: log order
  device_id    INTEGER NOT NULL REFERENCES devices (id),
  seqno        INTEGER NOT NULL,
  timestamp_ns INTEGER NOT NULL,
  component    TEXT NOT NULL,
  severity     INTEGER NOT NULL,
  code         INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  address      INTEGER,                   -- NULL: the event has no address
  message      TEXT NOT NULL,
  raw          BLOB                       -- NULL: no firmware record
);
CREATE INDEX events_by_time ON events (timestamp_ns);
CREATE INDEX events_by_device ON events (device_id, timestamp_ns);
CREATE TABLE aggregates (
  device_id INTEGER NOT NULL REFERENCES devices (id),
  component TEXT NOT NULL,
  severity  INTEGER NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (device_id, component, severity)
) WITHOUT ROWID;
CREATE TABLE pages (
  device_id    INTEGER NOT NULL REFERENCES devices (id),
  address      INTEGER NOT NULL,
  cause        INTEGER NOT NULL,
  state        INTEGER NOT NULL,          -- 0 pending, 1 retired
  timestamp_ns INTEGER NOT NULL,
  PRIMARY KEY (device_id, address)
) WITHOUT ROWID;
)sql",
};

}  // namespace

Result<void> Migrate(sqlite3* db) {
  // IMMEDIATE: two processes opening a new file at once must not both create the tables.
  if (int rc = Exec(db, "BEGIN IMMEDIATE"); rc < 0) return Errno{rc};
  auto fail = [db](int rc) {
    Exec(db, "ROLLBACK");
    return Result<void>(Errno{rc});
  };
  Result<int64_t> version = QueryInt(db, "PRAGMA user_version");
  if (!version) return fail(version.error());
  if (*version > kSchemaVersion || *version < 0) return fail(-EPROTO);
  for (int64_t v = *version; v < kSchemaVersion; ++v)
    if (int rc = Exec(db, kMigrations[v]); rc < 0) return fail(rc);
  if (*version != kSchemaVersion) {
    const std::string set = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
    if (int rc = Exec(db, set.c_str()); rc < 0) return fail(rc);
  }
  if (int rc = Exec(db, "COMMIT"); rc < 0) return fail(rc);
  return {};
}

}  // namespace accel::ras::store
