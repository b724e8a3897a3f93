// thrift_codec_test.cc - the THRIFT codecs (binary and compact): round trips, an independent
// reader of both protocols checking our bytes, and hostile input.
#include "ras/codecs/thrift/thrift_codec.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <string>

#include "accel/ras/thrift_v1/ras_types.h"
#include "heap_meter.h"
#include "sample_snapshot.h"
#include "thrift_wire_reader.h"

namespace accel::ras {
namespace {

using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TType;
using apache::thrift::transport::TMemoryBuffer;
using Bytes = std::vector<uint8_t>;
using testing::MakeSampleSnapshot;
using testing::SampleShape;
using testing::WireProtocol;
using testing::WireValue;

// Values at the edges of every field: u64 maxima (negative i64 on the wire), u32 maxima, an
// address of 0 (present, not absent), the longest message and blob the model allows.
Snapshot EdgeSnapshot() {
  Snapshot s;
  s.device = {"accel255", "drv", std::string(kMaxNameLen, 's'), "0000:ff:1f.7", UINT32_MAX};
  s.timestamp_ns = UINT64_MAX;
  s.components = {{"hbm0", Health::kFailed}, {"", Health::kOk}};
  s.counters = {{0, 0, UINT64_MAX, UINT64_MAX}, {1, kSeverityCount - 1, 0, 1ULL << 63}};
  Event e;
  e.seqno = UINT64_MAX;
  e.component = 1;
  e.severity = 3;
  e.code = UINT32_MAX;
  e.count = UINT32_MAX;
  e.address = 0;
  e.message = std::string(kMaxMessageLen, 'm');
  e.raw.assign(kMaxRawLen, 0xa5);
  s.events = {e, Event{}};
  s.events_dropped = UINT64_MAX;
  s.pages = {{0, 4, PageState::kRetired, 1}, {UINT64_MAX, 0, PageState::kPending, 0}};
  return s;
}

class ThriftCodecTest : public ::testing::TestWithParam<ThriftProtocol> {
 protected:
  const Codec& codec() const { return ThriftCodecFor(GetParam()); }
  WireProtocol wire() const {
    return GetParam() == ThriftProtocol::kCompact ? WireProtocol::kCompact : WireProtocol::kBinary;
  }

  Bytes Encode(const Snapshot& s) const {
    Result<Bytes> bytes = codec().encode(s);
    EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? 0 : bytes.error());
    return bytes.ok() ? *bytes : Bytes{};
  }

  int DecodeError(const Bytes& bytes) const {
    Result<Snapshot> s = codec().decode(bytes);
    return s.ok() ? 0 : s.error();
  }

  // Bytes written by libthrift's own protocol of the codec's kind: inputs our encoder would
  // never produce, well formed at the protocol level.
  Bytes Write(const std::function<void(TProtocol&)>& body) const {
    auto buffer = std::make_shared<TMemoryBuffer>();
    std::unique_ptr<TProtocol> protocol;
    if (GetParam() == ThriftProtocol::kCompact)
      protocol = std::make_unique<apache::thrift::protocol::TCompactProtocol>(buffer);
    else
      protocol = std::make_unique<apache::thrift::protocol::TBinaryProtocol>(buffer);
    body(*protocol);
    const std::string bytes = buffer->getBufferAsString();
    return Bytes(bytes.begin(), bytes.end());
  }

  Bytes Write(const thrift_v1::RasSnapshot& t) const {
    return Write([&](TProtocol& p) { t.write(&p); });
  }

