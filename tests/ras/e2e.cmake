# The RAS framework end to end: a real acceld, libaccel, the FUSE node and the gRPC service.
accel_add_gtest(e2e_ras_test SOURCES e2e/ras_e2e_test.cc e2e/acceld_process.cc
  LIBS accel accel_ras_codecs accel_ras_grpc_client LABELS "e2e;ras")
add_dependencies(e2e_ras_test acceld dummy_driver)
