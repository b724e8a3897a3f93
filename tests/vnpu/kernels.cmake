# vnpu's compute kernels (src/drivers/vnpu/kernels): each kernel and each of its code paths
# (kernels_internal.h) against the plain references in kernels_reference.h, with edge shapes,
# misaligned operands, CRC-32C's published vectors and cancellation. Sizes stay small enough
# for the sanitizer presets.
accel_add_gtest(vnpu_kernels_test
  SOURCES vnpu/kernels_gemm_test.cc vnpu/kernels_crc32c_test.cc vnpu/kernels_test.cc
    vnpu/kernels_cpu_features_test.cc
  LIBS vnpu_kernels Threads::Threads LABELS vnpu)
