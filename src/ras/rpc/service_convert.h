// service_convert.h - the service's own messages (ras_service.proto) to and from the model.
//
// Snapshots, identities and events go through the PROTOBUF codec's conversions
// (ras/codecs/protobuf/ras_proto_convert.h), so that Query, Watch and the ioctl payload share
// one mapping. What only the service sends (an event record with its device, a threshold's
// status) is converted here, from those pieces.
//
// Text: one policy with the codec's. proto3 strings must be UTF-8 or the receiving parser
// rejects the whole message. The core makes RAS text UTF-8 where it enters; text going out is
// still passed through ValidUtf8 (ras/codecs/utf8.h), which replaces each byte that is not
// part of a valid sequence with '?' (the length stays, so do the bounds), so that one bad
// record (an old store row, a backend bug) cannot make a whole Watch stream or Log reply
// unreadable.
#ifndef ACCEL_RAS_RPC_SERVICE_CONVERT_H_
#define ACCEL_RAS_RPC_SERVICE_CONVERT_H_

#include <accel/result.h>

#include "accel/ras/v1/ras_service.pb.h"
#include "ras/codecs/protobuf/ras_proto_convert.h"
#include "ras/codecs/utf8.h"
#include "ras/model.h"
#include "ras/service_records.h"

namespace accel::ras {

// WatchEvent and EventRecord share their fields 1-3.
void RecordToProto(const EventRecord& r, v1::WatchEvent* out);
void RecordToProto(const EventRecord& r, v1::EventRecord* out);
Result<EventRecord> RecordFromProto(const v1::WatchEvent& msg);
Result<EventRecord> RecordFromProto(const v1::EventRecord& msg);

void ThresholdStatusToProto(const ThresholdStatus& s, v1::ThresholdStatus* out);
// -EPROTO for a severity or action the model lacks.
Result<ThresholdStatus> ThresholdStatusFromProto(const v1::ThresholdStatus& msg);

}  // namespace accel::ras

#endif  // ACCEL_RAS_RPC_SERVICE_CONVERT_H_
