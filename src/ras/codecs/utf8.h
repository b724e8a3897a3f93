// utf8.h - is a name or message valid UTF-8? For codecs whose formats say text is UTF-8.
//
// protobuf's proto3 `string`, Thrift's `string`, ASN.1's UTF8String and JSON text all must be
// UTF-8, and their readers in other languages refuse anything else. The model holds
// std::string, so an encoder checks before it writes and a decoder before it accepts.
//
//   if (!TextIsUtf8(snapshot)) return Err(EILSEQ);
//   msg->set_message(ValidUtf8(event.message));   // where refusing is not an option
#ifndef ACCEL_RAS_CODECS_UTF8_H_
#define ACCEL_RAS_CODECS_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "ras/model.h"

namespace accel::ras {

// Length of the RFC 3629 UTF-8 sequence starting at text[i] (i < text.size()): 1 to 4, or 0
// when none starts there (no overlong forms, no surrogates, nothing above U+10FFFF).
inline size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  // The lead byte gives the sequence's length and the range of its second byte, which is
  // what excludes overlong forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    len = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    len = 3;
    if (lead == 0xe0) lo = 0xa0;
    if (lead == 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    len = 4;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;
  } else {
    return 0;  // a continuation byte first, 0xc0/0xc1 (overlong) or 0xf5..0xff
  }
  if (text.size() - i < len || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  return len;
}

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// `text` when it is UTF-8, else a copy with each byte that starts no valid sequence replaced
// by '?': the length stays, and so do the model's bounds. For text that must reach a reader
// even when one record is bad (a proto3 string field, whose parser rejects the whole message).
inline std::string ValidUtf8(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size();) {
    const size_t len = Utf8SequenceLength(out, i);
    if (len == 0) {
      out[i++] = '?';
    } else {
      i += len;
    }
  }
  return out;
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
