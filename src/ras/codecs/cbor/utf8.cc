// utf8.cc - see utf8.h. The ranges are RFC 3629's table of well-formed byte sequences.
#include "ras/codecs/cbor/utf8.h"

#include <cstdint>

namespace accel::ras::cbor {

bool IsUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* const end = p + s.size();
  while (p < end) {
    const uint8_t b = *p++;
    if (b < 0x80) continue;
    // Continuation count, and the range the first continuation byte must lie in (the second
    // byte is what rules out overlong forms, surrogates and code points past U+10FFFF).
    size_t more;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      more = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
      more = 2;
      if (b == 0xe0) lo = 0xa0;
      if (b == 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      more = 3;
      if (b == 0xf0) lo = 0x90;
      if (b == 0xf4) hi = 0x8f;
    } else {
      return false;  // a continuation byte first, 0xc0/0xc1 (overlong) or 0xf5..0xff
    }
    if (static_cast<size_t>(end - p) < more) return false;
    if (p[0] < lo || p[0] > hi) return false;
    for (size_t i = 1; i < more; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    p += more;
  }
  return true;
}

}  // namespace accel::ras::cbor
