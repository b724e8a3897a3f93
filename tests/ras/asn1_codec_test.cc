// asn1_codec_test.cc - the ASN1 codec against asn1/AccelRas.asn and docs/ras/asn1.md.
//
// Readers besides the codec's own decoder: libtasn1 handed the whole AccelRas.Snapshot type at
// once (the codec only ever shows it one element), a DER builder and walker written here from
// X.690 for hand-made and inspected bytes, and `openssl asn1parse`, which knows nothing of the
// schema and shows what any DER reader would see.
#include "ras/codecs/asn1/asn1_codec.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "ras/codecs/asn1/asn1_schema.h"
#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using Bytes = std::vector<uint8_t>;
using testing::MakeSampleSnapshot;
using testing::SampleShape;

const Codec& codec = Asn1Codec();

Bytes MustEncode(const Snapshot& s) {
  Result<Bytes> bytes = codec.encode(s);
  EXPECT_TRUE(bytes.ok()) << bytes.error();
  return bytes.ok() ? *bytes : Bytes{};
}

int DecodeError(const Bytes& bytes) {
  Result<Snapshot> s = codec.decode(bytes);
  return s.ok() ? 0 : s.error();
}

// ---- DER from X.690, written here without the codec or libtasn1.

Bytes Tlv(uint8_t tag, const Bytes& content) {
  Bytes out{tag};
  size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    Bytes length;
    for (; n != 0; n >>= 8) length.insert(length.begin(), static_cast<uint8_t>(n));
    out.push_back(static_cast<uint8_t>(0x80 | length.size()));
    out.insert(out.end(), length.begin(), length.end());
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// Minimal two's complement of an unsigned value: a 0x00 in front when the top bit is set.
Bytes UnsignedContent(uint64_t v) {
  Bytes c;
  do {
    c.insert(c.begin(), static_cast<uint8_t>(v));
    v >>= 8;
  } while (v != 0);
  if (c[0] & 0x80) c.insert(c.begin(), 0);
  return c;
}

Bytes Int(uint64_t v) {
  return Tlv(0x02, UnsignedContent(v));
}
Bytes Enum(uint64_t v) {
  return Tlv(0x0a, UnsignedContent(v));
}
Bytes Utf8(const std::string& s) {
  return Tlv(0x0c, Bytes(s.begin(), s.end()));
}
Bytes Octets(const Bytes& b) {
  return Tlv(0x04, b);
}

Bytes Seq(const std::vector<Bytes>& parts) {
  Bytes content;
  for (const Bytes& p : parts) content.insert(content.end(), p.begin(), p.end());
  return Tlv(0x30, content);
}

// A Snapshot written by hand, field by field as asn1/AccelRas.asn lays it out.
struct HandBuilt {
  Bytes version = Int(1);
  Bytes device =
      Seq({Utf8("accel0"), Utf8("dummy"), Utf8("S-1"), Utf8("platform:dummy.0"), Int(0)});
  Bytes timestamp = Int(1764000000000000000ULL);
  Bytes dropped = Int(0);
  std::vector<Bytes> components = {Seq({Utf8("hbm0"), Enum(0)})};
  std::vector<Bytes> counters = {Seq({Int(0), Enum(0), Int(1), Int(2)})};
  std::vector<Bytes> events = {Seq({Int(1), Int(2), Int(0), Enum(2), Int(0x1001), Int(1),
                                    Tlv(0x80, UnsignedContent(4096)), Utf8("x"), Octets({})})};
  std::vector<Bytes> pages = {Seq({Int(0x1000), Enum(2), Enum(1), Int(3)})};

  Bytes Build() const {
    return Seq({Seq({version, device, timestamp, dropped}), Seq(components), Seq(counters),
                Seq(events), Seq(pages)});
  }
};

Snapshot HandBuiltSnapshot() {
  Snapshot s;
  s.device = {"accel0", "dummy", "S-1", "platform:dummy.0", 0};
  s.timestamp_ns = 1764000000000000000ULL;
  s.components = {{"hbm0", Health::kOk}};
  s.counters = {{0, 0, 1, 2}};
  Event e;
  e.seqno = 1;
  e.timestamp_ns = 2;
  e.component = 0;
  e.severity = 2;
  e.code = 0x1001;
  e.count = 1;
  e.address = 4096;
  e.message = "x";
  s.events = {e};
  s.pages = {{0x1000, 2, PageState::kRetired, 3}};
  return s;
}

// Walks DER as X.690 section 10 wants it: definite lengths in the shortest form, and records
// every tag seen. Returns false on the first violation.
bool WalkDer(const uint8_t* p, size_t size, std::vector<uint8_t>& tags, std::string& why) {
  while (size > 0) {
    if (size < 2) return why = "truncated TLV", false;
    const uint8_t tag = p[0];
    tags.push_back(tag);
    size_t length = p[1], header = 2;
    if (length == 0x80) return why = "indefinite length", false;
    if (length > 0x80) {
      const size_t n = length & 0x7f;
      if (size < 2 + n || p[2] == 0) return why = "length not in shortest form", false;
      length = 0;
      for (size_t i = 0; i < n; ++i) length = length << 8 | p[2 + i];
      if (length < 0x80) return why = "long form for a short length", false;
      header += n;
    }
    if (length > size - header) return why = "length past the end", false;
    if ((tag & 0x20) && !WalkDer(p + header, length, tags, why)) return false;
    p += header + length;
    size -= header + length;
  }
  return true;
}

// ---- libtasn1 with the whole Snapshot type, as a generic libtasn1 user would write it.

void Set(asn1_node n, const std::string& field, uint64_t v) {
  const Bytes c = UnsignedContent(v);
  ASSERT_EQ(asn1_write_value(n, field.c_str(), c.data(), static_cast<int>(c.size())), ASN1_SUCCESS)
      << field;
}

void Set(asn1_node n, const std::string& field, const std::string& s) {
  ASSERT_EQ(
      asn1_write_value(n, field.c_str(), s.empty() ? "" : s.data(), static_cast<int>(s.size())),
      ASN1_SUCCESS)
      << field;
}

Bytes WholeTreeEncode(const Snapshot& s) {
  asn1::Element e("AccelRas.Snapshot");
  EXPECT_TRUE(e);
  asn1_node n = e.get();
  Set(n, "header.version", 1);
  Set(n, "header.device.name", s.device.name);
  Set(n, "header.device.driver", s.device.driver);
  Set(n, "header.device.serial", s.device.serial);
  Set(n, "header.device.bus", s.device.bus);
  Set(n, "header.device.minor", s.device.minor);
  Set(n, "header.timestampNs", s.timestamp_ns);
  Set(n, "header.eventsDropped", s.events_dropped);
  for (const Component& c : s.components) {
    EXPECT_EQ(asn1_write_value(n, "components", "NEW", 1), ASN1_SUCCESS);
    Set(n, "components.?LAST.name", c.name);
    Set(n, "components.?LAST.health", static_cast<uint64_t>(c.health));
  }
  for (const Counter& c : s.counters) {
    EXPECT_EQ(asn1_write_value(n, "counters", "NEW", 1), ASN1_SUCCESS);
    Set(n, "counters.?LAST.component", c.component);
    Set(n, "counters.?LAST.severity", c.severity);
    Set(n, "counters.?LAST.volatileCount", c.volatile_count);
    Set(n, "counters.?LAST.aggregateCount", c.aggregate_count);
  }
  for (const Event& ev : s.events) {
    EXPECT_EQ(asn1_write_value(n, "events", "NEW", 1), ASN1_SUCCESS);
    Set(n, "events.?LAST.seqno", ev.seqno);
    Set(n, "events.?LAST.timestampNs", ev.timestamp_ns);
    Set(n, "events.?LAST.component", ev.component);
    Set(n, "events.?LAST.severity", ev.severity);
    Set(n, "events.?LAST.code", ev.code);
    Set(n, "events.?LAST.count", ev.count);
    if (ev.address)
      Set(n, "events.?LAST.address", *ev.address);
    else
      EXPECT_EQ(asn1_write_value(n, "events.?LAST.address", nullptr, 0), ASN1_SUCCESS);
    Set(n, "events.?LAST.message", ev.message);
    Set(n, "events.?LAST.raw", std::string(ev.raw.begin(), ev.raw.end()));
  }
  for (const RetiredPage& p : s.pages) {
    EXPECT_EQ(asn1_write_value(n, "pages", "NEW", 1), ASN1_SUCCESS);
    Set(n, "pages.?LAST.address", p.address);
    Set(n, "pages.?LAST.cause", p.cause);
    Set(n, "pages.?LAST.state", static_cast<uint64_t>(p.state));
    Set(n, "pages.?LAST.timestampNs", p.timestamp_ns);
  }
  int size = 0;
  EXPECT_EQ(asn1_der_coding(n, "", nullptr, &size, nullptr), ASN1_MEM_ERROR);
  Bytes out(static_cast<size_t>(size));
  EXPECT_EQ(asn1_der_coding(n, "", out.data(), &size, nullptr), ASN1_SUCCESS);
  out.resize(static_cast<size_t>(size));
  return out;
}

std::string ReadString(asn1_node n, const std::string& field) {
  char buf[4096];
  int len = sizeof(buf);
  EXPECT_EQ(asn1_read_value(n, field.c_str(), buf, &len), ASN1_SUCCESS) << field;
  return std::string(buf, static_cast<size_t>(len));
}

// ---- openssl asn1parse

// One line of `openssl asn1parse`: "  11:d=3  hl=2 l=   6 prim: UTF8STRING   :accel3".
struct ParsedLine {
  int depth = -1;
  std::string length;  // "6", or "inf" for an indefinite length
  bool constructed = false;
  std::string type;   // "UTF8STRING", "INTEGER", "cont [ 0 ]", ...
  std::string value;  // after the ':' that follows the type, trimmed
};

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  const size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<ParsedLine> OpenSslAsn1Parse(const Bytes& der) {
  std::string path = ::testing::TempDir() + "accel-asn1-XXXXXX";
  const int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, der.data(), der.size()), static_cast<ssize_t>(der.size()));
  close(fd);
  const std::string command = std::string(ACCEL_OPENSSL) + " asn1parse -inform DER -in " + path;
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string text;
  char buf[4096];
  for (size_t n; pipe != nullptr && (n = fread(buf, 1, sizeof(buf), pipe)) > 0;)
    text.append(buf, n);
  EXPECT_EQ(pipe != nullptr ? pclose(pipe) : -1, 0) << text;
  unlink(path.c_str());

  std::vector<ParsedLine> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    ParsedLine p;
    const size_t d = line.find(":d=");
    const size_t l = line.find(" l=");
    const size_t kind =
        line.find("prim:") != std::string::npos ? line.find("prim:") : line.find("cons:");
    if (d == std::string::npos || l == std::string::npos || kind == std::string::npos) {
      ADD_FAILURE() << "unexpected asn1parse line: " << line;
      continue;
    }
    p.depth = std::atoi(line.c_str() + d + 3);
    p.length = Trim(line.substr(l + 3, kind - l - 3));
    p.constructed = line.compare(kind, 5, "cons:") == 0;
    const std::string rest = line.substr(kind + 5);
    const size_t colon = rest.find(':');
    p.type = Trim(rest.substr(0, colon));
    p.value = colon == std::string::npos ? "" : Trim(rest.substr(colon + 1));
    lines.push_back(p);
  }
  return lines;
}

