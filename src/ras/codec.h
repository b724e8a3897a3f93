// codec.h - one RAS format: an encoder, a decoder and what it carries.
//
// Every format accel offers through ACCEL_IOCTL_RAS_QUERY is a Codec. The core looks codecs up
// by format bit (ACCEL_RAS_FMT_*) in the table that acceld installs at start (SetCodecs), so
// the core itself links no serialisation library, and a test can install just the ones it
// needs.
//
// Contract for every codec:
//   - Encode never fails on a Snapshot that passes Validate(); it may return -E2BIG when the
//     output would pass kMaxEncodedSize.
//   - Decode treats its input as hostile: every length, count and depth is bounded; it never
//     reads past the span and never allocates more than a small multiple of the input size.
//     It returns -EINVAL (malformed), -E2BIG (over a bound), -EPROTO (well formed but not
//     this schema) or -EILSEQ (text that is not UTF-8, from Validate()), and runs Validate()
//     on what it built. fuzz/ras/codec_oracle.h checks all of this on arbitrary input.
//   - Decode(Encode(s)) == Project(s): the codec's projection of s onto what it carries (for a
//     full codec, s itself).
#ifndef ACCEL_RAS_CODEC_H_
#define ACCEL_RAS_CODEC_H_

#include <accel/result.h>

#include <cstdint>
#include <span>
#include <vector>

#include "ras/model.h"

namespace accel::ras {

inline constexpr uint32_t kMaxEncodedSize = 1u << 20;  // the core's RAS payload bound

// What a format carries of a Snapshot.
enum Carries : uint32_t {
  kCarriesIdentity = 1u << 0,    // DeviceIdentity, timestamp
  kCarriesComponents = 1u << 1,  // names and health
  kCarriesCounters = 1u << 2,    // volatile and aggregate counters
  kCarriesEvents = 1u << 3,      // the event log (and events_dropped)
  kCarriesPages = 1u << 4,       // the retired-page list
  kCarriesAll = 0x1f,
};

struct Codec {
  uint32_t format;   // ACCEL_RAS_FMT_*
  const char* name;  // the lowercase suffix of ACCEL_CAP_RAS_*: "json", "key_val_32"
  uint32_t carries;  // Carries bits
  Result<std::vector<uint8_t>> (*encode)(const Snapshot& s);
  Result<Snapshot> (*decode)(std::span<const uint8_t> bytes);
  // What Decode(Encode(s)) yields: s reduced to what the format carries. nullptr: s itself.
  Snapshot (*project)(const Snapshot& s);
  // The payload is printable text (JSON, a URI): tools may write it to a terminal. Binary
  // formats leave it false.
  bool text = false;
};

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODEC_H_
