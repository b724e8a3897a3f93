# vnpu through acceld: GEMM, no-op job rates (SUBMIT ioctls, the user-mode ring, a bare ring),
# BO create/destroy and fence latency, each beside its baseline; see the DOC comment in
# vnpu_bench.cc. One acceld with `vnpu engines=2` (and its vnpu-fw) is started by the binary.
if(TARGET vnpu_driver AND TARGET vnpu-fw)
  accel_add_bench(vnpu SOURCES vnpu/vnpu_bench.cc LIBS accel_bench_support vnpu_kernels)
  # bench/ for daemon_process.h, tests/vnpu for vnpu_client.h (VnpuClient, MappedBo).
  target_include_directories(accel_bench_vnpu PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_SOURCE_DIR}/tests/vnpu)
  target_compile_definitions(accel_bench_vnpu PRIVATE ACCELD_PATH="$<TARGET_FILE:acceld>")
  add_dependencies(accel_bench_vnpu acceld vnpu_driver vnpu-fw)
endif()