// openssl prints an INTEGER as the hex bytes of its magnitude, without the sign byte.
std::string OpenSslHex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%llX", static_cast<unsigned long long>(v));
  std::string hex = buf;
  return hex.size() % 2 ? "0" + hex : hex;
}

// ---- The tests.

TEST(Asn1Codec, DescribesItself) {
  EXPECT_EQ(codec.format, static_cast<uint32_t>(ACCEL_RAS_FMT_ASN1));
  EXPECT_STREQ(codec.name, "asn1");
  EXPECT_EQ(codec.carries, static_cast<uint32_t>(kCarriesAll));
  EXPECT_EQ(codec.project, nullptr);  // a full codec: Decode(Encode(s)) == s
}

class Asn1RoundTrip : public ::testing::TestWithParam<SampleShape> {};

TEST_P(Asn1RoundTrip, DecodeOfEncodeIsTheSnapshot) {
  const Snapshot s = MakeSampleSnapshot(GetParam());
  ASSERT_EQ(Validate(s), 0);
  const Bytes bytes = MustEncode(s);
  Result<Snapshot> back = codec.decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(MustEncode(*back), bytes);  // DER is canonical: one Snapshot, one encoding
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Asn1RoundTrip,
    ::testing::Values(
        SampleShape{.components = 0, .events = 0, .pages = 0},
        SampleShape{.components = 1, .events = 3, .pages = 1, .seed = 2},
        SampleShape{.components = 5},
        SampleShape{.components = 64, .events = 1000, .pages = 300, .seed = 7},
        SampleShape{
            .components = 256, .events = 4096, .pages = 2000, .seed = 9, .raw_blobs = false}));

