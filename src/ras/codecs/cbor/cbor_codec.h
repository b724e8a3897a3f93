// cbor_codec.h - the CBOR RAS format (ACCEL_RAS_FMT_CBOR): the whole Snapshot as small
// integer-keyed maps, in RFC 8949 section 4.2.1 deterministic encoding.
//
// This is also the layout firmware sends: the emulated firmware (vnpu-fw) and the dummy
// driver's pass-through mode produce these bytes, so the map keys below are a wire contract,
// documented with a CDDL description in docs/ras/cbor.md. Deterministic means one spelling per
// Snapshot: integers and lengths in their shortest form, definite lengths only, map keys in
// increasing order (for the small unsigned keys used here, bytewise order of the encoded keys
// is numeric order). The decoder is strict: input that is well-formed CBOR but not
// deterministic (a long-form integer, an indefinite length, keys out of order or repeated) is
// -EINVAL, so Encode(Decode(bytes)) == bytes for every input Decode accepts. Unknown keys,
// wrong types and values out of range are -EPROTO; lists and strings over the model's bounds,
// and input over kMaxEncodedSize, are -E2BIG.
//
//   Result<std::vector<uint8_t>> bytes = EncodeCborSnapshot(snapshot);
//   Result<Snapshot> back = DecodeCborSnapshot(*bytes);  // == snapshot
#ifndef ACCEL_RAS_CODECS_CBOR_CBOR_CODEC_H_
#define ACCEL_RAS_CODECS_CBOR_CBOR_CODEC_H_

#include <accel/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "ras/codec.h"

namespace accel::ras {

// Carries everything (kCarriesAll); project is nullptr.
const Codec& CborCodec();

// The codec's encode and decode, for code that produces or consumes the firmware layout
// directly (vnpu-fw, the dummy driver's pass-through mode).
Result<std::vector<uint8_t>> EncodeCborSnapshot(const Snapshot& s);
Result<Snapshot> DecodeCborSnapshot(std::span<const uint8_t> bytes);

// The layout. Every map is keyed by small unsigned integers; a key marked optional is left out
// when the value is absent, every other key is always present.
namespace cbor {

inline constexpr uint64_t kLayoutVersion = 1;  // snapshot key 0

namespace snapshot_key {                      // the top-level map
inline constexpr uint8_t kVersion = 0;        // uint, kLayoutVersion
inline constexpr uint8_t kDevice = 1;         // device map
inline constexpr uint8_t kTimestamp = 2;      // uint, ns (CLOCK_REALTIME)
inline constexpr uint8_t kComponents = 3;     // array of component maps, index = component
inline constexpr uint8_t kEvents = 4;         // array of event maps, oldest first
inline constexpr uint8_t kEventsDropped = 5;  // uint
inline constexpr uint8_t kPages = 6;          // array of page maps, by increasing address
}  // namespace snapshot_key

namespace device_key {
inline constexpr uint8_t kName = 0;    // tstr
inline constexpr uint8_t kDriver = 1;  // tstr
inline constexpr uint8_t kSerial = 2;  // tstr
inline constexpr uint8_t kBus = 3;     // tstr
inline constexpr uint8_t kMinor = 4;   // uint (u32)
}  // namespace device_key

namespace component_key {
inline constexpr uint8_t kName = 0;      // tstr
inline constexpr uint8_t kHealth = 1;    // uint, Health
inline constexpr uint8_t kCounters = 2;  // map: severity (uint) => [volatile, aggregate]
}  // namespace component_key

namespace event_key {
inline constexpr uint8_t kSeqno = 0;      // uint
inline constexpr uint8_t kTimestamp = 1;  // uint, ns
inline constexpr uint8_t kComponent = 2;  // uint, index into the components array
inline constexpr uint8_t kSeverity = 3;   // uint, ACCEL_RAS_SEV_*
inline constexpr uint8_t kCode = 4;       // uint (u32)
inline constexpr uint8_t kCount = 5;      // uint (u32)
inline constexpr uint8_t kAddress = 6;    // uint; optional
inline constexpr uint8_t kMessage = 7;    // tstr
inline constexpr uint8_t kRaw = 8;        // bstr, not empty; optional
}  // namespace event_key

namespace page_key {
inline constexpr uint8_t kAddress = 0;    // uint
inline constexpr uint8_t kCause = 1;      // uint, ACCEL_RAS_SEV_*
inline constexpr uint8_t kState = 2;      // uint, PageState
inline constexpr uint8_t kTimestamp = 3;  // uint, ns
}  // namespace page_key

}  // namespace cbor
}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_CBOR_CBOR_CODEC_H_
