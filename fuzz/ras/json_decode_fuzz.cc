// json_decode_fuzz.cc - the JSON RAS decoder on arbitrary bytes.
//
// Oracles: a decoder error is one of the documented codes; a decoded Snapshot passes
// Validate(), re-encodes, and that encoding decodes to the same Snapshot and re-encodes to
// the same bytes (the encoder is deterministic and the decoder loses nothing).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec_oracle.h"
#include "ras/codecs/json/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(JsonCodec(), data, size);
  return 0;
}