// Values at the edges of every field type: u64 around 2^63 and at 2^64-1, INTEGER lengths
// where a sign byte appears, empty and maximal strings, a NUL inside a message, address 0.
Snapshot EdgeSnapshot() {
  Snapshot s;
  s.device = {std::string(kMaxNameLen, 'n'), "", "serial", "0000:03:00.0", UINT32_MAX};
  s.timestamp_ns = UINT64_MAX;
  s.events_dropped = 1ULL << 63;
  s.components = {{"", Health::kFailed}, {"c1", Health::kWarning}};
  s.counters = {{0, 0, 0, (1ULL << 63) - 1}, {0, 4, 127, 128}, {1, 2, 255, 256}};
  Event a;
  a.seqno = UINT64_MAX;
  a.component = 1;
  a.severity = 4;
  a.code = UINT32_MAX;
  a.count = 0;
  a.address = 0;
  a.message = std::string("nul\0inside", 10);
  a.raw.assign(kMaxRawLen, 0xff);
  Event b;
  b.message = std::string(kMaxMessageLen, 'm');
  s.events = {a, b};
  s.pages = {{0, 0, PageState::kPending, 0}, {UINT64_MAX, 4, PageState::kRetired, 1ULL << 63}};
  return s;
}

TEST(Asn1Codec, EdgeValuesRoundTrip) {
  const Snapshot s = EdgeSnapshot();
  ASSERT_EQ(Validate(s), 0);
  Result<Snapshot> back = codec.decode(MustEncode(s));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

// u64 values >= 2^63 need a leading 0x00, or DER reads them as negative; 2^63-1 must not have
// one (DER forbids a redundant leading byte).
TEST(Asn1Codec, LargeUnsignedValuesCarryASignByte) {
  const Bytes bytes = MustEncode(EdgeSnapshot());
  auto contains = [&](const Bytes& needle) {
    return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
  };
  EXPECT_TRUE(contains({0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_TRUE(contains({0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(contains({0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_TRUE(contains({0x02, 0x02, 0x00, 0x80}));  // 128
  EXPECT_TRUE(contains({0x02, 0x01, 0x7f}));        // 127
  EXPECT_TRUE(contains({0x80, 0x01, 0x00}));        // address [0] 0
  EXPECT_FALSE(contains({0x02, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

// The bytes are the DER of the schema's Snapshot type as libtasn1 writes it with the whole
// structure in one tree, and libtasn1 reads them back that way too.
TEST(Asn1Codec, BytesAreLibtasn1sDerOfTheWholeSnapshot) {
  for (const Snapshot& s : {MakeSampleSnapshot({.components = 5, .events = 20, .pages = 4}),
                            EdgeSnapshot(), MakeSampleSnapshot({.components = 0, .events = 0})}) {
    const Bytes bytes = MustEncode(s);
    EXPECT_EQ(bytes, WholeTreeEncode(s));

    asn1::Element e("AccelRas.Snapshot");
    ASSERT_TRUE(e);
    int size = static_cast<int>(bytes.size());
    char error[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
    ASSERT_EQ(
        asn1_der_decoding2(e.address(), bytes.data(), &size, ASN1_DECODE_FLAG_STRICT_DER, error),
        ASN1_SUCCESS)
        << error;
    EXPECT_EQ(static_cast<size_t>(size), bytes.size());
    EXPECT_EQ(ReadString(e.get(), "header.device.name"), s.device.name);
    int n = -1;
    ASSERT_EQ(asn1_number_of_elements(e.get(), "events", &n), ASN1_SUCCESS);
    EXPECT_EQ(static_cast<size_t>(n), s.events.size());
    ASSERT_EQ(asn1_number_of_elements(e.get(), "pages", &n), ASN1_SUCCESS);
    EXPECT_EQ(static_cast<size_t>(n), s.pages.size());
    if (!s.events.empty()) {
      EXPECT_EQ(ReadString(e.get(), "events.?" + std::to_string(s.events.size()) + ".message"),
                s.events.back().message);
    }
  }
}

TEST(Asn1Codec, BytesMatchDerWrittenByHand) {
  const Bytes hand = HandBuilt().Build();
  EXPECT_EQ(MustEncode(HandBuiltSnapshot()), hand);
  Result<Snapshot> back = codec.decode(hand);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, HandBuiltSnapshot());
}

// DER, not just BER: definite lengths in their shortest form everywhere, no SET or SET OF
// (whose elements DER would have to sort), the top SEQUENCE covers the whole output.
TEST(Asn1Codec, OutputFollowsDerRules) {
  const Bytes bytes = MustEncode(MakeSampleSnapshot({.components = 64, .events = 1000}));
  std::vector<uint8_t> tags;
  std::string why;
  ASSERT_TRUE(WalkDer(bytes.data(), bytes.size(), tags, why)) << why;
  EXPECT_EQ(std::count(tags.begin(), tags.end(), 0x31), 0) << "SET/SET OF used";
  EXPECT_EQ(tags.front(), 0x30);
  for (uint8_t tag : tags)
    EXPECT_TRUE(tag == 0x30 || tag == 0x02 || tag == 0x0a || tag == 0x0c || tag == 0x04 ||
                tag == 0x80)
        << "unexpected tag " << int{tag};
  // The outer length covers everything: 0x30, 0x80 | n, then n length bytes.
  ASSERT_GT(bytes[1], 0x80);
  const size_t n = bytes[1] & 0x7f;
  size_t length = 0;
  for (size_t i = 0; i < n; ++i) length = length << 8 | bytes[2 + i];
  EXPECT_EQ(length, bytes.size() - 2 - n);
}

// openssl, which has never seen the schema, sees the structure and the values.
TEST(Asn1Codec, OpenSslAsn1ParseReadsTheStructure) {
  Snapshot s = MakeSampleSnapshot({.components = 5, .events = 12, .pages = 3});
  s.counters[0].aggregate_count = UINT64_MAX;
  const Bytes bytes = MustEncode(s);
  const std::vector<ParsedLine> lines = OpenSslAsn1Parse(bytes);
  ASSERT_FALSE(lines.empty());

  EXPECT_EQ(lines[0].depth, 0);
  EXPECT_TRUE(lines[0].constructed);
  EXPECT_EQ(lines[0].type, "SEQUENCE");
  for (const ParsedLine& l : lines) EXPECT_NE(l.length, "inf") << "indefinite length";

  auto has = [&](int depth, const std::string& type, const std::string& value) {
    for (const ParsedLine& l : lines)
      if (l.depth == depth && l.type == type && l.value == value) return true;
    return false;
  };
  EXPECT_TRUE(has(3, "UTF8STRING", "accel3"));  // device name, header > DeviceIdentity
  EXPECT_TRUE(has(3, "UTF8STRING", "platform:dummy.3"));
  EXPECT_TRUE(has(2, "INTEGER", OpenSslHex(s.timestamp_ns)));
  EXPECT_TRUE(has(3, "INTEGER", "FFFFFFFFFFFFFFFF"));  // 2^64-1, not -1
  for (const Component& c : s.components) EXPECT_TRUE(has(3, "UTF8STRING", c.name)) << c.name;
  int above_2_32 = 0;
  for (const Counter& c : s.counters) {
    if (c.aggregate_count <= UINT32_MAX) continue;
    ++above_2_32;
    EXPECT_TRUE(has(3, "INTEGER", OpenSslHex(c.aggregate_count))) << c.aggregate_count;
  }
  EXPECT_GT(above_2_32, 1);
  for (const Event& e : s.events) EXPECT_TRUE(has(3, "INTEGER", OpenSslHex(e.seqno)));

  // Header (1) + DeviceIdentity, then one SEQUENCE per list element at depth 2.
  size_t sequences_at_2 = 0, enumerated = 0, addresses = 0;
  for (const ParsedLine& l : lines) {
    sequences_at_2 += l.depth == 2 && l.type == "SEQUENCE";
    enumerated += l.type == "ENUMERATED";
    addresses += l.depth == 3 && l.type == "cont [ 0 ]";
  }
  EXPECT_EQ(sequences_at_2,
            1 + s.components.size() + s.counters.size() + s.events.size() + s.pages.size());
  EXPECT_EQ(enumerated,
            s.components.size() + s.counters.size() + s.events.size() + 2 * s.pages.size());
  size_t with_address = 0;
  for (const Event& e : s.events) with_address += e.address.has_value();
  EXPECT_EQ(addresses, with_address);
}

// ---- Hostile input.

TEST(Asn1Codec, EveryTruncationFails) {
  const Bytes bytes = MustEncode(MakeSampleSnapshot({.components = 3, .events = 6, .pages = 2}));
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<Snapshot> s = codec.decode(std::span(bytes.data(), n));
    EXPECT_FALSE(s.ok()) << "prefix of " << n << " bytes decoded";
  }
}

TEST(Asn1Codec, TrailingBytesAreRejected) {
  Bytes bytes = HandBuilt().Build();
  bytes.push_back(0);
  EXPECT_EQ(DecodeError(bytes), -EINVAL);
}

TEST(Asn1Codec, IntegersOutOfRangeAreRejected) {
  auto with_counter = [](const Bytes& aggregate) {
    HandBuilt h;
    h.counters = {Seq({Int(0), Enum(0), Int(1), aggregate})};
    return h.Build();
  };
  EXPECT_EQ(DecodeError(with_counter(Int(UINT64_MAX))), 0);
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, {0xff}))), -EINVAL);  // -1
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, {0x80, 0, 0, 0, 0, 0, 0, 0}))), -EINVAL);
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, {0x01, 0, 0, 0, 0, 0, 0, 0, 0}))), -E2BIG);  // 2^64
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, Bytes(40, 0x7f)))), -E2BIG);
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, {0x00, 0x05}))), -EINVAL);  // not minimal
  EXPECT_EQ(DecodeError(with_counter(Tlv(0x02, {}))), -EINVAL);            // no content

  HandBuilt h;
  h.counters = {Seq({Int(1ULL << 32), Enum(0), Int(1), Int(2)})};  // component is a Uint32
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
}

