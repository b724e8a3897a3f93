// thrift_codec.h - the THRIFT RAS format (ACCEL_RAS_FMT_THRIFT): one RasSnapshot struct.
//
// A payload is one accel.ras.thrift_v1.RasSnapshot (thrift/ras.thrift) serialised alone, with
// no message envelope, in one of two Thrift protocols:
//   - ThriftCodec(): TBinaryProtocol, what ACCEL_RAS_FMT_THRIFT means in the codec table;
//   - ThriftCompactCodec(): TCompactProtocol, the same struct in about half the bytes.
// The format bit is shared, so the codec table (one slot per bit) holds the binary one; how a
// client asks for compact is described in docs/ras/thrift.md. Both carry the whole Snapshot.
//
// Decoding is libthrift's generated code over a TMemoryBuffer that only observes the input,
// with string, container, message-size and depth limits set, behind a protocol wrapper that
// knows the schema: it bounds each list by the model before the generated code sizes a vector
// for it, and refuses a known field of the wrong type (-EPROTO; unknown field ids are
// skipped). No Thrift exception leaves the codec: each one becomes -EINVAL (malformed),
// -E2BIG (over a bound) or -EPROTO.
//
//   const accel::ras::Codec& binary = accel::ras::ThriftCodec();
//   auto bytes = binary.encode(snapshot);
//   auto back = binary.decode(*bytes);  // == snapshot
#ifndef ACCEL_RAS_CODECS_THRIFT_THRIFT_CODEC_H_
#define ACCEL_RAS_CODECS_THRIFT_THRIFT_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

enum class ThriftProtocol { kBinary, kCompact };

// TBinaryProtocol; name "thrift".
const Codec& ThriftCodec();
// TCompactProtocol; same format number, name "thrift_compact".
const Codec& ThriftCompactCodec();
// One of the two above.
const Codec& ThriftCodecFor(ThriftProtocol protocol);

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_THRIFT_THRIFT_CODEC_H_
