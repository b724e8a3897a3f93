# The SQLite RAS store (src/ras/store): round trips, retention, tickets, threads, kill -9, and
# the file as the sqlite3 CLI (an independent reader) sees it.
accel_add_gtest(ras_store_test SOURCES ras/store_test.cc LIBS accel_ras_store accel_ras_sample
  LABELS "ras;tsan")
find_package(SQLite3 REQUIRED)
find_program(ACCEL_SQLITE3 sqlite3 REQUIRED)
target_link_libraries(ras_store_test PRIVATE SQLite::SQLite3)
target_compile_definitions(ras_store_test PRIVATE ACCEL_SQLITE3="${ACCEL_SQLITE3}")
