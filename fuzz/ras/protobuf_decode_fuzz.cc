// protobuf_decode_fuzz.cc - the PROTOBUF RAS decoder on arbitrary bytes.
//
// Oracles: a decoder error is one of the documented codes; a decoded Snapshot passes
// Validate(), re-encodes, and that encoding decodes to the same Snapshot and re-encodes to
// the same bytes (the encoder is deterministic; unknown fields are the only thing the decoder
// drops, and they never reach the Snapshot).
#include <google/protobuf/stubs/logging.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "codec_oracle.h"
#include "ras/codecs/protobuf/protobuf_codec.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libprotobuf logs every proto3 string that is not UTF-8 before refusing the message; the
  // refusal is the decoder's answer, the log line only noise at fuzzing speed.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  fuzzing::CheckDecoder(ProtobufCodec(), data, size);
  return 0;
}
