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

#include "codec_oracle.h"
#include "ras/codecs/cbor/cbor_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(CborCodec(), data, size, {.canonical = true});
  return 0;
}
