# vnpu's ioctl argument paths (vnpu/vnpu_ioctl_fuzz.cc): the real plugin loaded in-process with
# firmware=none, each input a sequence of calls through core::Dispatch on one file, reusing the
# handles and fences earlier replies gave. Seeds in corpus/vnpu_ioctl_fuzz/, written by
# vnpu/make_vnpu_ioctl_corpus.py.
accel_add_fuzzer(vnpu_ioctl_fuzz SOURCES vnpu/vnpu_ioctl_fuzz.cc
  LIBS accel_daemon accel_ras_codecs spdlog::spdlog FUZZ_ARGS -max_len=4096)
target_compile_definitions(vnpu_ioctl_fuzz PRIVATE ACCEL_PLUGIN_DIR="${ACCEL_PLUGIN_OUTPUT_DIR}")
add_dependencies(vnpu_ioctl_fuzz vnpu_driver)
