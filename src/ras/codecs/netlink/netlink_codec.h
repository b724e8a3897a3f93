// netlink_codec.h - the NETLINK RAS format: counters as drm-ras generic netlink messages.
//
// A blob is the byte stream a dump of the upstream `drm-ras` generic netlink family (version
// 1) would deliver for one device, laid out as Intel's xe driver lays out its nodes so that
// Level Zero's reader understands it: LIST_NODES replies for the nodes `correctable-errors`,
// `uncorrectable-errors` and accel's per-severity and aggregate nodes, then one
// GET_ERROR_COUNTER reply per (node, component), then NLMSG_DONE. Real nlmsghdr + genlmsghdr +
// nlattr bytes in native byte order, built and parsed with libmnl; nlmsg_type is
// NLMSG_MIN_TYPE (0x10) since a blob has no family id resolved through nlctrl.
//
// It carries counters (saturated at 2^32-1), component names and the device's name or bus
// address; see docs/ras/netlink.md for the exact layout and what the decoder accepts.
//
//   const accel::ras::Codec& nl = accel::ras::NetlinkCodec();
//   auto bytes = nl.encode(snapshot);
//   auto back = nl.decode(*bytes);  // == nl.project(snapshot)
#ifndef ACCEL_RAS_CODECS_NETLINK_NETLINK_CODEC_H_
#define ACCEL_RAS_CODECS_NETLINK_NETLINK_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

const Codec& NetlinkCodec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_NETLINK_NETLINK_CODEC_H_
