# CBOR codec: fixed byte vectors, deterministic-encoding checks, round trips and hostile input.
# libcbor's own tree decoder (cbor_load), which the codec does not use, is the independent
# reader.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ACCEL_TEST_LIBCBOR REQUIRED IMPORTED_TARGET libcbor)
accel_add_gtest(ras_cbor_codec_test SOURCES ras/cbor_codec_test.cc
  LIBS accel_ras_codec_cbor accel_ras_sample PkgConfig::ACCEL_TEST_LIBCBOR LABELS ras)
