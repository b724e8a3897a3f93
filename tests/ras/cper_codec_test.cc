// cper_codec_test.cc - the CPER codec against the UEFI specification (appendix N) and
// docs/ras/cper.md.
//
// The independent reader is this file: every field of the record header (N.2.1), of each
// section descriptor (N.2.2) and of accel's section body is read at the offset the
// specification (or the doc, for the body) gives, written out here as numbers rather than
// taken from the codec, and compared with the Snapshot the record came from. Malformed
// records are made by patching fields of a valid one at those offsets.
#include "ras/codecs/cper/cper_codec.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using Bytes = std::vector<uint8_t>;
using testing::MakeSampleSnapshot;
using testing::SampleShape;

const Codec& codec = CperCodec();

// UEFI N.2.1 record header offsets, N.2.2 descriptor offsets, accel's body offsets.
constexpr size_t kHeader = 128;
constexpr size_t kDescriptor = 72;
constexpr size_t kBodyFixed = 68;

// GUIDs as they lie in memory (EFI_GUID: the first three fields little-endian).
const Bytes kAccelSectionType = {0x44, 0x3f, 0xe1, 0x5c, 0x9e, 0x42, 0x1c, 0x4e,
                                 0xa7, 0xf8, 0x2a, 0x3f, 0xf9, 0xe8, 0x63, 0x25};
const Bytes kAccelCreator = {0xdb, 0x07, 0xfe, 0x2a, 0x06, 0x5a, 0x20, 0x41,
                             0xba, 0x16, 0xfa, 0x87, 0x2b, 0x92, 0xa5, 0x09};
const Bytes kNotifyMce = {0xfe, 0x6f, 0xf5, 0xe8, 0x9c, 0x91, 0xc5, 0x4c,
                          0xba, 0x88, 0x65, 0xab, 0xe1, 0x49, 0x13, 0xbb};
const Bytes kNotifyCmc = {0xb1, 0x8b, 0xce, 0x2d, 0xd7, 0xbd, 0x0e, 0x45,
                          0xb9, 0xad, 0x9c, 0xf4, 0xeb, 0xd4, 0xf8, 0x90};
// Platform Memory Error section: a consumer would act on its address as a host one.
const Bytes kPlatformMemory = {0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
                               0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1};

uint64_t Le(const Bytes& b, size_t off, size_t size) {
  uint64_t v = 0;
  for (size_t i = size; i-- > 0;) v = v << 8 | b.at(off + i);
  return v;
}
uint16_t U16(const Bytes& b, size_t off) {
  return static_cast<uint16_t>(Le(b, off, 2));
}
uint32_t U32(const Bytes& b, size_t off) {
  return static_cast<uint32_t>(Le(b, off, 4));
}
uint64_t U64(const Bytes& b, size_t off) {
  return Le(b, off, 8);
}
Bytes Slice(const Bytes& b, size_t off, size_t size) {
  return Bytes(b.begin() + off, b.begin() + off + size);
}
void Set(Bytes& b, size_t off, uint64_t v, size_t size) {
  for (size_t i = 0; i < size; ++i) b.at(off + i) = static_cast<uint8_t>(v >> (8 * i));
}
void Set16(Bytes& b, size_t off, uint64_t v) {
  Set(b, off, v, 2);
}
void Set32(Bytes& b, size_t off, uint64_t v) {
  Set(b, off, v, 4);
}
void Set64(Bytes& b, size_t off, uint64_t v) {
  Set(b, off, v, 8);
}

// A text field: the text then NULs to its size.
Bytes Padded(const std::string& s, size_t size) {
  Bytes b(s.begin(), s.begin() + std::min(s.size(), size));
  b.resize(size, 0);
  return b;
}

size_t Descriptor(size_t i) {
  return kHeader + i * kDescriptor;
}
size_t BodyOf(const Bytes& r, size_t i) {
  return U32(r, Descriptor(i));
}

Bytes MustEncode(const Snapshot& s) {
  Result<Bytes> bytes = codec.encode(s);
  EXPECT_TRUE(bytes.ok()) << bytes.error();
  return bytes.ok() ? *bytes : Bytes{};
}

