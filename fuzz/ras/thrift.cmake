# THRIFT decoders (docs/ras/thrift.md): one fuzzer per protocol, from one source, seeds in
# corpus/ras_thrift_decode_fuzz/ (binary) and corpus/ras_thrift_compact_decode_fuzz/, each
# the encodings of sample snapshots. Allow 64 KiB inputs rather than the corpus default.
accel_add_fuzzer(ras_thrift_decode_fuzz SOURCES ras/thrift_decode_fuzz.cc
  LIBS accel_ras_codec_thrift FUZZ_ARGS -max_len=65536)
target_compile_definitions(ras_thrift_decode_fuzz PRIVATE ACCEL_FUZZ_THRIFT_PROTOCOL=kBinary)
accel_add_fuzzer(ras_thrift_compact_decode_fuzz SOURCES ras/thrift_decode_fuzz.cc
  LIBS accel_ras_codec_thrift FUZZ_ARGS -max_len=65536)
target_compile_definitions(ras_thrift_compact_decode_fuzz PRIVATE
  ACCEL_FUZZ_THRIFT_PROTOCOL=kCompact)
