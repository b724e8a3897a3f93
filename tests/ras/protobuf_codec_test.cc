// protobuf_codec_test.cc - the PROTOBUF codec: round trips, protoc as an independent reader
// and writer of our bytes, and hostile input.
#include "ras/codecs/protobuf/protobuf_codec.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "accel/ras/v1/ras.pb.h"
#include "heap_meter.h"
#include "ras/codecs/protobuf/ras_proto_convert.h"
#include "ras/codecs/utf8.h"
#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using Bytes = std::vector<uint8_t>;
using testing::MakeSampleSnapshot;
using testing::SampleShape;

Bytes Encode(const Snapshot& s) {
  Result<Bytes> bytes = ProtobufCodec().encode(s);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? 0 : bytes.error());
  return bytes.ok() ? *bytes : Bytes{};
}

int DecodeError(const Bytes& bytes) {
  Result<Snapshot> s = ProtobufCodec().decode(bytes);
  return s.ok() ? 0 : s.error();
}

Bytes Serialize(const v1::RasSnapshot& msg) {
  std::string out;
  EXPECT_TRUE(msg.SerializeToString(&out));
  return Bytes(out.begin(), out.end());
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A file in the test's temporary directory, removed when the test ends.
class TempFile {
 public:
  TempFile() {
    const char* dir = getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/ras_protobuf_XXXXXX";
    const int fd = mkstemp(path_.data());
    EXPECT_GE(fd, 0);
    if (fd >= 0) close(fd);
  }
  ~TempFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const void* data, size_t size) {
  std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), size);
}

// Runs `protoc --<mode>=accel.ras.v1.RasSnapshot` with `input` on its stdin; returns stdout.
std::string RunProtoc(const std::string& mode, const std::string& input) {
  TempFile in;
  WriteFile(in.path(), input.data(), input.size());
  const std::string cmd = std::string("'") + ACCEL_PROTOC + "' --" + mode +
                          "=accel.ras.v1.RasSnapshot --proto_path='" + ACCEL_PROTO_DIR +
                          "' accel/ras/v1/ras.proto < '" + in.path() + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    ADD_FAILURE() << "popen: " << cmd;
    return {};
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  const int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd << " -> " << status;
  return out;
}

// Values at the edges of every field: u64 maxima, an address of 0 (present, not absent), the
// longest message and blob the model allows.
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

TEST(ProtobufCodec, TableEntry) {
  const Codec& c = ProtobufCodec();
  EXPECT_EQ(c.format, uint32_t{ACCEL_RAS_FMT_PROTOBUF});
  EXPECT_STREQ(c.name, "protobuf");
  EXPECT_EQ(c.carries, uint32_t{kCarriesAll});
  EXPECT_EQ(c.project, nullptr);
}

TEST(ProtobufCodec, RoundTripsSampleShapes) {
  const SampleShape shapes[] = {
      {.components = 0, .events = 0, .pages = 0},
      {.components = 1, .events = 3, .pages = 1},
      {.components = 5},
      {.components = 5, .seed = 7, .big_counts = false, .raw_blobs = false},
      {.components = 64, .events = 1000, .pages = 200, .seed = 3},
  };
  for (const SampleShape& shape : shapes) {
    const Snapshot s = MakeSampleSnapshot(shape);
    Result<Snapshot> back = ProtobufCodec().decode(Encode(s));
    ASSERT_TRUE(back.ok()) << shape.components << " components: " << back.error();
    EXPECT_EQ(*back, s) << shape.components << " components";
  }
}

TEST(ProtobufCodec, RoundTripsEdgeValues) {
  const Snapshot s = EdgeSnapshot();
  ASSERT_EQ(Validate(s), 0);
  Result<Snapshot> back = ProtobufCodec().decode(Encode(s));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->events[0].address, std::optional<uint64_t>(0));
  EXPECT_EQ(back->events[1].address, std::nullopt);
}

TEST(ProtobufCodec, EmptyPayloadIsTheEmptySnapshot) {
  Result<Snapshot> s = ProtobufCodec().decode({});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(*s, Snapshot{});
}

