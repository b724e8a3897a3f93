# JSON decoder (docs/ras/json.md). Documents go up to kMaxEncodedSize (1 MiB); the seeds are a
# few KiB, and libFuzzer's default max_len follows the corpus, so allow 64 KiB inputs.
accel_add_fuzzer(ras_json_decode_fuzz SOURCES ras/json_decode_fuzz.cc LIBS accel_ras_codec_json
  FUZZ_ARGS -max_len=65536)
