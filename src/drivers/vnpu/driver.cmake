# The vnpu driver, included by src/drivers/vnpu/CMakeLists.txt:
#   vnpu_core   everything but the C entry table (static, PIC): unit tests link it
#   vnpu.so     the plugin: the entry table and ioctl trampolines around vnpu_core
add_library(vnpu_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/vnpu_device.cc
  ${CMAKE_CURRENT_LIST_DIR}/vnpu_ioctls.cc
  ${CMAKE_CURRENT_LIST_DIR}/vnpu_config.cc
  ${CMAKE_CURRENT_LIST_DIR}/device_memory.cc
  ${CMAKE_CURRENT_LIST_DIR}/buffer_object.cc
  ${CMAKE_CURRENT_LIST_DIR}/job_executor.cc
  ${CMAKE_CURRENT_LIST_DIR}/scheduler.cc
  ${CMAKE_CURRENT_LIST_DIR}/user_ring.cc)
target_include_directories(vnpu_core PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(vnpu_core PUBLIC vnpu_kernels vnpu_fwlink Threads::Threads)
set_target_properties(vnpu_core PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

accel_add_driver(vnpu ${CMAKE_CURRENT_LIST_DIR}/vnpu_driver.cc)
target_link_libraries(vnpu_driver PRIVATE vnpu_core)
# The static parts' symbols stay private to the plugin.
target_link_options(vnpu_driver PRIVATE -Wl,--exclude-libs,ALL)
# acceld finds vnpu-fw beside the plugin: build it whenever the plugin is built.
if(TARGET vnpu-fw)
  add_dependencies(vnpu_driver vnpu-fw)
endif()
