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

#include "codec_oracle.h"
#include "ras/codecs/asn1/asn1_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(Asn1Codec(), data, size, {.canonical = true});
  return 0;
}
