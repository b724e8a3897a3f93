# CPER codec (src/ras/codecs/cper): round trips against the projection, every header,
# descriptor and body field read at its UEFI offset by the test itself, malformed records.
accel_add_gtest(ras_cper_codec_test SOURCES ras/cper_codec_test.cc
  LIBS accel_ras_codec_cper accel_ras_sample LABELS ras)
