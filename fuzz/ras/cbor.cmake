# CBOR decoder (docs/ras/cbor.md). Encodings go up to kMaxEncodedSize (1 MiB); allow 64 KiB
# inputs rather than the corpus-derived default.
accel_add_fuzzer(ras_cbor_decode_fuzz SOURCES ras/cbor_decode_fuzz.cc LIBS accel_ras_codec_cbor
  FUZZ_ARGS -max_len=65536)