TEST(Asn1Codec, EnumeratedValuesOutOfTheSchemaAreRejected) {
  HandBuilt h;
  h.counters = {Seq({Int(0), Enum(5), Int(1), Int(2)})};  // severity 5
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.components = {Seq({Utf8("hbm0"), Enum(3)})};  // health 3
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.pages = {Seq({Int(0x1000), Enum(2), Enum(2), Int(3)})};  // state 2
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
}

TEST(Asn1Codec, WrongTypesAreRejected) {
  HandBuilt h;
  h.device = Seq({Octets({'a'}), Utf8("dummy"), Utf8("S-1"), Utf8("bus"), Int(0)});
  EXPECT_LT(DecodeError(h.Build()), 0);
  h = HandBuilt();
  h.counters = {Seq({Int(0), Int(0), Int(1), Int(2)})};  // INTEGER where ENUMERATED
  EXPECT_LT(DecodeError(h.Build()), 0);
  h = HandBuilt();
  h.timestamp = Utf8("now");
  EXPECT_LT(DecodeError(h.Build()), 0);
  h = HandBuilt();
  h.counters = {Seq({Int(0), Enum(0), Int(1)})};  // a field missing
  EXPECT_LT(DecodeError(h.Build()), 0);
  h = HandBuilt();
  h.components = {Seq({Utf8("hbm0"), Enum(0), Int(7)})};  // a field too many
  EXPECT_LT(DecodeError(h.Build()), 0);
  EXPECT_EQ(DecodeError(Tlv(0x31, {})), -EPROTO);                        // a SET
  EXPECT_EQ(DecodeError(Seq({Seq({})})), -EPROTO);                       // too few parts
  EXPECT_EQ(DecodeError(Tlv(0x02, {1})), -EPROTO);                       // not a SEQUENCE
  EXPECT_EQ(DecodeError(Seq({Seq({Seq({Seq({Seq({})})})})})), -EPROTO);  // nested too deep
}

