// codec_table.h - which RAS codecs this process has, looked up by format bit or name.
//
// acceld installs every codec at start (InstallAllCodecs() from ras/codecs/all_codecs.h); core
// unit tests install the few they need. Lookups are lock-free reads of a table that is set
// once before devices exist.
#ifndef ACCEL_RAS_CODEC_TABLE_H_
#define ACCEL_RAS_CODEC_TABLE_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "ras/codec.h"

namespace accel::ras {

// Replaces the table. Call before any device is registered. The first codec of a format owns
// its bit; later ones of the same format (variants) are found by name only.
void SetCodecs(std::span<const Codec* const> codecs);
// nullptr when no codec for that format is installed.
const Codec* FindCodec(uint32_t format);
// Case-insensitive: "JSON", "key_val_32". nullptr when unknown.
const Codec* FindCodecByName(std::string_view name);
// THRIFT's compact-protocol variant (ACCEL_RAS_QUERY_THRIFT_COMPACT), or nullptr.
const Codec* FindThriftCompactCodec();
// ACCEL_CAP_RAS_* bits of the installed codecs.
uint64_t InstalledFormats();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODEC_TABLE_H_
