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

#include "fuzz_check.h"
#include "ras/codecs/netlink/netlink_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  const Codec& codec = NetlinkCodec();
  accel::Result<Snapshot> s = codec.decode(std::span(data, size));
  if (!s.ok()) {
    FUZZ_CHECK(s.error() == -EINVAL || s.error() == -E2BIG || s.error() == -EPROTO, "error %d",
               s.error());
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  FUZZ_CHECK(codec.project(*s) == *s, "decoded snapshot is not its own projection");
  accel::Result<std::vector<uint8_t>> bytes = codec.encode(*s);
  FUZZ_CHECK(bytes.ok(), "re-encoding failed: %d", bytes.error());
  accel::Result<Snapshot> again = codec.decode(*bytes);
  FUZZ_CHECK(again.ok(), "re-decoding failed: %d", again.error());
  FUZZ_CHECK(*again == *s, "re-decoded snapshot differs");
  return 0;
}
