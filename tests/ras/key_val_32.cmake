# KEY_VAL_32 codec (src/ras/codecs/key_val_32).
accel_add_gtest(ras_key_val_32_codec_test SOURCES ras/key_val_32_codec_test.cc
  LIBS accel_ras_codec_key_val_32 accel_ras_sample LABELS ras)