TEST(Asn1Codec, OtherVersionsAreRejected) {
  HandBuilt h;
  h.version = Int(2);
  EXPECT_EQ(DecodeError(h.Build()), -EPROTO);
}

TEST(Asn1Codec, BerThatIsNotDerIsRejected) {
  const Bytes good = HandBuilt().Build();
  ASSERT_EQ(DecodeError(good), 0);
  // The same Snapshot with the device name's length in long form (0x81 0x06, not 0x06).
  HandBuilt h;
  Bytes name = {0x0c, 0x81, 0x06, 'a', 'c', 'c', 'e', 'l', '0'};
  h.device = Seq({name, Utf8("dummy"), Utf8("S-1"), Utf8("platform:dummy.0"), Int(0)});
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);
  // An indefinite-length outer SEQUENCE with end-of-contents.
  Bytes indefinite = {0x30, 0x80};
  indefinite.insert(indefinite.end(), good.begin() + 2, good.end());
  indefinite.insert(indefinite.end(), {0, 0});
  EXPECT_EQ(DecodeError(indefinite), -EINVAL);
  // A constructed (segmented) UTF8String.
  h = HandBuilt();
  h.device = Seq({Tlv(0x2c, Utf8("accel0")), Utf8("dummy"), Utf8("S-1"), Utf8("b"), Int(0)});
  EXPECT_LT(DecodeError(h.Build()), 0);
}

