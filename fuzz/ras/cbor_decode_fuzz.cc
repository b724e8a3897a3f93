// cbor_decode_fuzz.cc - the CBOR RAS decoder on arbitrary bytes.
//
// Oracles: a decoder error is one of the documented codes; a decoded Snapshot passes
// Validate() and re-encodes to exactly the input bytes, since the decoder accepts
// deterministic encodings only (docs/ras/cbor.md), and that encoding decodes to the same
// Snapshot.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "../fuzz_check.h"
#include "ras/codecs/cbor/cbor_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  accel::Result<Snapshot> s = DecodeCborSnapshot(std::span<const uint8_t>(data, size));
  if (!s) {
    const int e = s.error();
    FUZZ_CHECK(e == -EINVAL || e == -EPROTO || e == -E2BIG, "decode error %d", e);
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  accel::Result<std::vector<uint8_t>> again = EncodeCborSnapshot(*s);
  FUZZ_CHECK(again.ok(), "re-encoding failed: %d", again.ok() ? 0 : again.error());
  FUZZ_CHECK(again->size() == size && std::memcmp(again->data(), data, size) == 0,
             "accepted %zu bytes that re-encode to %zu other bytes", size, again->size());
  accel::Result<Snapshot> back = DecodeCborSnapshot(*again);
  FUZZ_CHECK(back.ok() && *back == *s, "re-encoding decodes to another snapshot");
  return 0;
}
