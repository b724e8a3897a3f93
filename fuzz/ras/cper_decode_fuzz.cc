// cper_decode_fuzz.cc - the CPER RAS decoder on arbitrary bytes.
//
// Oracles: a decoder error is one of the documented codes; a decoded Snapshot passes
// Validate(), is its own projection (the decoder yields only what a record can hold),
// re-encodes, and that record decodes to the same Snapshot and is as long as the input (every
// byte of an accepted record belongs to the header, a descriptor or a section body).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../fuzz_check.h"
#include "ras/codecs/cper/cper_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  const Codec& codec = CperCodec();
  accel::Result<Snapshot> s = codec.decode(std::span<const uint8_t>(data, size));
  if (!s) {
    const int e = s.error();
    FUZZ_CHECK(e == -EINVAL || e == -EPROTO || e == -E2BIG, "decode error %d", e);
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  FUZZ_CHECK(codec.project(*s) == *s, "decoded snapshot holds more than a record can");
  accel::Result<std::vector<uint8_t>> again = codec.encode(*s);
  FUZZ_CHECK(again.ok(), "re-encoding failed: %d", again.ok() ? 0 : again.error());
  FUZZ_CHECK(again->size() == size, "re-encoding is %zu bytes, the input %zu", again->size(), size);
  accel::Result<Snapshot> back = codec.decode(*again);
  FUZZ_CHECK(back.ok(), "re-encoding does not decode: %d", back.ok() ? 0 : back.error());
  FUZZ_CHECK(*back == *s, "re-encoding decodes to another snapshot");
  return 0;
}
