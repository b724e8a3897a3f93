# vnpu's firmware link (src/drivers/vnpu/fwlink) and its firmware (src/drivers/vnpu/firmware):
# the transport's units in one process, the firmware loop in a thread against a hostile
# driver, and the real vnpu-fw process behind FirmwareProcess.
accel_add_gtest(vnpu_shared_region_test SOURCES vnpu/shared_region_test.cc
  LIBS vnpu_fwlink LABELS vnpu)
accel_add_gtest(vnpu_virtqueue_test SOURCES vnpu/virtqueue_test.cc LIBS vnpu_fwlink LABELS vnpu)
accel_add_gtest(vnpu_rpmsg_test SOURCES vnpu/rpmsg_test.cc LIBS vnpu_fwlink LABELS vnpu)
accel_add_gtest(vnpu_fw_messages_test SOURCES vnpu/fw_messages_test.cc
  LIBS vnpu_fwlink LABELS vnpu)
accel_add_gtest(vnpu_firmware_ras_test SOURCES vnpu/firmware_ras_test.cc
  LIBS vnpu_firmware LABELS vnpu)
accel_add_gtest(vnpu_firmware_test SOURCES vnpu/firmware_test.cc LIBS vnpu_firmware LABELS vnpu)

accel_add_gtest(vnpu_firmware_process_test SOURCES vnpu/firmware_process_test.cc
  LIBS vnpu_fwlink accel_ras_codec_cbor LABELS vnpu)
add_dependencies(vnpu_firmware_process_test vnpu-fw)
target_compile_definitions(vnpu_firmware_process_test PRIVATE
  VNPU_FW_PATH="$<TARGET_FILE:vnpu-fw>")
