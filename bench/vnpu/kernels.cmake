# vnpu's compute kernels: GEMM (blocked, portable micro-kernel, naive reference) and CRC-32C
# (SSE4.2, slicing-by-8), see the DOC comment in kernels_bench.cc.
accel_add_bench(vnpu_kernels SOURCES vnpu/kernels_bench.cc LIBS vnpu_kernels)
