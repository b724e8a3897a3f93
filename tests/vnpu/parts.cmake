# vnpu's driver parts, each on its own against vnpu_core (no acceld, no firmware): device memory,
# fence tables, the scheduler and its watchdog, the user-mode ring's device side, the load
# arguments, and job validation with the executor behind it. Label vnpu-unit picks them out of
# the slower end-to-end tests; they are small enough for the ASan and TSan presets.
foreach(_vnpu_part device_memory fence_table scheduler user_ring job_validate)
  accel_add_gtest(vnpu_${_vnpu_part}_test SOURCES vnpu/${_vnpu_part}_test.cc
    LIBS vnpu_core LABELS "vnpu;vnpu-unit")
endforeach()
accel_add_gtest(vnpu_config_test SOURCES vnpu/vnpu_config_test.cc
  LIBS vnpu_core LABELS "vnpu;vnpu-unit")
