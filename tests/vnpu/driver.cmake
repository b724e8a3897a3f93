# vnpu's driver tests: end to end against a real acceld with the plugin and vnpu-fw.
#   vnpu_e2e_test        parameters, every opcode against its reference, fences, handles, limits
#   vnpu_fault_e2e_test  every injectable fault and its recovery (links the CBOR codec to read
#                        the device's RAS state, and the gRPC client to read the store's log)
#   vnpu_ring_e2e_test   the user-mode submission ring
#   vnpu_fuse_e2e_test   the FUSE node with plain syscalls
if(TARGET vnpu_driver)
  foreach(_vnpu_e2e vnpu_e2e vnpu_fault_e2e vnpu_ring_e2e vnpu_fuse_e2e)
    set(_vnpu_labels "vnpu;e2e")
    if(_vnpu_e2e STREQUAL "vnpu_fuse_e2e")
      set(_vnpu_labels "vnpu;e2e;fuse")
    endif()
    accel_add_gtest(${_vnpu_e2e}_test SOURCES vnpu/${_vnpu_e2e}_test.cc e2e/acceld_process.cc
      LIBS accel vnpu_kernels accel_ras_codec_cbor LABELS "${_vnpu_labels}")
    target_include_directories(${_vnpu_e2e}_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
      ${PROJECT_SOURCE_DIR}/src)
    add_dependencies(${_vnpu_e2e}_test acceld vnpu_driver)
    if(_vnpu_e2e STREQUAL "vnpu_fault_e2e")
      target_link_libraries(${_vnpu_e2e}_test PRIVATE accel_ras_grpc_client)  # the store's log
    endif()
  endforeach()
endif()
