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

#include "codec_oracle.h"
#include "ras/codecs/cper/cper_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  std::optional<fuzzing::Decoded> d =
      fuzzing::CheckDecoder(CperCodec(), data, size, {.projected = true});
  if (d)
    FUZZ_CHECK(d->encoding.size() == size, "re-encoding is %zu bytes, the input %zu",
               d->encoding.size(), size);
  return 0;
}