  // A struct whose only field has the given id and type, its value written by `value`.
  Bytes WriteOneField(int16_t id, TType type, const std::function<void(TProtocol&)>& value) const {
    return Write([&](TProtocol& p) {
      p.writeStructBegin("RasSnapshot");
      p.writeFieldBegin("f", type, id);
      value(p);
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
    });
  }
};

std::string ProtocolName(const ::testing::TestParamInfo<ThriftProtocol>& info) {
  return info.param == ThriftProtocol::kCompact ? "Compact" : "Binary";
}

INSTANTIATE_TEST_SUITE_P(Protocols, ThriftCodecTest,
                         ::testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         ProtocolName);

TEST(ThriftCodec, TableEntries) {
  EXPECT_EQ(&ThriftCodecFor(ThriftProtocol::kBinary), &ThriftCodec());
  EXPECT_EQ(&ThriftCodecFor(ThriftProtocol::kCompact), &ThriftCompactCodec());
  EXPECT_STREQ(ThriftCodec().name, "thrift");
  EXPECT_STREQ(ThriftCompactCodec().name, "thrift_compact");
  for (const Codec* c : {&ThriftCodec(), &ThriftCompactCodec()}) {
    EXPECT_EQ(c->format, uint32_t{ACCEL_RAS_FMT_THRIFT});
    EXPECT_EQ(c->carries, uint32_t{kCarriesAll});
    EXPECT_EQ(c->project, nullptr);
  }
}

TEST(ThriftCodec, CompactIsSmallerThanBinary) {
  const Snapshot s = MakeSampleSnapshot({.components = 64, .events = 1000, .pages = 200});
  Result<Bytes> binary = ThriftCodec().encode(s);
  Result<Bytes> compact = ThriftCompactCodec().encode(s);
  ASSERT_TRUE(binary.ok() && compact.ok());
  EXPECT_LT(compact->size(), binary->size() * 3 / 4);
  // The two are not interchangeable: each decoder refuses the other's bytes.
  EXPECT_FALSE(ThriftCodec().decode(*compact).ok());
  EXPECT_FALSE(ThriftCompactCodec().decode(*binary).ok());
}

TEST_P(ThriftCodecTest, RoundTripsSampleShapes) {
  const SampleShape shapes[] = {
      {.components = 0, .events = 0, .pages = 0},
      {.components = 1, .events = 3, .pages = 1},
      {.components = 5},
      {.components = 5, .seed = 7, .big_counts = false, .raw_blobs = false},
      {.components = 64, .events = 1000, .pages = 200, .seed = 3},
  };
  for (const SampleShape& shape : shapes) {
    const Snapshot s = MakeSampleSnapshot(shape);
    Result<Snapshot> back = codec().decode(Encode(s));
    ASSERT_TRUE(back.ok()) << shape.components << " components: " << back.error();
    EXPECT_EQ(*back, s) << shape.components << " components";
  }
}

TEST_P(ThriftCodecTest, RoundTripsEdgeValues) {
  const Snapshot s = EdgeSnapshot();
  ASSERT_EQ(Validate(s), 0);
  Result<Snapshot> back = codec().decode(Encode(s));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->events[0].address, std::optional<uint64_t>(0));
  EXPECT_EQ(back->events[1].address, std::nullopt);
}

