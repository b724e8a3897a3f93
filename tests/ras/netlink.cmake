# NETLINK codec (src/ras/codecs/netlink). The test reads blobs with libnl, a netlink library
# the codec does not use, so that a mistake shared by our writer and reader cannot hide.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBNL_GENL REQUIRED IMPORTED_TARGET libnl-genl-3.0)
accel_add_gtest(ras_netlink_codec_test SOURCES ras/netlink_codec_test.cc ras/netlink_decode_test.cc
  LIBS accel_ras_codec_netlink accel_ras_sample PkgConfig::LIBNL_GENL LABELS ras)
