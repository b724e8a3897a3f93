# The RAS store's batched commit rate beside raw SQLite writing the same rows (one transaction
# per batch: the floor; one per event: what batching saves). Included by bench/CMakeLists.txt.
find_package(SQLite3 REQUIRED)
accel_add_bench(ras_store SOURCES ras_store_bench.cc
  LIBS accel_ras_store accel_ras_sample SQLite::SQLite3)
