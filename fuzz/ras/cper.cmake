# CPER decoder (src/ras/codecs/cper); seeds in corpus/ras_cper_decode_fuzz/ are records made
# from sample snapshots (tests/ras/sample_snapshot.h). Records run to kMaxEncodedSize; allow
# 64 KiB inputs, room for a few hundred sections.
accel_add_fuzzer(ras_cper_decode_fuzz SOURCES ras/cper_decode_fuzz.cc LIBS accel_ras_codec_cper
  FUZZ_ARGS -max_len=65536)
