# The gRPC RAS service (src/daemon server, lib/rasclient client): real servers and clients on real UNIX sockets, over an
# in-memory backend. grpc_socket_test.cc has its own main() (the test runs itself again as an
# unprivileged peer), so gtest_main's, in a static archive, is not linked in.
accel_add_gtest(ras_grpc_test
  SOURCES ras/grpc_service_test.cc ras/grpc_socket_test.cc ras/grpc_fake_backend.cc
  LIBS accel_ras_grpc_server accel_ras_grpc_client accel_ras_sample LABELS ras)
target_compile_definitions(ras_grpc_test PRIVATE ACCEL_TEST_PROTOC="${ACCEL_PROTOC}"
  ACCEL_TEST_PROTO_DIR="${ACCEL_PROTO_DIR}")
