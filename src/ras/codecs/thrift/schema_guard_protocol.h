// schema_guard_protocol.h - a Thrift protocol wrapper that holds a RasSnapshot read to the
// schema's types and the model's bounds.
//
// libthrift's generated readers trust what they are told. Given a list header they resize a
// vector to the declared count before reading one element (an empty struct costs nothing on
// the wire, so only the protocol's container limit stands between a 6-byte header and 65536
// Events), they read a list of i32 as if it were the declared list of structs, and a known
// field arriving with the wrong type is skipped as if it were unknown. This wrapper sits
// between the generated code and the real protocol, follows where the read is in the schema
// (which struct, which field) and throws before any of that happens:
//   - a list of RasSnapshot longer than the model allows (kMaxEvents, ...) -> -E2BIG;
//   - any list, set or map declaring more elements than there are bytes left -> -EINVAL;
//   - a known field of the wrong type, a list of something else than structs -> -EPROTO.
// Field ids the schema does not know pass through, to be skipped.
//
//   auto guard = std::make_shared<SchemaGuardProtocol>(binary_protocol, *buffer);
//   snapshot.read(guard.get());  // throws TProtocolException; guard->failure() says why
#ifndef ACCEL_RAS_CODECS_THRIFT_SCHEMA_GUARD_PROTOCOL_H_
#define ACCEL_RAS_CODECS_THRIFT_SCHEMA_GUARD_PROTOCOL_H_

#include <thrift/protocol/TProtocolDecorator.h>
#include <thrift/transport/TBufferTransports.h>

#include <cstdint>
#include <memory>
#include <string>

namespace accel::ras {

// The structs of ras.thrift, and kOther for anything the schema does not describe.
enum class SchemaStruct : uint8_t {
  kOther,
  kSnapshot,
  kDevice,
  kComponent,
  kCounter,
  kEvent,
  kPage
};

// What ras.thrift says about one field of one struct.
struct SchemaField {
  int16_t id;
  apache::thrift::protocol::TType type;
  SchemaStruct element = SchemaStruct::kOther;  // a struct's type, or a list's element type
  uint32_t max_elements = 0;                    // lists: the model's bound
};

class SchemaGuardProtocol final : public apache::thrift::protocol::TProtocolDecorator {
 public:
  // `input` is the transport under `inner`: the guard asks it how many bytes remain.
  SchemaGuardProtocol(std::shared_ptr<apache::thrift::protocol::TProtocol> inner,
                      apache::thrift::transport::TMemoryBuffer& input)
      : TProtocolDecorator(std::move(inner)), input_(input) {}

  // The errno for the last exception the guard threw (-EPROTO, -E2BIG or -EINVAL); 0 when
  // the exception came from the protocol or the transport themselves.
  int failure() const { return failure_; }

  uint32_t readStructBegin_virt(std::string& name) override;
  uint32_t readStructEnd_virt() override;
  uint32_t readFieldBegin_virt(std::string& name, apache::thrift::protocol::TType& type,
                               int16_t& id) override;
  uint32_t readListBegin_virt(apache::thrift::protocol::TType& element_type,
                              uint32_t& size) override;
  uint32_t readSetBegin_virt(apache::thrift::protocol::TType& element_type,
                             uint32_t& size) override;
  uint32_t readMapBegin_virt(apache::thrift::protocol::TType& key_type,
                             apache::thrift::protocol::TType& value_type, uint32_t& size) override;

 private:
  // ras.thrift nests three deep (RasSnapshot, list<Event>, Event); skipping an unknown field
  // may go deeper, up to the transport's recursion limit, which the codec sets below this.
  static constexpr int kMaxDepth = 16;

  struct Frame {
    SchemaStruct schema;
    const SchemaField* field;  // the field being read, when the schema knows it
  };

  [[noreturn]] void Fail(int error, const char* what);
  void CheckElementsFit(uint32_t size);

  apache::thrift::transport::TMemoryBuffer& input_;
  Frame frames_[kMaxDepth] = {};
  int depth_ = 0;
  int failure_ = 0;
};

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_THRIFT_SCHEMA_GUARD_PROTOCOL_H_
