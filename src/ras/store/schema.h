// schema.h - the RAS store's tables and how a database file is brought up to date.
//
// DOC: schema versions
//
// PRAGMA user_version holds the schema version of the file: 0 for a new (empty) file, then one
// step per migration. Migrate() runs the missing steps in one transaction, so a file is always
// at some version and never half-migrated; a file from a newer acceld (a higher version than
// this build knows) is refused rather than written with the wrong layout. Adding a column or
// table later means appending one step to kMigrations in schema.cc.
#ifndef ACCEL_RAS_STORE_SCHEMA_H_
#define ACCEL_RAS_STORE_SCHEMA_H_

#include <accel/result.h>
#include <sqlite3.h>

namespace accel::ras::store {

inline constexpr int kSchemaVersion = 1;

// Brings the database to kSchemaVersion: 0, -EPROTO for a newer schema, or -errno.
Result<void> Migrate(sqlite3* db);

}  // namespace accel::ras::store

#endif  // ACCEL_RAS_STORE_SCHEMA_H_
