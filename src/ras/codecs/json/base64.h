// base64.h - RFC 4648 section 4 base64 (standard alphabet, '=' padding) for JSON's "raw".
//
// The decoder accepts exactly what the encoder writes: no whitespace, no missing padding and
// no non-zero bits in the last character's unused low bits, so every byte string has one
// spelling and a decoded document re-encodes to the same text.
#ifndef ACCEL_RAS_CODECS_JSON_BASE64_H_
#define ACCEL_RAS_CODECS_JSON_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace accel::ras::json {

std::string Base64Encode(std::span<const uint8_t> bytes);
// nullopt when `text` is not canonical base64.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);
// Length of the encoding of n bytes.
constexpr size_t Base64Length(size_t n) {
  return (n + 2) / 3 * 4;
}

}  // namespace accel::ras::json

#endif  // ACCEL_RAS_CODECS_JSON_BASE64_H_