// The independent reader walks the whole payload and finds the model's values where
// ras.thrift puts them.
TEST_P(ThriftCodecTest, IndependentReaderSeesTheSnapshot) {
  const Snapshot s = MakeSampleSnapshot({.components = 5, .events = 12, .pages = 4});
  const Bytes bytes = Encode(s);
  std::optional<WireValue> root = testing::ReadThriftStruct(bytes, wire());
  ASSERT_TRUE(root.has_value()) << "not one struct in this protocol";

  ASSERT_NE(root->Find({1, 1}), nullptr);
  EXPECT_EQ(root->Find({1, 1})->bytes, "accel3");
  EXPECT_EQ(root->Find({1, 2})->bytes, "dummy");
  EXPECT_EQ(root->Find({1, 3})->bytes, "DUMMY-0003");
  EXPECT_EQ(root->Find({1, 4})->bytes, "platform:dummy.3");
  EXPECT_EQ(root->Find({1, 5})->type, testing::kWireI64);
  EXPECT_EQ(root->Find({1, 5})->integer, 3);
  EXPECT_EQ(static_cast<uint64_t>(root->Find({2})->integer), s.timestamp_ns);
  EXPECT_EQ(static_cast<uint64_t>(root->Find({6})->integer), s.events_dropped);

  const WireValue* components = root->Find({3});
  ASSERT_NE(components, nullptr);
  EXPECT_EQ(components->element_type, testing::kWireStruct);
  ASSERT_EQ(components->elements.size(), s.components.size());
  for (size_t i = 0; i < s.components.size(); ++i) {
    EXPECT_EQ(components->elements[i].Find({1})->bytes, s.components[i].name);
    EXPECT_EQ(components->elements[i].Find({2})->integer,
              static_cast<int64_t>(s.components[i].health));
  }

  const WireValue* counters = root->Find({4});
  ASSERT_NE(counters, nullptr);
  ASSERT_EQ(counters->elements.size(), s.counters.size());
  size_t big = 0;
  for (size_t i = 0; i < s.counters.size(); ++i) {
    const WireValue& c = counters->elements[i];
    EXPECT_EQ(c.Find({1})->integer, s.counters[i].component);
    EXPECT_EQ(c.Find({2})->integer, s.counters[i].severity);
    EXPECT_EQ(static_cast<uint64_t>(c.Find({3})->integer), s.counters[i].volatile_count);
    EXPECT_EQ(static_cast<uint64_t>(c.Find({4})->integer), s.counters[i].aggregate_count);
    big += s.counters[i].aggregate_count > UINT32_MAX;
  }
  EXPECT_GT(big, 0u) << "the sample has counters above 2^32";

  const WireValue* events = root->Find({5});
  ASSERT_NE(events, nullptr);
  ASSERT_EQ(events->elements.size(), s.events.size());
  for (size_t i = 0; i < s.events.size(); ++i) {
    const WireValue& e = events->elements[i];
    const Event& want = s.events[i];
    EXPECT_EQ(static_cast<uint64_t>(e.Find({1})->integer), want.seqno);
    EXPECT_EQ(e.Find({5})->integer, want.code);
    EXPECT_EQ(e.Find({6})->integer, want.count);
    // An event without an address has no field 7 at all (`optional`).
    ASSERT_EQ(e.Find({7}) != nullptr, want.address.has_value()) << i;
    if (want.address) {
      EXPECT_EQ(static_cast<uint64_t>(e.Find({7})->integer), *want.address);
    }
    EXPECT_EQ(e.Find({8})->bytes, want.message);
    EXPECT_EQ(e.Find({9})->bytes, std::string(want.raw.begin(), want.raw.end()));
  }

  const WireValue* pages = root->Find({7});
  ASSERT_NE(pages, nullptr);
  ASSERT_EQ(pages->elements.size(), s.pages.size());
  for (size_t i = 0; i < s.pages.size(); ++i)
    EXPECT_EQ(static_cast<uint64_t>(pages->elements[i].Find({1})->integer), s.pages[i].address);
}

// u64 values above 2^63 travel as negative i64 with the same bits.
TEST_P(ThriftCodecTest, IndependentReaderSeesU64AsTheSameBits) {
  const Bytes bytes = Encode(EdgeSnapshot());
  std::optional<WireValue> root = testing::ReadThriftStruct(bytes, wire());
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->Find({2})->integer, -1);
  EXPECT_EQ(root->Find({1, 5})->integer, int64_t{UINT32_MAX});
  EXPECT_EQ(root->Find({4})->elements[1].Find({4})->integer, INT64_MIN);
  EXPECT_EQ(root->Find({5})->elements[0].Find({7})->integer, 0);
  EXPECT_EQ(root->Find({5})->elements[0].Find({9})->bytes.size(), kMaxRawLen);
}

// A payload must be exactly one struct: every proper prefix lacks its final stop byte.
TEST_P(ThriftCodecTest, TruncationsFail) {
  const Bytes bytes = Encode(MakeSampleSnapshot());
  for (size_t len = 0; len < bytes.size(); ++len) {
    Result<Snapshot> s = codec().decode(std::span(bytes.data(), len));
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_TRUE(s.error() == -EINVAL || s.error() == -E2BIG || s.error() == -EPROTO)
        << len << ": " << s.error();
  }
}

TEST_P(ThriftCodecTest, TrailingBytesAreEinval) {
  Bytes bytes = Encode(MakeSampleSnapshot());
  bytes.push_back(0);
  EXPECT_EQ(DecodeError(bytes), -EINVAL);
}

TEST_P(ThriftCodecTest, OversizedPayloadIsE2big) {
  EXPECT_EQ(DecodeError(Bytes(kMaxEncodedSize + 1, 0)), -E2BIG);
}