int DecodeError(const Bytes& bytes) {
  Result<Snapshot> s = codec.decode(bytes);
  return s.ok() ? 0 : s.error();
}

// UEFI severities: recoverable 0, fatal 1, corrected 2, informational 3; DESIGN.md's mapping.
uint32_t ExpectedCperSeverity(uint32_t accel) {
  const uint32_t kMap[] = {2, 0, 0, 1, 3};  // corrected deferred uncorrected fatal info
  return kMap[accel];
}

// One event of each severity, in ACCEL_RAS_SEV_* order, on two components.
Snapshot OneEventPerSeverity() {
  Snapshot s;
  s.device = {"accel7", "dummy", "SER", "0000:03:00.0", 7};
  s.timestamp_ns = 1764000123456789012ULL;  // 2025-11-24 16:02:03.456789012 UTC
  s.components = {{"hbm0", Health::kWarning}, {"pcie", Health::kOk}};
  for (uint32_t sev = 0; sev < kSeverityCount; ++sev) {
    Event e;
    e.seqno = 10 + sev;
    e.timestamp_ns = s.timestamp_ns - 1000 * (5 - sev);
    e.component = sev % 2;
    e.severity = sev;
    e.code = 0xc0de0000 + sev;
    e.count = sev + 1;
    if (sev == 1) e.address = 0xfedcba9876543000ULL;
    e.message = "sev " + std::to_string(sev);
    if (sev == 2) e.raw = {1, 2, 3, 4, 5};
    s.events.push_back(e);
  }
  return s;
}

TEST(CperCodec, DescribesItself) {
  EXPECT_EQ(codec.format, static_cast<uint32_t>(ACCEL_RAS_FMT_CPER));
  EXPECT_STREQ(codec.name, "cper");
  EXPECT_EQ(codec.carries, static_cast<uint32_t>(kCarriesEvents));
  ASSERT_NE(codec.project, nullptr);
}

class CperRoundTrip : public ::testing::TestWithParam<SampleShape> {};

TEST_P(CperRoundTrip, DecodeOfEncodeIsTheProjection) {
  const Snapshot s = MakeSampleSnapshot(GetParam());
  ASSERT_EQ(Validate(s), 0);
  const Bytes bytes = MustEncode(s);
  Result<Snapshot> back = codec.decode(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  const Snapshot projected = codec.project(s);
  EXPECT_EQ(*back, projected);
  EXPECT_EQ(Validate(*back), 0);
  EXPECT_EQ(codec.project(projected), projected);  // projecting twice changes nothing
  EXPECT_EQ(back->events, s.events);               // events survive whole
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, CperRoundTrip,
    ::testing::Values(SampleShape{.components = 0, .events = 0, .pages = 0},
                      SampleShape{.components = 1, .events = 3, .pages = 1, .seed = 2},
                      SampleShape{.components = 5},
                      SampleShape{.components = 64, .events = 1000, .seed = 7},
                      SampleShape{
                          .components = 256, .events = 4096, .seed = 9, .raw_blobs = false}));

TEST(CperCodec, ProjectionKeepsWhatTheRecordHolds) {
  Snapshot s = MakeSampleSnapshot({.components = 5, .events = 4, .pages = 2});
  s.device.name = "a-device-name-longer-than-twenty-bytes";
  s.components[1].name = "a-component-name-over-16";
  for (Event& e : s.events) e.component = 1;
  s.events[2].component = 3;
  const Snapshot p = codec.project(s);
  EXPECT_EQ(p.device, (DeviceIdentity{"a-device-name-longer", "", "", "", 0}));  // 20 bytes
  EXPECT_EQ(p.timestamp_ns, s.timestamp_ns / 1000000000 * 1000000000);
  ASSERT_EQ(p.components.size(), 4u);  // up to the highest index an event names
  EXPECT_EQ(p.components[0], Component{});
  EXPECT_EQ(p.components[1].name, "a-component-name");
  EXPECT_EQ(p.components[2], Component{});
  EXPECT_EQ(p.components[3].name, s.components[3].name);
  for (const Component& c : p.components) EXPECT_EQ(c.health, Health::kOk);
  EXPECT_TRUE(p.counters.empty());
  EXPECT_TRUE(p.pages.empty());
  EXPECT_EQ(p.events_dropped, 0u);
  EXPECT_EQ(p.events, s.events);
  Result<Snapshot> back = codec.decode(MustEncode(s));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, p);

  s.events.clear();  // no section: nothing to hold the names
  const Snapshot empty = codec.project(s);
  EXPECT_EQ(empty.device, DeviceIdentity{});
  EXPECT_TRUE(empty.components.empty());
}

