# PROTOBUF decoder (docs/ras/protobuf.md); seeds in corpus/ras_protobuf_decode_fuzz/ are
# encodings of sample snapshots. Payloads go up to kMaxEncodedSize (1 MiB); allow 64 KiB
# inputs rather than the corpus-derived default.
accel_add_fuzzer(ras_protobuf_decode_fuzz SOURCES ras/protobuf_decode_fuzz.cc
  LIBS accel_ras_codec_protobuf FUZZ_ARGS -max_len=65536)