TEST(ProtobufCodec, ConvertsMessagesForTheService) {
  const Snapshot s = MakeSampleSnapshot();
  v1::RasSnapshot msg;
  msg.set_events_dropped(12345);  // cleared by the conversion
  ASSERT_TRUE(SnapshotToProto(s, &msg).ok());
  EXPECT_EQ(msg.device().name(), "accel3");
  EXPECT_EQ(msg.components_size(), 5);
  EXPECT_EQ(msg.events_dropped(), s.events_dropped);
  Result<Snapshot> back = SnapshotFromProto(msg);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

// The pieces the gRPC service sends alone: text that is not UTF-8 is repaired, not refused
// (SnapshotToProto refuses it instead, see NonUtf8Text), and an event read back is bounded.
TEST(ProtobufCodec, ConvertsIdentitiesAndEventsWithValidUtf8) {
  v1::DeviceIdentity id;
  IdentityToProto(DeviceIdentity{"accel\xff", "vnpu", "SN\xc0\xaf", "pci", 3}, &id);
  EXPECT_EQ(id.name(), "accel?");
  EXPECT_EQ(id.serial(), "SN??");
  EXPECT_EQ(IdentityFromProto(id).minor, 3u);

  Event e;
  e.severity = 1;
  e.message = "cut \xe2\x82";
  e.raw = {0xff, 0x00};  // bytes, not text: kept as they are
  v1::Event m;
  EventToProto(e, &m);
  EXPECT_EQ(m.message(), "cut ??");
  EXPECT_EQ(m.raw(), std::string("\xff\0", 2));
  Result<Event> back = EventFromProto(m);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->message, "cut ??");
  EXPECT_EQ(back->raw, e.raw);

  m.set_message(std::string(kMaxMessageLen + 1, 'x'));
  EXPECT_EQ(EventFromProto(m).error(), -E2BIG);
  m.set_message("");
  m.set_severity(static_cast<v1::Severity>(kSeverityCount));
  EXPECT_EQ(EventFromProto(m).error(), -EPROTO);
}

// protoc parses our bytes with nothing but ras.proto and prints them as text.
TEST(ProtobufCodec, ProtocDecodesOurBytes) {
  const Snapshot s = MakeSampleSnapshot({.components = 5, .events = 12, .pages = 4});
  const Bytes bytes = Encode(s);
  const std::string text = RunProtoc("decode", std::string(bytes.begin(), bytes.end()));
  EXPECT_NE(text.find("name: \"accel3\""), std::string::npos) << text;
  EXPECT_NE(text.find("serial: \"DUMMY-0003\""), std::string::npos);
  EXPECT_NE(text.find("bus: \"platform:dummy.3\""), std::string::npos);
  EXPECT_NE(text.find("minor: 3\n"), std::string::npos);
  EXPECT_NE(text.find("timestamp_ns: " + std::to_string(s.timestamp_ns) + "\n"), std::string::npos);
  EXPECT_NE(text.find("name: \"compute\""), std::string::npos);
  EXPECT_EQ(Occurrences(text, "components {"), s.components.size());
  EXPECT_EQ(Occurrences(text, "counters {"), s.counters.size());
  EXPECT_EQ(Occurrences(text, "events {"), s.events.size());
  EXPECT_EQ(Occurrences(text, "pages {"), s.pages.size());
  EXPECT_NE(text.find("events_dropped: 7\n"), std::string::npos);

  size_t big = 0;
  for (const Counter& c : s.counters) {
    if (c.aggregate_count <= UINT32_MAX) continue;
    ++big;
    EXPECT_NE(text.find("aggregate_count: " + std::to_string(c.aggregate_count) + "\n"),
              std::string::npos)
        << c.aggregate_count;
  }
  EXPECT_GT(big, 0u) << "the sample has counters above 2^32";

  // proto3 prints no default values: each non-OK health is printed by name, OK never is.
  size_t warning = 0, failed = 0;
  for (const Component& c : s.components) {
    warning += c.health == Health::kWarning;
    failed += c.health == Health::kFailed;
  }
  EXPECT_EQ(Occurrences(text, "health: HEALTH_WARNING"), warning);
  EXPECT_EQ(Occurrences(text, "health: HEALTH_FAILED"), failed);
  EXPECT_EQ(Occurrences(text, "HEALTH_OK"), 0u);

  // An event without an address has no address field at all (proto3 `optional`).
  size_t addresses = s.pages.size();
  for (const Event& e : s.events) {
    if (!e.address) continue;
    ++addresses;
    EXPECT_NE(text.find("address: " + std::to_string(*e.address) + "\n"), std::string::npos);
  }
  EXPECT_EQ(Occurrences(text, "address: "), addresses);
}

