// protobuf_codec.h - the PROTOBUF RAS format (ACCEL_RAS_FMT_PROTOBUF): one RasSnapshot message.
//
// A payload is one serialised accel.ras.v1.RasSnapshot (proto/accel/ras/v1/ras.proto), no
// length prefix, no envelope. It carries the whole Snapshot (kCarriesAll; project is nullptr).
// Any protobuf implementation reads it with that .proto file alone; see docs/ras/protobuf.md.
//
// The decoder walks the wire bytes before libprotobuf allocates anything: lists within the
// model's bounds and unknown fields within a budget (-E2BIG), known fields with their schema's
// wire type and no groups (-EPROTO). It then refuses enum values outside the model (-EPROTO),
// skips unknown field numbers (a newer schema's additions) and runs Validate(). The encoder refuses
// text that is not UTF-8 (-EILSEQ): proto3 `string` fields must be UTF-8, and any conforming
// parser, ours included, rejects a message that breaks that rule.
//
//   const accel::ras::Codec& pb = accel::ras::ProtobufCodec();
//   auto bytes = pb.encode(snapshot);
//   auto back = pb.decode(*bytes);  // == snapshot
//
// Code that works on the messages themselves (the gRPC service) uses ras_proto_convert.h.
#ifndef ACCEL_RAS_CODECS_PROTOBUF_PROTOBUF_CODEC_H_
#define ACCEL_RAS_CODECS_PROTOBUF_PROTOBUF_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

const Codec& ProtobufCodec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_PROTOBUF_PROTOBUF_CODEC_H_
