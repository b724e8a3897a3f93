accel_add_gtest(ras_model_test SOURCES ras/device_ras_state_test.cc ras/threshold_rule_test.cc
  LIBS accel_ras_state accel_ras_sample LABELS "ras;tsan")
