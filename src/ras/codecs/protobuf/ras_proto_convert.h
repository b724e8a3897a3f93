// ras_proto_convert.h - between the model's Snapshot and the accel.ras.v1 protobuf messages.
//
// The PROTOBUF codec serialises what SnapshotToProto builds and converts what it parsed with
// SnapshotFromProto; the gRPC service uses the same two functions on the messages it sends
// and receives, so both speak exactly one mapping (docs/ras/protobuf.md).
//
//   accel::ras::v1::RasSnapshot msg;
//   if (auto r = accel::ras::SnapshotToProto(snapshot, &msg); !r) return r.error();
//   Result<Snapshot> back = accel::ras::SnapshotFromProto(msg);  // == snapshot
#ifndef ACCEL_RAS_CODECS_PROTOBUF_RAS_PROTO_CONVERT_H_
#define ACCEL_RAS_CODECS_PROTOBUF_RAS_PROTO_CONVERT_H_

#include <accel/result.h>

#include "ras/model.h"

namespace accel::ras {
namespace v1 {
class RasSnapshot;  // generated from proto/accel/ras/v1/ras.proto: "accel/ras/v1/ras.pb.h"
}  // namespace v1

// Fills *out (cleared first) from s; Validate()'s error when s fails it, -EILSEQ among them
// when a name or message is not UTF-8 (a proto3 string must be; no parser would accept it).
Result<void> SnapshotToProto(const Snapshot& s, v1::RasSnapshot* out);

// The Snapshot msg describes: -EPROTO when a known field arrived with the wrong wire type (so
// libprotobuf kept it as an unknown field) or an enum holds a value the model lacks;
// Validate()'s error when the result fails it. Unknown field numbers are ignored.
Result<Snapshot> SnapshotFromProto(const v1::RasSnapshot& msg);

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_PROTOBUF_RAS_PROTO_CONVERT_H_
