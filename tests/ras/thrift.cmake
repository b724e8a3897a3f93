# The THRIFT codecs' tests: both protocols, read back by a reader of the Thrift binary and
# compact protocols written from their specifications (thrift_wire_reader.h), not libthrift.
accel_add_gtest(ras_thrift_codec_test SOURCES ras/thrift_codec_test.cc ras/thrift_wire_reader.cc
  LIBS accel_ras_codec_thrift accel_ras_thrift accel_ras_sample LABELS ras)
