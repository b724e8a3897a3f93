// thrift_decode_fuzz.cc - a THRIFT RAS decoder on arbitrary bytes; built twice, with
// ACCEL_FUZZ_THRIFT_PROTOCOL=kBinary (ras_thrift_decode_fuzz) and =kCompact
// (ras_thrift_compact_decode_fuzz).
//
// Oracles: no exception escapes (libFuzzer reports one as a crash); a decoder error is one of
// the documented codes; a decoded Snapshot passes Validate(), re-encodes, and that encoding
// decodes to the same Snapshot and re-encodes to the same bytes.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec_oracle.h"
#include "ras/codecs/thrift/thrift_codec.h"

#ifndef ACCEL_FUZZ_THRIFT_PROTOCOL
#error "build with -DACCEL_FUZZ_THRIFT_PROTOCOL=kBinary or kCompact"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(ThriftCodecFor(ThriftProtocol::ACCEL_FUZZ_THRIFT_PROTOCOL), data, size);
  return 0;
}
