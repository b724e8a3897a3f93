# GRPC format's decoder (docs/ras/grpc.md): the RAS service's target URI. URIs are at most
# 4 KiB.
accel_add_fuzzer(ras_grpc_decode_fuzz SOURCES ras/grpc_decode_fuzz.cc
  LIBS accel_ras_codec_grpc_target FUZZ_ARGS -max_len=4200)
