# RAS benchmarks: codecs beside memcpy, event fan-out beside bare queues.
accel_add_bench(ras_codec SOURCES ras_codec_bench.cc LIBS accel_ras_codecs accel_ras_sample)
accel_add_bench(ras_fanout SOURCES ras_fanout_bench.cc LIBS accel_daemon accel_ras_codecs)
target_compile_definitions(accel_bench_ras_fanout PRIVATE
  ACCEL_PLUGIN_DIR="${ACCEL_PLUGIN_OUTPUT_DIR}")
add_dependencies(accel_bench_ras_fanout dummy_driver)
