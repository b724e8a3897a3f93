// json_codec.h - the JSON RAS format (ACCEL_RAS_FMT_JSON): the whole Snapshot as one document.
//
// The layout is "accel.ras.v1", specified by schema/ras-v1.schema.json and described in
// docs/ras/json.md. Every integer is a JSON number written exactly, u64 values included
// (readers that parse numbers as IEEE doubles, JavaScript's JSON.parse among them, lose
// precision above 2^53; see the doc). The decoder is schema-directed and strict: unknown keys,
// wrong types and values out of range are -EPROTO, malformed JSON is -EINVAL, input over
// kMaxEncodedSize or a list over a model bound is -E2BIG.
//
//   Result<std::vector<uint8_t>> doc = JsonCodec().encode(snapshot);
//   Result<Snapshot> back = JsonCodec().decode(*doc);  // == snapshot
#ifndef ACCEL_RAS_CODECS_JSON_JSON_CODEC_H_
#define ACCEL_RAS_CODECS_JSON_JSON_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

// The value of the document's "schema" member.
inline constexpr char kJsonSchemaId[] = "accel.ras.v1";

// Carries everything (kCarriesAll); project is nullptr.
const Codec& JsonCodec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_JSON_JSON_CODEC_H_
