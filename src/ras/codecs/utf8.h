// utf8.h - is a name or message valid UTF-8? For codecs whose formats say text is UTF-8.
//
// protobuf's proto3 `string`, Thrift's `string`, ASN.1's UTF8String and JSON text all must be
// UTF-8, and their readers in other languages refuse anything else. The model holds
// std::string, so an encoder checks before it writes and a decoder before it accepts.
//
//   if (!TextIsUtf8(snapshot)) return Err(EILSEQ);
#ifndef ACCEL_RAS_CODECS_UTF8_H_
#define ACCEL_RAS_CODECS_UTF8_H_

#include <string_view>

#include "ras/model.h"

namespace accel::ras {

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool IsUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const unsigned char* const end = p + text.size();
  while (p < end) {
    const unsigned char lead = *p++;
    if (lead < 0x80) continue;
    // The lead byte gives the sequence's length and the range of its second byte, which is
    // what excludes overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
    int tail;
    unsigned char lo = 0x80, hi = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      tail = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      tail = 2;
      if (lead == 0xe0) lo = 0xa0;
      if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      tail = 3;
      if (lead == 0xf0) lo = 0x90;
      if (lead == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (end - p < tail || p[0] < lo || p[0] > hi) return false;
    for (int i = 1; i < tail; ++i)
      if ((p[i] & 0xc0) != 0x80) return false;
    p += tail;
  }
  return true;
}

// Every name and message of s (component and device names, event messages) is UTF-8.
inline bool TextIsUtf8(const Snapshot& s) {
  const DeviceIdentity& d = s.device;
  if (!IsUtf8(d.name) || !IsUtf8(d.driver) || !IsUtf8(d.serial) || !IsUtf8(d.bus)) return false;
  for (const Component& c : s.components)
    if (!IsUtf8(c.name)) return false;
  for (const Event& e : s.events)
    if (!IsUtf8(e.message)) return false;
  return true;
}

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_UTF8_H_