// protoc writes a message from text; we decode it to exactly what the text says.
TEST(ProtobufCodec, DecodesProtocsBytes) {
  const std::string text = R"(
    device { name: "gpu7" driver: "vendor" serial: "SN-1" bus: "0000:03:00.0" minor: 7 }
    timestamp_ns: 1764000000123456789
    components { name: "hbm0" health: HEALTH_WARNING }
    components { name: "pcie" }
    counters { component: 0 severity: SEVERITY_CORRECTED volatile_count: 5
               aggregate_count: 12884901888 }
    counters { component: 1 severity: SEVERITY_FATAL volatile_count: 1
               aggregate_count: 18446744073709551615 }
    events { seqno: 1 timestamp_ns: 2 component: 0 severity: SEVERITY_CORRECTED
             code: 4294967295 count: 3 address: 0 message: "x\302\265" raw: "\001\002" }
    events { seqno: 2 component: 1 severity: SEVERITY_FATAL }
    events_dropped: 9
    pages { address: 4096 cause: SEVERITY_UNCORRECTED state: PAGE_STATE_RETIRED timestamp_ns: 5 }
  )";
  const std::string bytes = RunProtoc("encode", text);
  Result<Snapshot> got = ProtobufCodec().decode(Bytes(bytes.begin(), bytes.end()));
  ASSERT_TRUE(got.ok()) << got.error();

  Snapshot want;
  want.device = {"gpu7", "vendor", "SN-1", "0000:03:00.0", 7};
  want.timestamp_ns = 1764000000123456789ULL;
  want.components = {{"hbm0", Health::kWarning}, {"pcie", Health::kOk}};
  want.counters = {{0, 0, 5, 12884901888ULL}, {1, 3, 1, UINT64_MAX}};
  Event e1;
  e1.seqno = 1;
  e1.timestamp_ns = 2;
  e1.code = UINT32_MAX;
  e1.count = 3;
  e1.address = 0;
  e1.message = "x\xc2\xb5";
  e1.raw = {1, 2};
  Event e2;
  e2.seqno = 2;
  e2.component = 1;
  e2.severity = 3;
  e2.count = 0;  // absent in the text: proto3's default, not the model's 1
  want.events = {e1, e2};
  want.events_dropped = 9;
  want.pages = {{4096, 2, PageState::kRetired, 5}};
  EXPECT_EQ(*got, want);
}

// Every prefix of a valid payload either fails cleanly or is a valid Snapshot.
TEST(ProtobufCodec, TruncationsFailCleanlyOrValidate) {
  const Bytes bytes = Encode(MakeSampleSnapshot());
  size_t decoded = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    Result<Snapshot> s = ProtobufCodec().decode(std::span(bytes.data(), len));
    if (s.ok()) {
      ++decoded;
      EXPECT_EQ(Validate(*s), 0) << len;
    } else {
      EXPECT_TRUE(s.error() == -EINVAL || s.error() == -EPROTO || s.error() == -E2BIG)
          << len << ": " << s.error();
    }
  }
  // Cuts between top-level fields are valid shorter snapshots; cuts inside a field are not.
  EXPECT_GT(decoded, 0u);
  EXPECT_LT(decoded, bytes.size());
}

TEST(ProtobufCodec, KnownFieldWithWrongWireTypeIsEproto) {
  Bytes base = Encode(MakeSampleSnapshot({.components = 1, .events = 1, .pages = 0}));
  // device (field 1, a message) sent as a varint.
  Bytes device_varint = base;
  device_varint.insert(device_varint.end(), {0x08, 0x05});
  EXPECT_EQ(DecodeError(device_varint), -EPROTO);
  // components (field 3) sent as a fixed32.
  Bytes components_fixed32 = base;
  components_fixed32.insert(components_fixed32.end(), {0x1d, 1, 2, 3, 4});
  EXPECT_EQ(DecodeError(components_fixed32), -EPROTO);
  // Inside a component: health (field 2, an enum) sent as a string.
  EXPECT_EQ(DecodeError({0x1a, 0x03, 0x12, 0x01, 'x'}), -EPROTO);
  // Inside an event: address (field 7, u64) sent as a fixed64.
  EXPECT_EQ(DecodeError({0x1a, 0x00, 0x2a, 0x09, 0x39, 1, 2, 3, 4, 5, 6, 7, 8}), -EPROTO);
}

