# ASN1 decoder (src/ras/codecs/asn1); seeds in corpus/ras_asn1_decode_fuzz/ are encodings of
# sample snapshots (tests/ras/sample_snapshot.h). A Snapshot with a thousand events is some
# 60 KiB of DER, so allow inputs that long.
accel_add_fuzzer(ras_asn1_decode_fuzz SOURCES ras/asn1_decode_fuzz.cc LIBS accel_ras_codec_asn1
  FUZZ_ARGS -max_len=65536)
