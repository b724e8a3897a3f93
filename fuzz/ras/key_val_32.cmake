# KEY_VAL_32 decoder (src/ras/codecs/key_val_32); seeds in corpus/ras_key_val_32_decode_fuzz/.
accel_add_fuzzer(ras_key_val_32_decode_fuzz SOURCES ras/key_val_32_decode_fuzz.cc LIBS accel_ras_codec_key_val_32)
target_include_directories(ras_key_val_32_decode_fuzz PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