TEST_P(ThriftCodecTest, KnownFieldWithWrongTypeIsEproto) {
  using enum apache::thrift::protocol::TType;
  // RasSnapshot.device (a struct) as an i32.
  EXPECT_EQ(DecodeError(WriteOneField(1, T_I32, [](TProtocol& p) { p.writeI32(5); })), -EPROTO);
  // RasSnapshot.timestamp_ns (an i64) as a string.
  EXPECT_EQ(DecodeError(WriteOneField(2, T_STRING, [](TProtocol& p) { p.writeString("x"); })),
            -EPROTO);
  // RasSnapshot.components: a list of i32 instead of a list of structs.
  EXPECT_EQ(DecodeError(WriteOneField(3, T_LIST,
                                      [](TProtocol& p) {
                                        p.writeListBegin(T_I32, 2);
                                        p.writeI32(1);
                                        p.writeI32(2);
                                        p.writeListEnd();
                                      })),
            -EPROTO);
  // Component.health (an i32) as an i64, inside the list.
  EXPECT_EQ(DecodeError(WriteOneField(3, T_LIST,
                                      [](TProtocol& p) {
                                        p.writeListBegin(T_STRUCT, 1);
                                        p.writeStructBegin("Component");
                                        p.writeFieldBegin("health", T_I64, 2);
                                        p.writeI64(1);
                                        p.writeFieldEnd();
                                        p.writeFieldStop();
                                        p.writeStructEnd();
                                        p.writeListEnd();
                                      })),
            -EPROTO);
}

TEST_P(ThriftCodecTest, UnknownFieldIdsAreSkipped) {
  const Snapshot s = MakeSampleSnapshot({.components = 2, .events = 2, .pages = 1});
  Result<Bytes> base = codec().encode(s);
  ASSERT_TRUE(base.ok());
  // Re-read our own bytes with libthrift and write them back with unknown fields around.
  thrift_v1::RasSnapshot t;
  {
    auto in = std::make_shared<TMemoryBuffer>(base->data(), static_cast<uint32_t>(base->size()));
    std::unique_ptr<TProtocol> p;
    if (GetParam() == ThriftProtocol::kCompact)
      p = std::make_unique<apache::thrift::protocol::TCompactProtocol>(in);
    else
      p = std::make_unique<apache::thrift::protocol::TBinaryProtocol>(in);
    t.read(p.get());
  }
  const Bytes with_unknown = Write([&](TProtocol& p) {
    using enum apache::thrift::protocol::TType;
    p.writeStructBegin("RasSnapshot");
    p.writeFieldBegin("future", T_LIST, 100);  // a list of structs nobody here knows
    p.writeListBegin(T_STRUCT, 2);
    for (int i = 0; i < 2; ++i) {
      p.writeStructBegin("Future");
      p.writeFieldBegin("x", T_MAP, 1);
      p.writeMapBegin(T_STRING, T_I64, 1);
      p.writeString("k");
      p.writeI64(i);
      p.writeMapEnd();
      p.writeFieldEnd();
      p.writeFieldStop();
      p.writeStructEnd();
    }
    p.writeListEnd();
    p.writeFieldEnd();
    p.writeFieldBegin("device", T_STRUCT, 1);
    t.device.write(&p);
    p.writeFieldEnd();
    p.writeFieldBegin("components", T_LIST, 3);
    p.writeListBegin(T_STRUCT, static_cast<uint32_t>(t.components.size()));
    for (const auto& c : t.components) c.write(&p);
    p.writeListEnd();
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
  });
  Result<Snapshot> back = codec().decode(with_unknown);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->device, s.device);
  EXPECT_EQ(back->components, s.components);
}

