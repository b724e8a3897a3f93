# The PROTOBUF codec's tests. protoc, the reference implementation's own tool, reads what the
# codec writes and writes what the codec reads.
accel_add_gtest(ras_protobuf_codec_test SOURCES ras/protobuf_codec_test.cc
  LIBS accel_ras_codec_protobuf accel_ras_sample LABELS ras)
target_compile_definitions(ras_protobuf_codec_test PRIVATE
  ACCEL_PROTOC="${Protobuf_PROTOC_EXECUTABLE}" ACCEL_PROTO_DIR="${ACCEL_PROTO_DIR}")