TEST(CperCodec, RecordHeaderFields) {
  const Snapshot s = OneEventPerSeverity();
  const Bytes r = MustEncode(s);
  const size_t n = s.events.size();
  EXPECT_EQ(Slice(r, 0, 4), (Bytes{'C', 'P', 'E', 'R'}));  // signature start
  EXPECT_EQ(U16(r, 4), 0x0101);                            // revision 1.1
  EXPECT_EQ(U32(r, 6), 0xffffffffu);                       // signature end
  EXPECT_EQ(U16(r, 10), n);                                // section count
  EXPECT_EQ(U32(r, 12), 1u);                               // severity: fatal, the worst
  EXPECT_EQ(U32(r, 16), 0x2u);                             // valid: timestamp only
  EXPECT_EQ(U32(r, 20), r.size());                         // record length
  // 2025-11-24 16:02:03 as BCD: sec min hour flags(imprecise) day month year century.
  EXPECT_EQ(Slice(r, 24, 8), (Bytes{0x03, 0x02, 0x16, 0x00, 0x24, 0x11, 0x25, 0x20}));
  EXPECT_EQ(Slice(r, 32, 16), Bytes(16, 0));   // platform id (not valid)
  EXPECT_EQ(Slice(r, 48, 16), Bytes(16, 0));   // partition id (not valid)
  EXPECT_EQ(Slice(r, 64, 16), kAccelCreator);  // creator id
  EXPECT_EQ(Slice(r, 80, 16), kNotifyMce);     // notification type
  EXPECT_EQ(U64(r, 96), s.timestamp_ns);       // record id
  EXPECT_EQ(U32(r, 104), 0u);                  // flags
  EXPECT_EQ(U64(r, 108), 0u);                  // persistence information
  EXPECT_EQ(Slice(r, 116, 12), Bytes(12, 0));  // reserved
}

TEST(CperCodec, SectionDescriptorFields) {
  const Snapshot s = OneEventPerSeverity();
  const Bytes r = MustEncode(s);
  const size_t n = s.events.size();
  size_t expected_offset = kHeader + n * kDescriptor;  // bodies follow the descriptors
  for (size_t i = 0; i < n; ++i) {
    const Event& e = s.events[i];
    const size_t d = Descriptor(i);
    SCOPED_TRACE("section " + std::to_string(i));
    EXPECT_EQ(U32(r, d + 0), expected_offset);  // section offset
    const size_t length = kBodyFixed + e.message.size() + e.raw.size();
    EXPECT_EQ(U32(r, d + 4), length);  // section length
    EXPECT_EQ(U16(r, d + 8), 0x0100);  // revision 1.0
    EXPECT_EQ(r[d + 10], 0x02);        // validation: FRU text only
    EXPECT_EQ(r[d + 11], 0x00);        // reserved
    const uint32_t flags = U32(r, d + 12);
    EXPECT_EQ(flags & 0x1, e.severity == ACCEL_RAS_SEV_FATAL ? 1u : 0u);         // primary
    EXPECT_EQ(flags & 0x20, e.severity == ACCEL_RAS_SEV_DEFERRED ? 0x20u : 0u);  // latent
    EXPECT_EQ(flags & ~0x21u, 0u);
    EXPECT_EQ(Slice(r, d + 16, 16), kAccelSectionType);  // section type
    EXPECT_EQ(Slice(r, d + 32, 16), Bytes(16, 0));       // FRU id (not valid)
    EXPECT_EQ(U32(r, d + 48), ExpectedCperSeverity(e.severity));
    EXPECT_EQ(Slice(r, d + 52, 20), Padded("accel7", 20));  // FRU text: the device
    expected_offset += length;
  }
  EXPECT_EQ(expected_offset, r.size());  // the last body ends the record
}

