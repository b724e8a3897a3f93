# accelctl's `ras` commands: the time arguments alone, then the real accelctl binary against a
# real acceld (e2e/ras_cli_test.cc).
accel_add_gtest(accelctl_ras_time_test SOURCES tools/accelctl_ras_time_test.cc
  ${PROJECT_SOURCE_DIR}/tools/accelctl/ras_time.cc LIBS fmt::fmt LABELS "tools;ras")
target_include_directories(accelctl_ras_time_test PRIVATE ${PROJECT_SOURCE_DIR}/tools/accelctl)

accel_add_gtest(e2e_ras_cli_test SOURCES e2e/ras_cli_test.cc e2e/acceld_process.cc
  LIBS accel nlohmann_json::nlohmann_json LABELS "e2e;ras")
add_dependencies(e2e_ras_cli_test acceld dummy_driver accelctl)
# protoc, when installed, is the independent reader of `ras show --format protobuf`.
target_compile_definitions(e2e_ras_cli_test PRIVATE ACCELCTL_PATH="$<TARGET_FILE:accelctl>"
  ACCEL_PROTO_DIR="${PROJECT_SOURCE_DIR}/proto")