TEST(Asn1Codec, StringsOverTheModelsBoundsAreRejected) {
  HandBuilt h;
  h.components = {Seq({Utf8(std::string(kMaxNameLen + 1, 'c')), Enum(0)})};
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.events = {Seq({Int(1), Int(2), Int(0), Enum(2), Int(1), Int(1),
                   Utf8(std::string(kMaxMessageLen + 1, 'm')), Octets({})})};
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.events = {Seq({Int(1), Int(2), Int(0), Enum(2), Int(1), Int(1), Utf8("m"),
                   Octets(Bytes(kMaxRawLen + 1, 0))})};
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.device =
      Seq({Utf8("a"), Utf8("b"), Utf8(std::string(kMaxNameLen + 1, 's')), Utf8("d"), Int(0)});
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
}

// Lists longer than the model allows fail before any element is decoded, even when every
// element is malformed (which decoding would otherwise report as -EINVAL or -EPROTO).
TEST(Asn1Codec, ListsOverTheModelsBoundsAreRejectedBeforeDecoding) {
  HandBuilt h;
  h.components.assign(kMaxComponents + 1, Seq({}));
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.events.assign(kMaxEvents + 1, Seq({}));
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.counters.assign(kMaxComponents * kSeverityCount + 1, Seq({}));
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
  h = HandBuilt();
  h.pages.assign(kMaxPages + 1, Seq({}));
  EXPECT_EQ(DecodeError(h.Build()), -E2BIG);
}