TEST(CperCodec, SectionBodyFields) {
  Snapshot s = OneEventPerSeverity();
  s.components[1].name = "pcie-link-controller";  // 20 bytes: the body keeps 16
  const Bytes r = MustEncode(s);
  for (size_t i = 0; i < s.events.size(); ++i) {
    const Event& e = s.events[i];
    const size_t b = BodyOf(r, i);
    SCOPED_TRACE("section " + std::to_string(i));
    EXPECT_EQ(U32(r, b + 0), e.component);
    EXPECT_EQ(U32(r, b + 4), e.severity);  // accel's own: tells deferred from uncorrected
    EXPECT_EQ(U32(r, b + 8), e.code);
    EXPECT_EQ(U32(r, b + 12), e.count);
    EXPECT_EQ(U32(r, b + 16), e.address ? 1u : 0u);  // flags: address valid
    EXPECT_EQ(U32(r, b + 20), 0u);                   // reserved
    EXPECT_EQ(U64(r, b + 24), e.address.value_or(0));
    EXPECT_EQ(U64(r, b + 32), e.timestamp_ns);
    EXPECT_EQ(U64(r, b + 40), e.seqno);
    EXPECT_EQ(Slice(r, b + 48, 16), Padded(s.components[e.component].name, 16));
    EXPECT_EQ(U16(r, b + 64), e.message.size());
    EXPECT_EQ(Slice(r, b + 66, e.message.size()), Bytes(e.message.begin(), e.message.end()));
    const size_t raw = b + 66 + e.message.size();
    EXPECT_EQ(U16(r, raw), e.raw.size());
    EXPECT_EQ(Slice(r, raw + 2, e.raw.size()), e.raw);
  }
  EXPECT_EQ(Slice(r, BodyOf(r, 1) + 48, 16), Padded("pcie-link-contro", 16));
}

TEST(CperCodec, RecordSeverityIsTheWorstSection) {
  struct Case {
    std::vector<uint32_t> severities;
    uint32_t record;
    const Bytes* notification;
  };
  const Case cases[] = {
      {{}, 3, &kNotifyCmc},  // no section: informational
      {{ACCEL_RAS_SEV_INFORMATIONAL}, 3, &kNotifyCmc},
      {{ACCEL_RAS_SEV_INFORMATIONAL, ACCEL_RAS_SEV_CORRECTED}, 2, &kNotifyCmc},
      {{ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_SEV_DEFERRED}, 0, &kNotifyMce},
      {{ACCEL_RAS_SEV_UNCORRECTED, ACCEL_RAS_SEV_CORRECTED}, 0, &kNotifyMce},
      {{ACCEL_RAS_SEV_FATAL, ACCEL_RAS_SEV_UNCORRECTED}, 1, &kNotifyMce},
  };
  for (const Case& c : cases) {
    Snapshot s = MakeSampleSnapshot({.components = 1, .events = 0});
    for (uint32_t sev : c.severities) {
      Event e;
      e.severity = sev;
      s.events.push_back(e);
    }
    const Bytes r = MustEncode(s);
    SCOPED_TRACE("events " + std::to_string(c.severities.size()));
    EXPECT_EQ(U32(r, 12), c.record);
    EXPECT_EQ(Slice(r, 80, 16), *c.notification);
    // The primary section is the first whose severity is the record's.
    for (size_t i = 0; i < c.severities.size(); ++i) {
      const bool first_worst =
          ExpectedCperSeverity(c.severities[i]) == c.record &&
          std::none_of(c.severities.begin(), c.severities.begin() + i,
                       [&](uint32_t p) { return ExpectedCperSeverity(p) == c.record; });
      EXPECT_EQ(U32(r, Descriptor(i) + 12) & 1, first_worst ? 1u : 0u);
    }
  }
}

TEST(CperCodec, EmptyLogIsABareHeader) {
  const Bytes r = MustEncode(MakeSampleSnapshot({.components = 3, .events = 0}));
  ASSERT_EQ(r.size(), kHeader);
  EXPECT_EQ(U16(r, 10), 0);
  EXPECT_EQ(U32(r, 20), kHeader);
}

