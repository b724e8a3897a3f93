# vnpu's firmware link (src/drivers/vnpu/fwlink): the parsers the driver runs on what the
# firmware sends, and both sides' ring operations on a shared region a peer corrupted. Seeds in
# corpus/vnpu_*_fuzz/, written by vnpu/make_fwlink_corpus.py.
# One rx buffer at most (fw::kBufferSize); a little more to see the driver's clamp.
accel_add_fuzzer(vnpu_rpmsg_fuzz SOURCES vnpu/rpmsg_fuzz.cc LIBS vnpu_fwlink
  FUZZ_ARGS -max_len=4200)
# Control byte, header, both vrings for up to 16 entries, and the start of the pool.
accel_add_fuzzer(vnpu_vring_fuzz SOURCES vnpu/vring_fuzz.cc LIBS vnpu_fwlink
  FUZZ_ARGS -max_len=4096)
