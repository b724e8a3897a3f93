# vnpu's driver tests: end to end against a real acceld with the plugin and vnpu-fw.
if(TARGET vnpu_driver)
  accel_add_gtest(vnpu_e2e_test SOURCES vnpu/vnpu_e2e_test.cc e2e/acceld_process.cc
    LIBS accel vnpu_kernels LABELS "vnpu;e2e")
  target_include_directories(vnpu_e2e_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
    ${PROJECT_SOURCE_DIR}/src)
  add_dependencies(vnpu_e2e_test acceld vnpu_driver)
endif()
if(TARGET vnpu_driver)
  accel_add_gtest(vnpu_fault_e2e_test SOURCES vnpu/vnpu_fault_e2e_test.cc e2e/acceld_process.cc
    LIBS accel accel_ras_codec_cbor LABELS "vnpu;e2e")
  target_include_directories(vnpu_fault_e2e_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
    ${PROJECT_SOURCE_DIR}/src)
  add_dependencies(vnpu_fault_e2e_test acceld vnpu_driver)
endif()
if(TARGET vnpu_driver)
  accel_add_gtest(vnpu_ring_e2e_test SOURCES vnpu/vnpu_ring_e2e_test.cc e2e/acceld_process.cc
    LIBS accel LABELS "vnpu;e2e")
  target_include_directories(vnpu_ring_e2e_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
    ${PROJECT_SOURCE_DIR}/src)
  add_dependencies(vnpu_ring_e2e_test acceld vnpu_driver)
endif()
if(TARGET vnpu_driver)
  accel_add_gtest(vnpu_fuse_e2e_test SOURCES vnpu/vnpu_fuse_e2e_test.cc e2e/acceld_process.cc
    LIBS accel LABELS "vnpu;e2e;fuse")
  target_include_directories(vnpu_fuse_e2e_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
    ${PROJECT_SOURCE_DIR}/src)
  add_dependencies(vnpu_fuse_e2e_test acceld vnpu_driver)
endif()