TEST(CperCodec, TimestampsAreBcdToTheSecond) {
  struct Case {
    uint64_t ns;
    Bytes bcd;
  };
  const Case cases[] = {
      {0, {0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x70, 0x19}},  // 1970-01-01 00:00:00
      {1764000000999999999ULL, {0x00, 0x00, 0x16, 0x00, 0x24, 0x11, 0x25, 0x20}},
      {UINT64_MAX, {0x33, 0x34, 0x23, 0x00, 0x21, 0x07, 0x54, 0x25}},  // 2554-07-21 23:34:33
  };
  for (const Case& c : cases) {
    Snapshot s;
    s.timestamp_ns = c.ns;
    const Bytes r = MustEncode(s);
    EXPECT_EQ(Slice(r, 24, 8), c.bcd) << c.ns;
    Result<Snapshot> back = codec.decode(r);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->timestamp_ns, c.ns / 1000000000 * 1000000000);
  }
}

TEST(CperCodec, ForeignTimestampsAreReadOrRefused) {
  Snapshot s;
  s.timestamp_ns = 1764000000000000000ULL;
  const Bytes good = MustEncode(s);
  auto with_time = [&](const Bytes& bcd) {
    Bytes r = good;
    std::copy(bcd.begin(), bcd.end(), r.begin() + 24);
    return r;
  };
  Bytes precise = with_time({0x00, 0x00, 0x16, 0x01, 0x24, 0x11, 0x25, 0x20});
  EXPECT_EQ(DecodeError(precise), 0);  // the precise bit is allowed
  EXPECT_EQ(DecodeError(with_time({0x0a, 0x00, 0x16, 0x00, 0x24, 0x11, 0x25, 0x20})), -EINVAL);
  EXPECT_EQ(DecodeError(with_time({0x00, 0x00, 0x16, 0x02, 0x24, 0x11, 0x25, 0x20})), -EINVAL);
  EXPECT_EQ(DecodeError(with_time({0x00, 0x00, 0x16, 0x00, 0x30, 0x02, 0x25, 0x20})), -EINVAL);
  EXPECT_EQ(DecodeError(with_time({0x00, 0x00, 0x24, 0x00, 0x24, 0x11, 0x25, 0x20})), -EINVAL);
  EXPECT_EQ(DecodeError(with_time({0x00, 0x00, 0x00, 0x00, 0x31, 0x12, 0x69, 0x19})), -EINVAL);
  EXPECT_EQ(DecodeError(with_time({0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x99})), -EINVAL);
  Bytes no_time = good;
  Set32(no_time, 16, 0);  // timestamp not valid: whatever the bytes say, no time
  std::fill(no_time.begin() + 24, no_time.begin() + 32, 0xff);
  Result<Snapshot> back = codec.decode(no_time);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->timestamp_ns, 0u);
}

// ---- Malformed records.

TEST(CperCodec, EveryTruncationFails) {
  const Bytes r = MustEncode(MakeSampleSnapshot({.components = 3, .events = 6}));
  for (size_t n = 0; n < r.size(); ++n) {
    Result<Snapshot> s = codec.decode(std::span(r.data(), n));
    EXPECT_FALSE(s.ok()) << "prefix of " << n << " bytes decoded";
  }
  Bytes longer = r;
  longer.push_back(0);
  EXPECT_EQ(DecodeError(longer), -EINVAL);  // record length says otherwise
}

TEST(CperCodec, HeaderChecks) {
  const Bytes good = MustEncode(OneEventPerSeverity());
  ASSERT_EQ(DecodeError(good), 0);
  Bytes r = good;
  r[0] = 'X';
  EXPECT_EQ(DecodeError(r), -EPROTO);  // signature
  r = good;
  Set32(r, 6, 0xfffffffe);
  EXPECT_EQ(DecodeError(r), -EPROTO);  // signature end
  r = good;
  Set16(r, 4, 0x0200);
  EXPECT_EQ(DecodeError(r), -EPROTO);  // revision 2.0
  r = good;
  Set16(r, 4, 0x0100);
  EXPECT_EQ(DecodeError(r), 0);  // revision 1.0 (Linux writes it) reads alike
  r = good;
  Set32(r, 20, r.size() - 1);
  EXPECT_EQ(DecodeError(r), -EINVAL);  // record length
  r = good;
  r[127] = 1;
  EXPECT_EQ(DecodeError(r), -EINVAL);  // reserved
  r = good;
  Set32(r, 16, 0x0a);
  EXPECT_EQ(DecodeError(r), -EINVAL);  // undefined validation bit
  r = good;
  Set32(r, 12, 0);
  EXPECT_EQ(DecodeError(r), -EINVAL);  // severity other than the worst section's
  EXPECT_EQ(DecodeError({}), -EINVAL);
  EXPECT_EQ(DecodeError(Bytes(kMaxEncodedSize + 1, 0)), -E2BIG);
}

