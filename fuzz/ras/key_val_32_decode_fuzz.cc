// key_val_32_decode_fuzz.cc - the KEY_VAL_32 decoder on arbitrary bytes.
//
// Input: a KEY_VAL_32 payload as a device's RAS_QUERY reply would hold it.
// Oracles (docs/ras/key_val_32.md and the codec contract in src/ras/codec.h):
//   - a refusal is one of the codes codec.h documents (codec_oracle.h);
//   - whatever decodes passes Validate(), is already its own projection (index names, no
//     identity), encodes again to 16 bytes per counter, and that encoding decodes to the
//     same Snapshot.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>

#include "codec_oracle.h"
#include "ras/codecs/key_val_32/key_val_32_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  std::optional<fuzzing::Decoded> d =
      fuzzing::CheckDecoder(KeyVal32Codec(), data, size, {.projected = true});
  if (d)
    FUZZ_CHECK(d->encoding.size() == d->snapshot.counters.size() * 16, "%zu bytes for %zu counters",
               d->encoding.size(), d->snapshot.counters.size());
  return 0;
}
