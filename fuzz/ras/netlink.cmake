# NETLINK decoder (src/ras/codecs/netlink); seeds in corpus/ras_netlink_decode_fuzz/.
accel_add_fuzzer(ras_netlink_decode_fuzz SOURCES ras/netlink_decode_fuzz.cc LIBS accel_ras_codec_netlink)
target_include_directories(ras_netlink_decode_fuzz PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
