// protobuf_codec.cc - the PROTOBUF codec: serialise and parse one accel.ras.v1.RasSnapshot.
//
// The model <-> message mapping lives in ras_proto_convert.cc; this file frames it: size
// bounds, a walk over the wire bytes before libprotobuf parses them, and the table entry.
#include "ras/codecs/protobuf/protobuf_codec.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format.h>
#include <google/protobuf/wire_format_lite.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <iterator>
#include <new>

#include "accel/ras/v1/ras.pb.h"
#include "ras/codecs/protobuf/ras_proto_convert.h"

namespace accel::ras {
namespace {

using google::protobuf::Arena;
using google::protobuf::internal::WireFormatLite;

// How many elements the model allows in each repeated field of RasSnapshot. A repeated field
// added to RasSnapshot needs its bound here, and room in WireScan::counts_; until then each
// of its elements is -E2BIG, which the round-trip tests would show.
size_t RepeatedBound(int field_number) {
  switch (field_number) {
    case v1::RasSnapshot::kComponentsFieldNumber:
      return kMaxComponents;
    case v1::RasSnapshot::kCountersFieldNumber:
      return size_t{kMaxComponents} * kSeverityCount;
    case v1::RasSnapshot::kEventsFieldNumber:
      return kMaxEvents;
    case v1::RasSnapshot::kPagesFieldNumber:
      return kMaxPages;
  }
  return 0;
}

// Unknown fields (a newer schema's additions) are kept, parsed, until the message is freed,
// some 70 bytes each; this many is room for four new fields in each of 4096 events and costs
// at most ~1 MiB.
constexpr size_t kMaxUnknownFields = 16384;

// A walk over the wire bytes, guided by the descriptors, that allocates nothing. libprotobuf
// builds a message per repeated element as it parses (an empty Event: two bytes of input,
// a hundred of memory) and an UnknownField per unknown field, so a hostile mebibyte could cost
// tens of mebibytes before anything could be looked at. This walk looks first:
//   - RasSnapshot's lists within the model's bounds, unknown fields within
//     kMaxUnknownFields -> else -E2BIG;
//   - every known field with the wire type the schema gives it, no groups (proto2 only: no
//     accel schema, old or new, has one) -> else -EPROTO;
//   - wire format throughout -> else -EINVAL.
// Known message fields are walked the same way; the schema nests two deep, so does the walk.
class WireScan {
 public:
  int Scan(std::span<const uint8_t> bytes) {
    size_ = static_cast<int>(bytes.size());
    google::protobuf::io::CodedInputStream in(bytes.data(), size_);
    const int rc = ScanMessage(in, v1::RasSnapshot::descriptor());
    if (rc < 0) return rc;
    return in.CurrentPosition() == size_ ? 0 : -EINVAL;
  }

 private:
  int ScanMessage(google::protobuf::io::CodedInputStream& in,
                  const google::protobuf::Descriptor* message) {
    const bool top = message == v1::RasSnapshot::descriptor();
    for (uint32_t tag; (tag = in.ReadTag()) != 0;) {
      const auto wire_type = WireFormatLite::GetTagWireType(tag);
      if (wire_type == WireFormatLite::WIRETYPE_START_GROUP ||
          wire_type == WireFormatLite::WIRETYPE_END_GROUP)
        return -EPROTO;
      const google::protobuf::FieldDescriptor* field =
          message->FindFieldByNumber(WireFormatLite::GetTagFieldNumber(tag));
      if (field == nullptr) {
        if (++unknown_ > kMaxUnknownFields) return -E2BIG;
      } else {
        if (wire_type != google::protobuf::internal::WireFormat::WireTypeForField(field))
          return -EPROTO;
        if (top && field->is_repeated()) {
          const auto n = static_cast<size_t>(field->number());
          if (n >= std::size(counts_) || ++counts_[n] > RepeatedBound(field->number()))
            return -E2BIG;
        }
        if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
          if (int rc = ScanNested(in, field->message_type()); rc < 0) return rc;
          continue;
        }
      }
      if (!WireFormatLite::SkipField(&in, tag)) return -EINVAL;
    }
    return 0;
  }

  int ScanNested(google::protobuf::io::CodedInputStream& in,
                 const google::protobuf::Descriptor* message) {
    uint32_t length;
    if (++depth_ > kMaxDepth || !in.ReadVarint32(&length) ||
        length > static_cast<uint32_t>(size_ - in.CurrentPosition()))
      return -EINVAL;
    const auto limit = in.PushLimit(static_cast<int>(length));
    const int rc = ScanMessage(in, message);
    // The nested message must end exactly where its length says.
    const bool whole = in.BytesUntilLimit() == 0;
    in.PopLimit(limit);
    --depth_;
    return rc < 0 ? rc : whole ? 0 : -EINVAL;
  }

  static constexpr int kMaxDepth = 4;  // the schema's is 2
  size_t counts_[v1::RasSnapshot::kPagesFieldNumber + 1] = {};
  size_t unknown_ = 0;
  int depth_ = 0;
  int size_ = 0;
};

Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  try {
    Arena arena;
    auto* msg = Arena::CreateMessage<v1::RasSnapshot>(&arena);
    if (Result<void> r = SnapshotToProto(s, msg); !r) return Errno{r.error()};
    const size_t size = msg->ByteSizeLong();
    if (size > kMaxEncodedSize) return Err(E2BIG);
    std::vector<uint8_t> out(size);
    if (!msg->SerializeToArray(out.data(), static_cast<int>(size))) return Err(EINVAL);
    return out;
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
}

Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  if (int rc = WireScan().Scan(bytes); rc < 0) return Errno{rc};
  try {
    Arena arena;
    auto* msg = Arena::CreateMessage<v1::RasSnapshot>(&arena);
    // Fails on malformed wire data and on proto3 strings that are not UTF-8.
    if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Err(EINVAL);
    return SnapshotFromProto(*msg);
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
}

const Codec kProtobufCodec = {
    .format = ACCEL_RAS_FMT_PROTOBUF,
    .name = "protobuf",
    .carries = kCarriesAll,
    .encode = Encode,
    .decode = Decode,
    .project = nullptr,
};

}  // namespace

const Codec& ProtobufCodec() {
  return kProtobufCodec;
}

}  // namespace accel::ras