TEST(CperCodec, SectionCountsAgainstLength) {
  const Bytes good = MustEncode(OneEventPerSeverity());
  Bytes r = good;
  Set16(r, 10, 6);  // one descriptor more than there is: read from the first body
  EXPECT_LT(DecodeError(r), 0);
  r = good;
  Set16(r, 10, 4096);  // within the model's bound, descriptors past the end
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set16(r, 10, kMaxEvents + 1);
  EXPECT_EQ(DecodeError(r), -E2BIG);
  r = good;
  Set16(r, 10, 0xffff);
  EXPECT_EQ(DecodeError(r), -E2BIG);
  r = good;
  Set16(r, 10, 4);  // one section fewer: the last body is bytes of no section
  EXPECT_EQ(DecodeError(r), -EINVAL);
}

TEST(CperCodec, SectionOffsetsAndLengthsAreChecked) {
  const Bytes good = MustEncode(OneEventPerSeverity());
  const size_t first_body = kHeader + 5 * kDescriptor;
  Bytes r = good;
  Set32(r, Descriptor(0), first_body - 1);  // into the descriptors
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(0), 0);  // onto the header
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(4), r.size());  // at the end
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(4), 0xffffffff);
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(4) + 4, U32(r, Descriptor(4) + 4) + 1);  // past the end
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(4) + 4, 0xffffffff);
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(1), U32(r, Descriptor(0)));  // two sections on one body
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(0) + 4, U32(r, Descriptor(0) + 4) + 1);  // into the next body
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(3) + 4, 10);  // shorter than a body can be
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(3) + 4, 0);
  EXPECT_EQ(DecodeError(r), -EINVAL);

  // Bytes that belong to no section, the record length counting them.
  r = good;
  r.push_back(0);
  Set32(r, 20, r.size());
  EXPECT_EQ(DecodeError(r), -EINVAL);  // after the last body
  r = good;
  const size_t last = BodyOf(r, 4);
  r.insert(r.begin() + last, 0);
  Set32(r, Descriptor(4), last + 1);
  Set32(r, 20, r.size());
  EXPECT_EQ(DecodeError(r), -EINVAL);  // between two bodies
  r = good;
  r.insert(r.begin() + first_body, 0);
  for (size_t i = 0; i < 5; ++i) Set32(r, Descriptor(i), U32(r, Descriptor(i)) + 1);
  Set32(r, 20, r.size());
  EXPECT_EQ(DecodeError(r), -EINVAL);  // between the descriptors and the first body
  Set32(r, 20, r.size() - 1);
  r.erase(r.begin() + first_body);
  for (size_t i = 0; i < 5; ++i) Set32(r, Descriptor(i), U32(r, Descriptor(i)) - 1);
  EXPECT_EQ(r, good);  // the edits above undone: the same record decodes again
  EXPECT_EQ(DecodeError(r), 0);
}

// Bodies need not be in order or back to back (the specification does not ask it): the
// descriptors say where each is.
TEST(CperCodec, BodiesMayLieInAnyOrder) {
  Snapshot s = OneEventPerSeverity();
  s.events.resize(2);
  Bytes r = MustEncode(s);
  const uint32_t off0 = U32(r, Descriptor(0)), len0 = U32(r, Descriptor(0) + 4);
  const uint32_t off1 = U32(r, Descriptor(1)), len1 = U32(r, Descriptor(1) + 4);
  Bytes swapped(r.begin(), r.begin() + off0);
  swapped.insert(swapped.end(), r.begin() + off1, r.begin() + off1 + len1);
  swapped.insert(swapped.end(), r.begin() + off0, r.begin() + off0 + len0);
  Set32(swapped, Descriptor(0), off0 + len1);
  Set32(swapped, Descriptor(1), off0);
  Result<Snapshot> back = codec.decode(swapped);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, codec.project(s));
}