TEST(Asn1Codec, HugeDeclaredLengthsFailWithoutAllocating) {
  EXPECT_EQ(DecodeError({0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00}), -EINVAL);
  EXPECT_EQ(DecodeError({0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}), -EINVAL);
  HandBuilt h;
  h.events = {Bytes{0x30, 0x83, 0xff, 0xff, 0xff}};
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);
  EXPECT_EQ(DecodeError({}), -EINVAL);
  EXPECT_EQ(DecodeError(Bytes(kMaxEncodedSize + 1, 0x30)), -E2BIG);
}

// Well-formed DER that breaks the model's invariants fails Validate().
TEST(Asn1Codec, ModelInvariantsAreChecked) {
  HandBuilt h;
  h.counters = {Seq({Int(1), Enum(0), Int(1), Int(2)})};  // component 1 of 1
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);
  h = HandBuilt();
  h.pages = {Seq({Int(0x2000), Enum(0), Enum(0), Int(0)}),
             Seq({Int(0x1000), Enum(0), Enum(0), Int(0)})};
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);  // unsorted
  h = HandBuilt();
  h.components = {Seq({Utf8(std::string("a\0b", 3)), Enum(0)})};
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);  // NUL in a name
}

// UTF8String holds UTF-8: the encoder refuses other text (-EILSEQ), the decoder too.
TEST(Asn1Codec, TextMustBeUtf8) {
  Snapshot s = HandBuiltSnapshot();
  s.events[0].message = "\xc3\x28";  // a lead byte without its continuation
  Result<Bytes> bytes = codec.encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EILSEQ);
  s = HandBuiltSnapshot();
  s.device.serial = "\xff";
  bytes = codec.encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EILSEQ);

  HandBuilt h;
  h.components = {Seq({Utf8("hbm\xed\xa0\x80"), Enum(0)})};  // an encoded surrogate
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);
  h = HandBuilt();
  h.events = {Seq({Int(1), Int(2), Int(0), Enum(2), Int(1), Int(1), Utf8("\xc0\xaf"),
                   Octets({0xff, 0xfe})})};  // overlong '/' in the message; the blob is free
  EXPECT_EQ(DecodeError(h.Build()), -EINVAL);
}

TEST(Asn1Codec, EncodeRefusesInvalidAndOversizedSnapshots) {
  Snapshot s = MakeSampleSnapshot({.components = 2, .events = 2});
  s.events[0].severity = 9;
  Result<Bytes> bytes = codec.encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -EINVAL);

  s = MakeSampleSnapshot({.components = 1, .events = 0});
  Event e;
  e.raw.assign(kMaxRawLen, 0xab);
  s.events.assign(kMaxEvents, e);  // 16 MiB of blobs
  bytes = codec.encode(s);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error(), -E2BIG);
}

}  // namespace
}  // namespace accel::ras