TEST_P(ThriftCodecTest, ValuesOutsideTheModelAreEproto) {
  auto base = [] {
    thrift_v1::RasSnapshot t;
    t.components.emplace_back().name = "hbm0";
    return t;
  };
  thrift_v1::RasSnapshot health = base();
  health.components[0].health = 3;
  EXPECT_EQ(DecodeError(Write(health)), -EPROTO);
  thrift_v1::RasSnapshot severity = base();
  severity.counters.emplace_back().severity = kSeverityCount;
  EXPECT_EQ(DecodeError(Write(severity)), -EPROTO);
  thrift_v1::RasSnapshot component = base();
  component.counters.emplace_back().component = -1;
  EXPECT_EQ(DecodeError(Write(component)), -EPROTO);
  thrift_v1::RasSnapshot code = base();
  code.events.emplace_back().code = int64_t{UINT32_MAX} + 1;
  EXPECT_EQ(DecodeError(Write(code)), -EPROTO);
  thrift_v1::RasSnapshot count = base();
  count.events.emplace_back().count = -1;
  EXPECT_EQ(DecodeError(Write(count)), -EPROTO);
  thrift_v1::RasSnapshot minor = base();
  minor.device.minor = -1;
  EXPECT_EQ(DecodeError(Write(minor)), -EPROTO);
  thrift_v1::RasSnapshot state = base();
  state.pages.emplace_back().state = 2;
  EXPECT_EQ(DecodeError(Write(state)), -EPROTO);
}

TEST_P(ThriftCodecTest, ModelViolationsFailValidate) {
  thrift_v1::RasSnapshot index;  // a counter naming a component that does not exist
  index.components.emplace_back().name = "hbm0";
  index.counters.emplace_back().component = 1;
  EXPECT_EQ(DecodeError(Write(index)), -EINVAL);
  thrift_v1::RasSnapshot name;
  name.device.name.assign(kMaxNameLen + 1, 'n');
  EXPECT_EQ(DecodeError(Write(name)), -EINVAL);
  thrift_v1::RasSnapshot message;
  message.components.emplace_back();
  message.events.emplace_back().message.assign(kMaxMessageLen + 1, 'm');
  EXPECT_EQ(DecodeError(Write(message)), -E2BIG);
  thrift_v1::RasSnapshot unsorted;
  unsorted.pages.emplace_back().address = 8192;
  unsorted.pages.emplace_back().address = 4096;
  EXPECT_EQ(DecodeError(Write(unsorted)), -EINVAL);
}

TEST_P(ThriftCodecTest, NonUtf8Text) {
  thrift_v1::RasSnapshot t;
  t.device.name = "\xff";
  EXPECT_EQ(DecodeError(Write(t)), -EINVAL);
  Snapshot s = MakeSampleSnapshot();
  s.components[0].name = "bad \xc3\x28";
  Result<Bytes> bytes = codec().encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EILSEQ);
}

TEST_P(ThriftCodecTest, EncodeRefusesAnInvalidSnapshot) {
  Snapshot s = MakeSampleSnapshot();
  s.events[0].component = 99;
  Result<Bytes> bytes = codec().encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EINVAL);
}

// One element past each list's bound, each element an empty struct (one stop byte): refused
// at the list's header, before libthrift sizes a vector by it.
TEST_P(ThriftCodecTest, ListsOverTheirBoundsAreE2big) {
  using enum apache::thrift::protocol::TType;
  const std::pair<int16_t, uint32_t> cases[] = {
      {3, kMaxComponents + 1},
      {4, kMaxComponents * kSeverityCount + 1},
      {5, kMaxEvents + 1},
      {7, kMaxPages + 1},
  };
  for (const auto& c : cases) {
    const int16_t id = c.first;
    const uint32_t count = c.second;
    const Bytes bytes = WriteOneField(id, T_LIST, [count](TProtocol& p) {
      p.writeListBegin(T_STRUCT, count);
      for (uint32_t i = 0; i < count; ++i) {
        p.writeStructBegin("");
        p.writeFieldStop();
        p.writeStructEnd();
      }
      p.writeListEnd();
    });
    testing::HeapMeter meter;
    EXPECT_EQ(DecodeError(bytes), -E2BIG) << id;
    EXPECT_LT(meter.peak(), bytes.size() + 4096) << id << ": bytes allocated while decoding";
  }
}