// proto2 groups: no accel schema has one, so one is a different schema, not a newer one.
TEST(ProtobufCodec, GroupsAreEproto) {
  EXPECT_EQ(DecodeError({0xa3, 0x06, 0xa4, 0x06}), -EPROTO);  // field 100, an empty group
  EXPECT_EQ(DecodeError({0x1a, 0x02, 0x1b, 0x1c}), -EPROTO);  // inside a component
}

// What a newer acceld would send: a field this schema lacks, in every event.
TEST(ProtobufCodec, NewerSchemasFieldsAreSkippedEverywhere) {
  const Snapshot s = MakeSampleSnapshot({.components = 8, .events = 1000, .pages = 10});
  v1::RasSnapshot msg;
  ASSERT_TRUE(SnapshotToProto(s, &msg).ok());
  for (v1::Event& e : *msg.mutable_events())
    e.GetReflection()->MutableUnknownFields(&e)->AddLengthDelimited(20, "firmware rev 7");
  Result<Snapshot> back = ProtobufCodec().decode(Serialize(msg));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

TEST(ProtobufCodec, UnknownFieldNumbersAreSkipped) {
  const Snapshot s = MakeSampleSnapshot({.components = 2, .events = 2, .pages = 1});
  Bytes bytes = Encode(s);
  bytes.insert(bytes.end(), {0xa0, 0x06, 0x2a});              // field 100, varint
  bytes.insert(bytes.end(), {0xaa, 0x06, 0x02, 0x08, 0x01});  // field 101, a message
  Result<Snapshot> back = ProtobufCodec().decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

TEST(ProtobufCodec, EnumOutsideTheModelIsEproto) {
  auto with_component = [] {
    v1::RasSnapshot msg;
    msg.add_components()->set_name("hbm0");
    return msg;
  };
  v1::RasSnapshot health = with_component();
  health.mutable_components(0)->set_health(static_cast<v1::Health>(3));
  EXPECT_EQ(DecodeError(Serialize(health)), -EPROTO);
  v1::RasSnapshot negative = with_component();
  negative.mutable_components(0)->set_health(static_cast<v1::Health>(-1));
  EXPECT_EQ(DecodeError(Serialize(negative)), -EPROTO);
  v1::RasSnapshot severity = with_component();
  severity.add_counters()->set_severity(static_cast<v1::Severity>(kSeverityCount));
  EXPECT_EQ(DecodeError(Serialize(severity)), -EPROTO);
  v1::RasSnapshot event = with_component();
  event.add_events()->set_severity(static_cast<v1::Severity>(99));
  EXPECT_EQ(DecodeError(Serialize(event)), -EPROTO);
  v1::RasSnapshot state;
  state.add_pages()->set_state(static_cast<v1::PageState>(2));
  EXPECT_EQ(DecodeError(Serialize(state)), -EPROTO);
}

TEST(ProtobufCodec, ModelViolationsFailValidate) {
  v1::RasSnapshot index;  // a counter naming a component that does not exist
  index.add_components()->set_name("hbm0");
  index.add_counters()->set_component(1);
  EXPECT_EQ(DecodeError(Serialize(index)), -EINVAL);
  v1::RasSnapshot name;
  name.mutable_device()->set_name(std::string(kMaxNameLen + 1, 'n'));
  EXPECT_EQ(DecodeError(Serialize(name)), -EINVAL);
  v1::RasSnapshot raw;
  raw.add_components();
  raw.add_events()->set_raw(std::string(kMaxRawLen + 1, 'r'));
  EXPECT_EQ(DecodeError(Serialize(raw)), -E2BIG);
  v1::RasSnapshot unsorted;
  unsorted.add_pages()->set_address(8192);
  unsorted.add_pages()->set_address(4096);
  EXPECT_EQ(DecodeError(Serialize(unsorted)), -EINVAL);
}

// Empty elements cost two bytes each on the wire; one past each bound is refused before
// libprotobuf builds a message for any of them.
TEST(ProtobufCodec, ListsOverTheirBoundsAreE2big) {
  struct {
    uint8_t tag;
    size_t count;
  } const cases[] = {
      {0x1a, kMaxComponents + 1},
      {0x22, size_t{kMaxComponents} * kSeverityCount + 1},
      {0x2a, kMaxEvents + 1},
      {0x3a, kMaxPages + 1},
  };
  for (const auto& c : cases) {
    Bytes bytes;
    for (size_t i = 0; i < c.count; ++i) bytes.insert(bytes.end(), {c.tag, 0x00});
    EXPECT_EQ(DecodeError(bytes), -E2BIG) << int{c.tag};
  }
}

// A mebibyte of empty events, two bytes each, is refused by the walk before parsing:
// libprotobuf would build ~100 bytes of message per element before the list's size could be
// looked at.
TEST(ProtobufCodec, HostileListsAllocateLittle) {
  Bytes bytes;
  bytes.reserve(kMaxEncodedSize);
  while (bytes.size() < kMaxEncodedSize) bytes.insert(bytes.end(), {0x2a, 0x00});
  testing::HeapMeter meter;
  EXPECT_EQ(DecodeError(bytes), -E2BIG);
  EXPECT_LT(meter.peak(), 64u * 1024) << "bytes allocated while decoding";
}

// A mebibyte of unknown fields, three bytes each: libprotobuf would keep each one (some 70
// bytes of memory for an empty string field); refused once past the budget instead.
TEST(ProtobufCodec, UnknownFieldFloodsAllocateLittle) {
  for (uint8_t wire_type : {0, 2}) {  // varint, length-delimited
    Bytes bytes;
    bytes.reserve(kMaxEncodedSize);
    while (bytes.size() + 3 <= kMaxEncodedSize)
      bytes.insert(bytes.end(), {static_cast<uint8_t>(0xa0 | wire_type), 0x06, 0x00});
    testing::HeapMeter meter;
    EXPECT_EQ(DecodeError(bytes), -E2BIG) << int{wire_type};
    EXPECT_LT(meter.peak(), 64u * 1024) << int{wire_type} << ": bytes allocated while decoding";
  }
}

TEST(ProtobufCodec, HugeDeclaredLengthsAreEinval) {
  // events, declared 2^31-1 bytes long, with three present.
  EXPECT_EQ(DecodeError({0x2a, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 2, 3}), -EINVAL);
  // A length varint that never ends.
  EXPECT_EQ(DecodeError({0x2a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}),
            -EINVAL);
  // A device name declared longer than the payload.
  EXPECT_EQ(DecodeError({0x0a, 0x05, 0x0a, 0x7f, 'a'}), -EINVAL);
  // Field number 0 does not exist.
  EXPECT_EQ(DecodeError({0x00, 0x01}), -EINVAL);
}

TEST(ProtobufCodec, OversizedPayloadIsE2big) {
  EXPECT_EQ(DecodeError(Bytes(kMaxEncodedSize + 1, 0)), -E2BIG);
}

TEST(ProtobufCodec, NonUtf8Text) {
  // On the wire: proto3 strings must be UTF-8, libprotobuf refuses the message.
  EXPECT_EQ(DecodeError({0x0a, 0x03, 0x0a, 0x01, 0xff}), -EINVAL);
  // From the model: the encoder refuses rather than write what no parser accepts.
  Snapshot s = MakeSampleSnapshot();
  s.events[1].message = "bad \xc3\x28";
  Result<Bytes> bytes = ProtobufCodec().encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EILSEQ);
}

TEST(ProtobufCodec, EncodeRefusesAnInvalidSnapshot) {
  Snapshot s = MakeSampleSnapshot();
  s.counters[0].component = 99;
  Result<Bytes> bytes = ProtobufCodec().encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EINVAL);
}

TEST(ProtobufCodec, IsUtf8FollowsRfc3629) {
  EXPECT_TRUE(IsUtf8(""));
  EXPECT_TRUE(IsUtf8("plain"));
  EXPECT_TRUE(IsUtf8("\xc2\xb5 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(IsUtf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(IsUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsUtf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(IsUtf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(IsUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsUtf8("\xe2\x82"));          // cut short
  EXPECT_FALSE(IsUtf8("\xc3\x28"));          // not a continuation byte
  EXPECT_FALSE(IsUtf8("\xf8\x88\x80\x80\x80"));
}

}  // namespace
}  // namespace accel::ras
