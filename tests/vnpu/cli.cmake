# `accelctl vnpu ...` end to end: the real accelctl binary against a real acceld serving vnpu
# and its vnpu-fw (vnpu/vnpu_cli_test.cc); one case loads dummy to see vnpu's commands refuse it.
if(TARGET vnpu_driver)
  accel_add_gtest(vnpu_cli_test SOURCES vnpu/vnpu_cli_test.cc e2e/acceld_process.cc
    LIBS nlohmann_json::nlohmann_json LABELS "vnpu;e2e")
  target_include_directories(vnpu_cli_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
  target_compile_definitions(vnpu_cli_test PRIVATE ACCELCTL_PATH="$<TARGET_FILE:accelctl>")
  add_dependencies(vnpu_cli_test acceld vnpu_driver dummy_driver accelctl)
endif()