TEST(CperCodec, DescriptorChecks) {
  const Bytes good = MustEncode(OneEventPerSeverity());
  Bytes r = good;
  std::copy(kPlatformMemory.begin(), kPlatformMemory.end(), r.begin() + Descriptor(2) + 16);
  EXPECT_EQ(DecodeError(r), -EPROTO);  // a section type other than accel's
  r = good;
  Set16(r, Descriptor(0) + 8, 0x0200);
  EXPECT_EQ(DecodeError(r), -EPROTO);  // section revision 2.0
  r = good;
  r[Descriptor(0) + 11] = 1;
  EXPECT_EQ(DecodeError(r), -EINVAL);  // reserved
  r = good;
  r[Descriptor(0) + 10] = 0x06;
  EXPECT_EQ(DecodeError(r), -EINVAL);  // undefined validation bit
  r = good;
  Set32(r, Descriptor(1) + 48, 2);  // deferred written as corrected
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(1) + 48, 4);  // no such CPER severity
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  r[Descriptor(3) + 52] = 'X';  // FRU texts disagree about the device
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  r[Descriptor(0) + 52 + 19] = 'X';  // not NUL-padded after the text
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, Descriptor(0) + 12, 0xffffffff);  // flags are informational: ignored
  EXPECT_EQ(DecodeError(r), 0);
}

TEST(CperCodec, BodyChecks) {
  const Bytes good = MustEncode(OneEventPerSeverity());
  const size_t b0 = BodyOf(good, 0), b1 = BodyOf(good, 1);
  Bytes r = good;
  Set32(r, b0 + 4, 5);  // accel severity 5
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, b0 + 4, ACCEL_RAS_SEV_INFORMATIONAL);  // disagrees with the descriptor's
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, b0 + 16, 0x2);  // undefined flag
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, b0 + 20, 1);  // reserved
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set64(r, b0 + 24, 0x1000);  // an address without its valid flag
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, b1 + 16, 0);  // event 1 had an address: now flagged absent, value left
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  r[b0 + 48 + 15] = 'z';  // component name not NUL-padded
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set16(r, b0 + 64, kMaxMessageLen + 1);
  EXPECT_EQ(DecodeError(r), -E2BIG);
  r = good;
  Set16(r, b0 + 64, 200);  // message past its section
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set16(r, b0 + 66 + 5, kMaxRawLen + 1);  // "sev 0" is 5 bytes
  EXPECT_EQ(DecodeError(r), -E2BIG);
  r = good;
  Set16(r, b0 + 66 + 5, 1);  // blob past its section
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, b0, kMaxComponents);  // component index past the model's bound
  EXPECT_EQ(DecodeError(r), -E2BIG);
  r = good;
  Set32(r, b0, 0xffffffff);
  EXPECT_EQ(DecodeError(r), -E2BIG);
}

TEST(CperCodec, SectionsMustAgreeOnComponentNames) {
  const Bytes good = MustEncode(OneEventPerSeverity());  // events 0, 2, 4 on hbm0
  Bytes r = good;
  r[BodyOf(r, 2) + 48] = 'H';
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, BodyOf(r, 2), 1);  // an hbm0 section claiming component 1 (pcie)
  EXPECT_EQ(DecodeError(r), -EINVAL);
  r = good;
  Set32(r, BodyOf(r, 4), 5);  // a component of its own further up: others unnamed
  Result<Snapshot> back = codec.decode(r);
  ASSERT_TRUE(back.ok()) << back.error();
  ASSERT_EQ(back->components.size(), 6u);
  EXPECT_EQ(back->components[5].name, "hbm0");
  EXPECT_EQ(back->components[3].name, "");
}

TEST(CperCodec, EncodeRefusesInvalidAndOversizedSnapshots) {
  Snapshot s = OneEventPerSeverity();
  s.events[0].component = 2;  // no such component
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
