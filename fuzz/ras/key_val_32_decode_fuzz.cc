// key_val_32_decode_fuzz.cc - the KEY_VAL_32 decoder on arbitrary bytes.
//
// Input: a KEY_VAL_32 payload as a device's RAS_QUERY reply would hold it.
// Oracles (docs/ras/key_val_32.md and the codec contract in src/ras/codec.h):
//   - a refusal is -EINVAL or -E2BIG, nothing else;
//   - whatever decodes passes Validate(), is already its own projection (index names, no
//     identity), encodes again to 16 bytes per counter, and that encoding decodes to the
//     same Snapshot.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "ras/codecs/key_val_32/key_val_32_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  const Codec& codec = KeyVal32Codec();
  accel::Result<Snapshot> s = codec.decode(std::span(data, size));
  if (!s.ok()) {
    FUZZ_CHECK(s.error() == -EINVAL || s.error() == -E2BIG, "error %d", s.error());
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  FUZZ_CHECK(codec.project(*s) == *s, "decoded snapshot is not its own projection");
  accel::Result<std::vector<uint8_t>> bytes = codec.encode(*s);
  FUZZ_CHECK(bytes.ok(), "re-encoding failed: %d", bytes.error());
  FUZZ_CHECK(bytes->size() == s->counters.size() * 16, "%zu bytes for %zu counters", bytes->size(),
             s->counters.size());
  accel::Result<Snapshot> again = codec.decode(*bytes);
  FUZZ_CHECK(again.ok(), "re-decoding failed: %d", again.error());
  FUZZ_CHECK(*again == *s, "re-decoded snapshot differs");
  return 0;
}
