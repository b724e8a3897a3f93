// schema_guard_protocol.cc - see schema_guard_protocol.h; the tables below are ras.thrift.
#include "ras/codecs/thrift/schema_guard_protocol.h"

#include <cerrno>
#include <span>

#include "ras/model.h"

namespace accel::ras {
namespace {

using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;
using enum apache::thrift::protocol::TType;

// Field for field what thrift/ras.thrift declares (a `binary` is a T_STRING on the wire).
// The codec's round-trip tests read every field of every struct through these tables.
constexpr SchemaField kSnapshotFields[] = {
    {1, T_STRUCT, SchemaStruct::kDevice},
    {2, T_I64},
    {3, T_LIST, SchemaStruct::kComponent, kMaxComponents},
    {4, T_LIST, SchemaStruct::kCounter, kMaxComponents* kSeverityCount},
    {5, T_LIST, SchemaStruct::kEvent, kMaxEvents},
    {6, T_I64},
    {7, T_LIST, SchemaStruct::kPage, kMaxPages},
};
constexpr SchemaField kDeviceFields[] = {
    {1, T_STRING}, {2, T_STRING}, {3, T_STRING}, {4, T_STRING}, {5, T_I64},
};
constexpr SchemaField kComponentFields[] = {{1, T_STRING}, {2, T_I32}};
constexpr SchemaField kCounterFields[] = {{1, T_I32}, {2, T_I32}, {3, T_I64}, {4, T_I64}};
constexpr SchemaField kEventFields[] = {
    {1, T_I64}, {2, T_I64}, {3, T_I32},    {4, T_I32},    {5, T_I64},
    {6, T_I64}, {7, T_I64}, {8, T_STRING}, {9, T_STRING},
};
constexpr SchemaField kPageFields[] = {{1, T_I64}, {2, T_I32}, {3, T_I32}, {4, T_I64}};

std::span<const SchemaField> FieldsOf(SchemaStruct s) {
  switch (s) {
    case SchemaStruct::kSnapshot:
      return kSnapshotFields;
    case SchemaStruct::kDevice:
      return kDeviceFields;
    case SchemaStruct::kComponent:
      return kComponentFields;
    case SchemaStruct::kCounter:
      return kCounterFields;
    case SchemaStruct::kEvent:
      return kEventFields;
    case SchemaStruct::kPage:
      return kPageFields;
    case SchemaStruct::kOther:
      break;
  }
  return {};
}

}  // namespace

void SchemaGuardProtocol::Fail(int error, const char* what) {
  failure_ = error;
  throw TProtocolException(
      error == -E2BIG ? TProtocolException::SIZE_LIMIT : TProtocolException::INVALID_DATA, what);
}

// Every element of a list, set or map takes at least one byte in both protocols, so a count
// above the bytes left is a lie, found before the generated code sizes a container by it.
void SchemaGuardProtocol::CheckElementsFit(uint32_t size) {
  if (size > input_.available_read()) Fail(-EINVAL, "more elements than bytes left");
}

uint32_t SchemaGuardProtocol::readStructBegin_virt(std::string& name) {
  if (depth_ == kMaxDepth) Fail(-E2BIG, "structs nested too deep");
  // The outermost struct is the RasSnapshot; any other is the type of the field (or list
  // element) being read in the struct around it.
  SchemaStruct schema = SchemaStruct::kSnapshot;
  if (depth_ > 0) {
    const SchemaField* field = frames_[depth_ - 1].field;
    schema = field != nullptr ? field->element : SchemaStruct::kOther;
  }
  frames_[depth_++] = {schema, nullptr};
  return TProtocolDecorator::readStructBegin_virt(name);
}

uint32_t SchemaGuardProtocol::readStructEnd_virt() {
  if (depth_ > 0) --depth_;
  return TProtocolDecorator::readStructEnd_virt();
}

uint32_t SchemaGuardProtocol::readFieldBegin_virt(std::string& name, TType& type, int16_t& id) {
  const uint32_t n = TProtocolDecorator::readFieldBegin_virt(name, type, id);
  if (depth_ == 0) Fail(-EINVAL, "a field outside any struct");
  Frame& frame = frames_[depth_ - 1];
  frame.field = nullptr;
  if (type == T_STOP) return n;
  for (const SchemaField& field : FieldsOf(frame.schema)) {
    if (field.id != id) continue;
    if (field.type != type) Fail(-EPROTO, "a known field of the wrong type");
    frame.field = &field;
    break;
  }
  return n;
}

uint32_t SchemaGuardProtocol::readListBegin_virt(TType& element_type, uint32_t& size) {
  const uint32_t n = TProtocolDecorator::readListBegin_virt(element_type, size);
  const SchemaField* field = depth_ > 0 ? frames_[depth_ - 1].field : nullptr;
  if (field != nullptr && field->type == T_LIST) {
    if (element_type != T_STRUCT) Fail(-EPROTO, "a list of something else than structs");
    if (size > field->max_elements) Fail(-E2BIG, "a list longer than the model allows");
  }
  CheckElementsFit(size);
  return n;
}

uint32_t SchemaGuardProtocol::readSetBegin_virt(TType& element_type, uint32_t& size) {
  const uint32_t n = TProtocolDecorator::readSetBegin_virt(element_type, size);
  CheckElementsFit(size);
  return n;
}

uint32_t SchemaGuardProtocol::readMapBegin_virt(TType& key_type, TType& value_type,
                                                uint32_t& size) {
  const uint32_t n = TProtocolDecorator::readMapBegin_virt(key_type, value_type, size);
  CheckElementsFit(size);
  return n;
}

}  // namespace accel::ras
