# ASN1 codec (src/ras/codecs/asn1): round trips, libtasn1's whole-schema view of the bytes,
# hand-built DER for the decoder's checks, and openssl asn1parse as the independent reader.
find_program(ACCEL_OPENSSL openssl REQUIRED)
accel_add_gtest(ras_asn1_codec_test SOURCES ras/asn1_codec_test.cc
  LIBS accel_ras_codec_asn1 accel_ras_sample LABELS ras)
target_compile_definitions(ras_asn1_codec_test PRIVATE ACCEL_OPENSSL="${ACCEL_OPENSSL}")
