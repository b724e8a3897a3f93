// thrift_codec.cc - the THRIFT codecs: one RasSnapshot through TBinaryProtocol or
// TCompactProtocol, the model <-> struct mapping, and the two table entries.
//
// One template per direction serves both protocols; Thrift's exceptions stop here.
#include "ras/codecs/thrift/thrift_codec.h"

#include <thrift/TConfiguration.h>
#include <thrift/Thrift.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <memory>
#include <new>

#include "accel/ras/thrift_v1/ras_types.h"
#include "ras/codecs/thrift/schema_guard_protocol.h"

namespace accel::ras {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::TException;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;
using apache::thrift::transport::TMemoryBuffer;
using CompactProtocol = apache::thrift::protocol::TCompactProtocolT<TMemoryBuffer>;

// TBinaryProtocol, except that the type bytes of field, list, set and map headers are looked
// at before libthrift casts them to TType. The stock reader does `(TType)byte`, and a byte
// outside the enum's range (any negative one, any above 31) makes that cast undefined
// behaviour, which UBSan's -fsanitize=enum stops at. A byte that names no type the protocol
// carries is INVALID_DATA here, as the stock reader would have said a step later; everything
// else is libthrift's own reading. (TCompactProtocol maps its type nibbles through a switch
// and needs none of this.)
class CheckedBinaryProtocol final
    : public apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer> {
 public:
  using Base = apache::thrift::protocol::TBinaryProtocolT<TMemoryBuffer>;
  using Base::Base;

  uint32_t readFieldBegin_virt(std::string& name, TType& type, int16_t& id) override {
    CheckTypeBytes(1, /*stop_allowed=*/true);
    return Base::readFieldBegin(name, type, id);
  }
  uint32_t readListBegin_virt(TType& element_type, uint32_t& size) override {
    CheckTypeBytes(1, /*stop_allowed=*/false);
    return Base::readListBegin(element_type, size);
  }
  uint32_t readSetBegin_virt(TType& element_type, uint32_t& size) override {
    CheckTypeBytes(1, /*stop_allowed=*/false);
    return Base::readSetBegin(element_type, size);
  }
  uint32_t readMapBegin_virt(TType& key_type, TType& value_type, uint32_t& size) override {
    CheckTypeBytes(2, /*stop_allowed=*/false);
    return Base::readMapBegin(key_type, value_type, size);
  }

 private:
  static bool IsValueType(uint8_t b) {
    using enum apache::thrift::protocol::TType;
    switch (b) {
      case T_BOOL:
      case T_BYTE:
      case T_DOUBLE:
      case T_I16:
      case T_I32:
      case T_I64:
      case T_STRING:
      case T_STRUCT:
      case T_MAP:
      case T_SET:
      case T_LIST:
        return true;
      default:
        return false;
    }
  }

  // Peeks at the next `count` bytes without consuming them. Fewer left: the read that
  // follows runs out of input and says so itself.
  void CheckTypeBytes(uint32_t count, bool stop_allowed) {
    uint32_t len = count;
    const uint8_t* next = trans_->borrow(nullptr, &len);
    if (next == nullptr) return;
    for (uint32_t i = 0; i < count; ++i) {
      if (stop_allowed && i == 0 && next[0] == apache::thrift::protocol::T_STOP) return;
      if (!IsValueType(next[i]))
        throw TProtocolException(TProtocolException::INVALID_DATA, "unknown type id");
    }
  }
};
using BinaryProtocol = CheckedBinaryProtocol;

// Limits handed to libthrift: the longest string in the schema is an event's raw blob, the
// longest list the retired pages; RasSnapshot > list<Event> > Event is three levels deep.
constexpr int32_t kMaxStringSize = kMaxRawLen;
constexpr int32_t kMaxContainerSize = kMaxPages;
constexpr int kRecursionLimit = 8;

// Thrift has no unsigned types: a u64 travels as the i64 with the same 64 bits.
int64_t ToI64(uint64_t v) {
  return static_cast<int64_t>(v);
}
uint64_t ToU64(int64_t v) {
  return static_cast<uint64_t>(v);
}
bool FitsU32(int64_t v) {
  return v >= 0 && v <= int64_t{UINT32_MAX};
}
bool IsSeverity(int32_t v) {
  return v >= 0 && static_cast<uint32_t>(v) < kSeverityCount;
}
bool IsHealth(int32_t v) {
  return v >= 0 && v <= static_cast<int32_t>(Health::kFailed);
}
bool IsPageState(int32_t v) {
  return v >= 0 && v <= static_cast<int32_t>(PageState::kRetired);
}

thrift_v1::Event EventToThrift(const Event& e) {
  thrift_v1::Event t;
  t.seqno = ToI64(e.seqno);
  t.timestamp_ns = ToI64(e.timestamp_ns);
  t.component = static_cast<int32_t>(e.component);
  t.severity = static_cast<int32_t>(e.severity);
  t.code = e.code;
  t.count = e.count;
  if (e.address) t.__set_address(ToI64(*e.address));
  t.message = e.message;
  t.raw.assign(e.raw.begin(), e.raw.end());
  return t;
}

thrift_v1::RasSnapshot ToThrift(const Snapshot& s) {
  thrift_v1::RasSnapshot t;
  t.device.name = s.device.name;
  t.device.driver = s.device.driver;
  t.device.serial = s.device.serial;
  t.device.bus = s.device.bus;
  t.device.minor = s.device.minor;
  t.timestamp_ns = ToI64(s.timestamp_ns);
  t.components.reserve(s.components.size());
  for (const Component& c : s.components) {
    thrift_v1::Component& m = t.components.emplace_back();
    m.name = c.name;
    m.health = static_cast<int32_t>(c.health);
  }
  t.counters.reserve(s.counters.size());
  for (const Counter& c : s.counters) {
    thrift_v1::Counter& m = t.counters.emplace_back();
    m.component = static_cast<int32_t>(c.component);
    m.severity = static_cast<int32_t>(c.severity);
    m.volatile_count = ToI64(c.volatile_count);
    m.aggregate_count = ToI64(c.aggregate_count);
  }
  t.events.reserve(s.events.size());
  for (const Event& e : s.events) t.events.push_back(EventToThrift(e));
  t.events_dropped = ToI64(s.events_dropped);
  t.pages.reserve(s.pages.size());
  for (const RetiredPage& p : s.pages) {
    thrift_v1::RetiredPage& m = t.pages.emplace_back();
    m.address = ToI64(p.address);
    m.cause = static_cast<int32_t>(p.cause);
    m.state = static_cast<int32_t>(p.state);
    m.timestamp_ns = ToI64(p.timestamp_ns);
  }
  return t;
}

Result<Event> EventFromThrift(const thrift_v1::Event& t) {
  if (t.component < 0 || !IsSeverity(t.severity) || !FitsU32(t.code) || !FitsU32(t.count))
    return Err(EPROTO);
  Event e;
  e.seqno = ToU64(t.seqno);
  e.timestamp_ns = ToU64(t.timestamp_ns);
  e.component = static_cast<uint32_t>(t.component);
  e.severity = static_cast<uint32_t>(t.severity);
  e.code = static_cast<uint32_t>(t.code);
  e.count = static_cast<uint32_t>(t.count);
  if (t.__isset.address) e.address = ToU64(t.address);
  e.message = t.message;
  e.raw.assign(t.raw.begin(), t.raw.end());
  return e;
}

// Range checks Thrift's signed types need, then the model's own Validate(). The lists are
// already within their bounds: the schema guard saw their headers.
Result<Snapshot> FromThrift(const thrift_v1::RasSnapshot& t) {
  Snapshot s;
  if (!FitsU32(t.device.minor)) return Err(EPROTO);
  s.device = {t.device.name, t.device.driver, t.device.serial, t.device.bus,
              static_cast<uint32_t>(t.device.minor)};
  s.timestamp_ns = ToU64(t.timestamp_ns);
  s.components.reserve(t.components.size());
  for (const thrift_v1::Component& m : t.components) {
    if (!IsHealth(m.health)) return Err(EPROTO);
    s.components.push_back({m.name, static_cast<Health>(m.health)});
  }
  s.counters.reserve(t.counters.size());
  for (const thrift_v1::Counter& m : t.counters) {
    if (m.component < 0 || !IsSeverity(m.severity)) return Err(EPROTO);
    s.counters.push_back({static_cast<uint32_t>(m.component), static_cast<uint32_t>(m.severity),
                          ToU64(m.volatile_count), ToU64(m.aggregate_count)});
  }
  s.events.reserve(t.events.size());
  for (const thrift_v1::Event& m : t.events) {
    Result<Event> e = EventFromThrift(m);
    if (!e) return Errno{e.error()};
    s.events.push_back(std::move(*e));
  }
  s.events_dropped = ToU64(t.events_dropped);
  s.pages.reserve(t.pages.size());
  for (const thrift_v1::RetiredPage& m : t.pages) {
    if (!IsSeverity(m.cause) || !IsPageState(m.state)) return Err(EPROTO);
    s.pages.push_back({ToU64(m.address), static_cast<uint32_t>(m.cause),
                       static_cast<PageState>(m.state), ToU64(m.timestamp_ns)});
  }
  // Thrift strings are UTF-8 (readers in other languages decode them so) and Validate() says
  // -EILSEQ for text that is not; arriving on the wire, such text is malformed input.
  if (int rc = Validate(s); rc < 0) return Errno{rc == -EILSEQ ? -EINVAL : rc};
  return s;
}

// A protocol of that type over `buffer`, with the string and container limits set.
template <class Protocol>
std::shared_ptr<Protocol> MakeProtocol(std::shared_ptr<TMemoryBuffer> buffer);

template <>
std::shared_ptr<BinaryProtocol> MakeProtocol(std::shared_ptr<TMemoryBuffer> buffer) {
  // strict_read off: only a message header has a version for strictness to check, and a
  // payload is a bare struct.
  return std::make_shared<BinaryProtocol>(std::move(buffer), kMaxStringSize, kMaxContainerSize,
                                          /*strict_read=*/false, /*strict_write=*/true);
}

template <>
std::shared_ptr<CompactProtocol> MakeProtocol(std::shared_ptr<TMemoryBuffer> buffer) {
  return std::make_shared<CompactProtocol>(std::move(buffer), kMaxStringSize, kMaxContainerSize);
}

template <class Protocol>
Result<std::vector<uint8_t>> Encode(const Snapshot& s) {
  if (int rc = Validate(s); rc < 0) return Errno{rc};  // -EILSEQ: text that is not UTF-8
  try {
    const thrift_v1::RasSnapshot t = ToThrift(s);
    auto buffer = std::make_shared<TMemoryBuffer>();
    auto protocol = MakeProtocol<Protocol>(buffer);
    t.write(protocol.get());
    uint8_t* data = nullptr;
    uint32_t size = 0;
    buffer->getBuffer(&data, &size);
    if (size > kMaxEncodedSize) return Err(E2BIG);
    return std::vector<uint8_t>(data, data + size);
  } catch (const TException&) {
    return Err(EINVAL);
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
}

int ErrnoFor(const TProtocolException& e) {
  switch (e.getType()) {
    case TProtocolException::SIZE_LIMIT:
    case TProtocolException::DEPTH_LIMIT:
      return -E2BIG;
    default:
      return -EINVAL;  // negative sizes, unknown type codes, bad varints
  }
}

template <class Protocol>
Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  // A struct is at least its stop byte; and TMemoryBuffer does arithmetic on the pointer it
  // observes, which an empty span may leave null.
  if (bytes.empty()) return Err(EINVAL);
  std::shared_ptr<SchemaGuardProtocol> guard;
  try {
    const int size = static_cast<int>(bytes.size());
    auto config = std::make_shared<TConfiguration>(size, size, kRecursionLimit);
    // OBSERVE reads the caller's bytes in place and never writes through the pointer.
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(bytes.data()),
                                                  static_cast<uint32_t>(bytes.size()),
                                                  TMemoryBuffer::OBSERVE, config);
    guard = std::make_shared<SchemaGuardProtocol>(MakeProtocol<Protocol>(buffer), *buffer);
    thrift_v1::RasSnapshot t;
    t.read(guard.get());
    if (buffer->available_read() != 0) return Err(EINVAL);  // bytes after the struct
    return FromThrift(t);
  } catch (const TProtocolException& e) {
    return Errno{guard && guard->failure() ? guard->failure() : ErrnoFor(e)};
  } catch (const TException&) {
    return Err(EINVAL);  // TTransportException: the input ended inside the struct
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
}

const Codec kThriftBinaryCodec = {
    .format = ACCEL_RAS_FMT_THRIFT,
    .name = "thrift",
    .carries = kCarriesAll,
    .encode = Encode<BinaryProtocol>,
    .decode = Decode<BinaryProtocol>,
    .project = nullptr,
};

const Codec kThriftCompactCodec = {
    .format = ACCEL_RAS_FMT_THRIFT,
    .name = "thrift_compact",
    .carries = kCarriesAll,
    .encode = Encode<CompactProtocol>,
    .decode = Decode<CompactProtocol>,
    .project = nullptr,
};

}  // namespace

const Codec& ThriftCodec() {
  return kThriftBinaryCodec;
}

const Codec& ThriftCompactCodec() {
  return kThriftCompactCodec;
}

const Codec& ThriftCodecFor(ThriftProtocol protocol) {
  return protocol == ThriftProtocol::kCompact ? kThriftCompactCodec : kThriftBinaryCodec;
}

}  // namespace accel::ras
