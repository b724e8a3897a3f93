// json_reader.h - the JSON decoder: an "accel.ras.v1" document to a Snapshot.
//
// It reads through nlohmann's SAX interface and fills the Snapshot as the parser goes, with no
// DOM in between: memory is the Snapshot's own (bounded by the model's limits and by the input
// size), and the parser's nesting never goes deeper than the schema, because any value the
// schema does not put at that place stops the parse.
#ifndef ACCEL_RAS_CODECS_JSON_JSON_READER_H_
#define ACCEL_RAS_CODECS_JSON_JSON_READER_H_

#include <accel/result.h>

#include <cstdint>
#include <span>

#include "ras/model.h"

namespace accel::ras::json {

// -EINVAL malformed JSON, -EPROTO not this schema, -E2BIG over a bound; runs Validate().
Result<Snapshot> DecodeJson(std::span<const uint8_t> bytes);

}  // namespace accel::ras::json

#endif  // ACCEL_RAS_CODECS_JSON_JSON_READER_H_
