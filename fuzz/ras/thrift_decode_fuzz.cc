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

#include "../fuzz_check.h"
#include "ras/codecs/thrift/thrift_codec.h"

#ifndef ACCEL_FUZZ_THRIFT_PROTOCOL
#error "build with -DACCEL_FUZZ_THRIFT_PROTOCOL=kBinary or kCompact"
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  const Codec& codec = ThriftCodecFor(ThriftProtocol::ACCEL_FUZZ_THRIFT_PROTOCOL);
  accel::Result<Snapshot> s = codec.decode(std::span<const uint8_t>(data, size));
  if (!s) {
    const int e = s.error();
    FUZZ_CHECK(e == -EINVAL || e == -EPROTO || e == -E2BIG, "decode error %d", e);
    return 0;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  accel::Result<std::vector<uint8_t>> again = codec.encode(*s);
  FUZZ_CHECK(again.ok(), "re-encoding failed: %d", again.ok() ? 0 : again.error());
  accel::Result<Snapshot> back = codec.decode(*again);
  FUZZ_CHECK(back.ok(), "re-encoding does not decode: %d", back.ok() ? 0 : back.error());
  FUZZ_CHECK(*back == *s, "re-encoding decodes to another snapshot");
  accel::Result<std::vector<uint8_t>> third = codec.encode(*back);
  FUZZ_CHECK(third.ok() && *third == *again, "encoding is not deterministic");
  return 0;
}
