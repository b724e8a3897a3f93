// codec_oracle.h - the checks every RAS decoder fuzzer makes, in one place.
//
// A decoder on arbitrary bytes must either fail with one of the codes codec.h documents, or
// produce a Snapshot that passes Validate(), re-encodes, decodes back to itself and re-encodes
// to the same bytes (the encoder is deterministic and the decoder loses nothing). Options add
// what only some formats promise: `canonical`, an accepted input is exactly the encoding of
// what it decoded to (DER, deterministic CBOR); `projected`, a decoded Snapshot holds no more
// than the format carries (project(s) == s).
#ifndef ACCEL_FUZZ_RAS_CODEC_ORACLE_H_
#define ACCEL_FUZZ_RAS_CODEC_ORACLE_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "../fuzz_check.h"
#include "ras/codec.h"

namespace accel::ras::fuzzing {

struct OracleOptions {
  bool canonical = false;
  bool projected = false;
};

// What a successful decode gave, for format-specific checks after the common ones.
struct Decoded {
  Snapshot snapshot;
  std::vector<uint8_t> encoding;  // the re-encoding of `snapshot`
};

inline std::optional<Decoded> CheckDecoder(const Codec& codec, const uint8_t* data, size_t size,
                                           OracleOptions opts = {}) {
  Result<Snapshot> s = codec.decode(std::span<const uint8_t>(data, size));
  if (!s) {
    const int e = s.error();
    FUZZ_CHECK(e == -EINVAL || e == -EPROTO || e == -E2BIG || e == -EILSEQ, "decode error %d", e);
    return std::nullopt;
  }
  FUZZ_CHECK(Validate(*s) == 0, "decoded snapshot fails Validate: %d", Validate(*s));
  if (opts.projected && codec.project != nullptr)
    FUZZ_CHECK(codec.project(*s) == *s, "decoded snapshot holds more than the format carries");
  Result<std::vector<uint8_t>> again = codec.encode(*s);
  FUZZ_CHECK(again.ok(), "re-encoding failed: %d", again.ok() ? 0 : again.error());
  if (opts.canonical)
    FUZZ_CHECK(again->size() == size && std::memcmp(again->data(), data, size) == 0,
               "accepted %zu bytes that re-encode to %zu other bytes", size, again->size());
  Result<Snapshot> back = codec.decode(*again);
  FUZZ_CHECK(back.ok(), "re-encoding does not decode: %d", back.ok() ? 0 : back.error());
  FUZZ_CHECK(*back == *s, "re-encoding decodes to another snapshot");
  Result<std::vector<uint8_t>> third = codec.encode(*back);
  FUZZ_CHECK(third.ok() && *third == *again, "encoding is not deterministic");
  return Decoded{std::move(*s), std::move(*again)};
}

}  // namespace accel::ras::fuzzing

#endif  // ACCEL_FUZZ_RAS_CODEC_ORACLE_H_
