# The codec table: every installed codec has a name, its uAPI bit, a page in docs/ras/ and a
# fuzz target with seeds (reads the source tree).
accel_add_gtest(ras_codec_table_test SOURCES ras/codec_table_test.cc LIBS accel_ras_codecs
  LABELS ras)
target_compile_definitions(ras_codec_table_test PRIVATE ACCEL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
