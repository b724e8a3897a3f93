// netlink_decode_fuzz.cc - the NETLINK (drm-ras generic netlink) decoder on arbitrary bytes.
//
// Input: a NETLINK blob as a device's RAS_QUERY reply would hold it.
// Oracles (docs/ras/netlink.md and the codec contract in src/ras/codec.h):
//   - a refusal is -EINVAL, -E2BIG or -EPROTO, nothing else;
//   - whatever decodes passes Validate(), is already its own projection (every component
//     counts every severity, health ok, identity from device-name alone), encodes again, and
//     that encoding decodes to the same Snapshot.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>

#include "codec_oracle.h"
#include "ras/codecs/netlink/netlink_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(NetlinkCodec(), data, size, {.projected = true});
  return 0;
}
