// asn1_decode_fuzz.cc - the ASN1 (DER) RAS decoder on arbitrary bytes.
//
// Oracles: a decoder error is one of the documented codes; a decoded Snapshot passes
// Validate(), re-encodes, and that encoding decodes to the same Snapshot. Because the decoder
// accepts canonical DER only (shortest lengths, minimal integers, one encoding per value),
// the re-encoding must also be the input byte for byte.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "../fuzz_check.h"
#include "ras/codecs/asn1/asn1_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  const Codec& codec = Asn1Codec();
  accel::Result<Snapshot> s = codec.decode(std::span<const uint8_t>(data, size));
  if (!s) {
    const int e = s.error();
    FUZZ_CHECK(e == -EINVAL || e == -EPROTO || e == -E2BIG, "decode error %d", e);
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  accel::Result<std::vector<uint8_t>> again = codec.encode(*s);
  FUZZ_CHECK(again.ok(), "re-encoding failed: %d", again.ok() ? 0 : again.error());
  FUZZ_CHECK(again->size() == size && std::memcmp(again->data(), data, size) == 0,
             "accepted input is not the canonical encoding of what it decoded to");
  accel::Result<Snapshot> back = codec.decode(*again);
  FUZZ_CHECK(back.ok(), "re-encoding does not decode: %d", back.ok() ? 0 : back.error());
  FUZZ_CHECK(*back == *s, "re-encoding decodes to another snapshot");
  return 0;
}
