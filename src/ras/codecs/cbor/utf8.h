// utf8.h - strict UTF-8 validation for CBOR text strings (RFC 8949 section 3.1, major type 3).
#ifndef ACCEL_RAS_CODECS_CBOR_UTF8_H_
#define ACCEL_RAS_CODECS_CBOR_UTF8_H_

#include <string_view>

namespace accel::ras::cbor {

// RFC 3629 UTF-8: no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool IsUtf8(std::string_view s);

}  // namespace accel::ras::cbor

#endif  // ACCEL_RAS_CODECS_CBOR_UTF8_H_