// A list header declaring the model's maximum of events, then nothing: refused before
// libthrift sizes a vector of 4096 Events (over half a megabyte) for it.
TEST_P(ThriftCodecTest, ListCountsBeyondTheInputAllocateLittle) {
  using enum apache::thrift::protocol::TType;
  for (int16_t id : {int16_t{5}, int16_t{7}, int16_t{100}}) {
    const uint32_t count = id == 7 ? kMaxPages : kMaxEvents;
    const Bytes bytes = WriteOneField(id, T_LIST, [count](TProtocol& p) {
      p.writeListBegin(T_STRUCT, count);
      p.writeFieldStop();
    });
    testing::HeapMeter meter;
    EXPECT_EQ(DecodeError(bytes), -EINVAL) << id;
    EXPECT_LT(meter.peak(), 16u * 1024) << id << ": bytes allocated while decoding";
  }
}

TEST_P(ThriftCodecTest, HugeDeclaredLengthsAreRefused) {
  using enum apache::thrift::protocol::TType;
  // A device name declared 2^31-1 bytes long: over the protocol's string limit.
  Bytes name = Write([](TProtocol& p) {
    p.writeStructBegin("RasSnapshot");
    p.writeFieldBegin("device", T_STRUCT, 1);
    p.writeStructBegin("DeviceIdentity");
    p.writeFieldBegin("name", T_STRING, 1);
  });
  if (GetParam() == ThriftProtocol::kCompact)
    name.insert(name.end(), {0xff, 0xff, 0xff, 0xff, 0x07, 'a'});
  else
    name.insert(name.end(), {0x7f, 0xff, 0xff, 0xff, 'a'});
  EXPECT_EQ(DecodeError(name), -E2BIG);
  // A raw blob one byte over its bound.
  thrift_v1::RasSnapshot raw;
  raw.components.emplace_back();
  raw.events.emplace_back().raw.assign(kMaxRawLen + 1, 'r');
  EXPECT_EQ(DecodeError(Write(raw)), -E2BIG);
  // A map of a billion entries inside an unknown field.
  EXPECT_EQ(DecodeError(WriteOneField(
                9, T_MAP, [](TProtocol& p) { p.writeMapBegin(T_I32, T_I32, 1u << 30); })),
            -E2BIG);
}

TEST_P(ThriftCodecTest, DeepNestingIsE2big) {
  using enum apache::thrift::protocol::TType;
  const Bytes bytes = Write([](TProtocol& p) {
    constexpr int kDepth = 40;  // unknown structs inside unknown structs
    for (int i = 0; i < kDepth; ++i) {
      p.writeStructBegin("");
      p.writeFieldBegin("", T_STRUCT, 50);
    }
    p.writeStructBegin("");
    for (int i = 0; i <= kDepth; ++i) {
      p.writeFieldStop();
      p.writeStructEnd();
      if (i < kDepth) p.writeFieldEnd();
    }
  });
  EXPECT_EQ(DecodeError(bytes), -E2BIG);
}

// Type bytes no Thrift type has (negative ones included, which the stock binary reader would
// cast to TType unchecked) in field, list and map headers.
TEST_P(ThriftCodecTest, UnknownTypeIdsAreEinval) {
  using enum apache::thrift::protocol::TType;
  if (GetParam() == ThriftProtocol::kBinary) {
    EXPECT_EQ(DecodeError({0xa7, 0x00, 0x01, 0x00}), -EINVAL);
    EXPECT_EQ(DecodeError({0x01, 0x00, 0x01, 0x00}), -EINVAL);  // T_VOID
    EXPECT_EQ(DecodeError({0x0f, 0x00, 0x03, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00}), -EINVAL);
    EXPECT_EQ(DecodeError({0x0d, 0x00, 0x09, 0x08, 0x81, 0x00, 0x00, 0x00, 0x00, 0x00}), -EINVAL);
  } else {
    EXPECT_EQ(DecodeError({0x1d, 0x00}), -EINVAL);        // compact type 13
    EXPECT_EQ(DecodeError({0x39, 0x1f, 0x00}), -EINVAL);  // a list of type 15
  }
}

TEST_P(ThriftCodecTest, GarbageIsEinval) {
  EXPECT_EQ(DecodeError({}), -EINVAL);
  EXPECT_EQ(DecodeError({0xff}), -EINVAL);
  EXPECT_EQ(DecodeError({0x0c}), -EINVAL);        // a struct field header cut short in both
  EXPECT_EQ(DecodeError({0x00, 0x00}), -EINVAL);  // an empty struct and a stray byte
}

}  // namespace
}  // namespace accel::ras
