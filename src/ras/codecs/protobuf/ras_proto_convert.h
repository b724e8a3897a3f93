// ras_proto_convert.h - between the model's Snapshot and the accel.ras.v1 protobuf messages.
//
// The PROTOBUF codec serialises what SnapshotToProto builds and converts what it parsed with
// SnapshotFromProto; the gRPC service (ras/rpc) uses these and the identity and event
// conversions below on the messages it sends and receives, so both speak exactly one mapping
// (docs/ras/protobuf.md).
//
// Text: a proto3 `string` must be UTF-8, or the receiving parser rejects the whole message.
// SnapshotToProto refuses a snapshot with other text (-EILSEQ, from Validate()), as every codec
// does. IdentityToProto and EventToProto, for the service's single records, cannot refuse:
// they write ValidUtf8() of each string (ras/codecs/utf8.h), every byte that starts no valid
// sequence replaced by '?', so that one bad record cannot make a Watch stream unreadable.
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
// Generated from proto/accel/ras/v1/ras.proto: "accel/ras/v1/ras.pb.h".
class RasSnapshot;
class DeviceIdentity;
class Event;
}  // namespace v1

// Fills *out (cleared first) from s; Validate()'s error when s fails it, -EILSEQ among them
// when a name or message is not UTF-8 (a proto3 string must be; no parser would accept it).
Result<void> SnapshotToProto(const Snapshot& s, v1::RasSnapshot* out);

// The Snapshot msg describes: -EPROTO when a known field arrived with the wrong wire type (so
// libprotobuf kept it as an unknown field) or an enum holds a value the model lacks;
// Validate()'s error when the result fails it. Unknown field numbers are ignored.
Result<Snapshot> SnapshotFromProto(const v1::RasSnapshot& msg);

// One identity or event, the pieces of a snapshot that the service also sends alone.
void IdentityToProto(const DeviceIdentity& id, v1::DeviceIdentity* out);
DeviceIdentity IdentityFromProto(const v1::DeviceIdentity& msg);
void EventToProto(const Event& e, v1::Event* out);
// -EPROTO for a mistyped field or a severity the model lacks, -E2BIG past kMaxMessageLen or
// kMaxRawLen.
Result<Event> EventFromProto(const v1::Event& msg);

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_PROTOBUF_RAS_PROTO_CONVERT_H_
