// cbor_codec_test.cc - the CBOR RAS codec: a hand-derived byte vector, deterministic encoding
// checked by libcbor's tree decoder (the independent reader), round trips, the strict
// decoder's refusals, and bounds on hostile input, allocation included.
#include "ras/codecs/cbor/cbor_codec.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <cbor.h>
#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include "sample_snapshot.h"

// Every operator new in this test binary is counted, so that a test can tell how much a
// decode allocated.
namespace {
size_t g_allocated = 0;
}  // namespace

// noinline: GCC would otherwise pair an inlined free() with operator new and warn.
[[gnu::noinline]] void* operator new(size_t n) {
  g_allocated += n;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace accel::ras {
namespace {

using testing::MakeSampleSnapshot;
using testing::SampleShape;

std::vector<uint8_t> Hex(const std::string& hex) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : hex)
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::vector<uint8_t> Encode(const Snapshot& s) {
  Result<std::vector<uint8_t>> r = EncodeCborSnapshot(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? 0 : r.error());
  return r.ok() ? *r : std::vector<uint8_t>();
}

int DecodeError(const std::vector<uint8_t>& bytes) {
  Result<Snapshot> r = DecodeCborSnapshot(bytes);
  return r.ok() ? 0 : r.error();
}

int DecodeError(const std::string& hex) {
  return DecodeError(Hex(hex));
}

// A snapshot small enough to encode by hand: every integer width, both optional event keys
// present and absent, an empty string.
Snapshot TinySnapshot() {
  Snapshot s;
  s.device = {"a", "d", "s", "b", 1};
  s.timestamp_ns = 1000;
  s.components = {{"c", Health::kWarning}};
  s.counters = {{0, 0, 1, 1ULL << 32}, {0, 3, 24, 256}};
  Event e1;
  e1.seqno = 7;
  e1.timestamp_ns = 1000;
  e1.severity = 2;
  e1.code = 0x1234;
  e1.count = 1;
  e1.address = 0x1000;
  e1.message = "m";
  e1.raw = {0xab};
  Event e2;
  e2.seqno = 8;
  e2.timestamp_ns = 65536;
  e2.severity = 4;
  e2.code = 0;
  e2.count = 23;
  s.events = {e1, e2};
  s.pages = {{0x2000, 2, PageState::kRetired, 999}};
  return s;
}

// TinySnapshot() by RFC 8949 and docs/ras/cbor.md, derived by hand.
const char kTinyHex[] =
    "a7"                                      // map(7)
    "  00 01"                                 // 0 version: 1
    "  01 a5"                                 // 1 device: map(5)
    "     00 61 61"                           //   0 name: "a"
    "     01 61 64"                           //   1 driver: "d"
    "     02 61 73"                           //   2 serial: "s"
    "     03 61 62"                           //   3 bus: "b"
    "     04 01"                              //   4 minor: 1
    "  02 19 03e8"                            // 2 timestamp: 1000
    "  03 81"                                 // 3 components: array(1)
    "     a3"                                 //   map(3)
    "       00 61 63"                         //     0 name: "c"
    "       01 01"                            //     1 health: warning
    "       02 a2"                            //     2 counters: map(2)
    "          00 82 01 1b 0000000100000000"  //   corrected: [1, 2^32]
    "          03 82 18 18 19 0100"           //       fatal: [24, 256]
    "  04 82"                                 // 4 events: array(2)
    "     a9"                                 //   map(9)
    "       00 07"                            //     0 seqno: 7
    "       01 19 03e8"                       //     1 timestamp: 1000
    "       02 00"                            //     2 component: 0
    "       03 02"                            //     3 severity: uncorrected
    "       04 19 1234"                       //     4 code: 0x1234
    "       05 01"                            //     5 count: 1
    "       06 19 1000"                       //     6 address: 0x1000
    "       07 61 6d"                         //     7 message: "m"
    "       08 41 ab"                         //     8 raw: h'ab'
    "     a7"                                 //   map(7)
    "       00 08"                            //     0 seqno: 8
    "       01 1a 00010000"                   //     1 timestamp: 65536
    "       02 00"                            //     2 component: 0
    "       03 04"                            //     3 severity: informational
    "       04 00"                            //     4 code: 0
    "       05 17"                            //     5 count: 23
    "       07 60"                            //     7 message: ""
    "  05 00"                                 // 5 events_dropped: 0
    "  06 81"                                 // 6 pages: array(1)
    "     a4"                                 //   map(4)
    "       00 19 2000"                       //     0 address: 0x2000
    "       01 02"                            //     1 cause: uncorrected
    "       02 01"                            //     2 state: retired
    "       03 19 03e7";                      //     3 timestamp: 999

std::vector<SampleShape> Shapes() {
  return {
      {.components = 0, .events = 0, .pages = 0},
      {.components = 1, .events = 3, .pages = 1, .seed = 2},
      {},  // 5 components
      {.components = 5,
       .events = 40,
       .pages = 0,
       .seed = 3,
       .big_counts = false,
       .raw_blobs = false},
      {.components = 64, .events = 1000, .pages = 100, .seed = 4},
  };
}

TEST(CborCodecTest, TableEntry) {
  EXPECT_EQ(CborCodec().format, static_cast<uint32_t>(ACCEL_RAS_FMT_CBOR));
  EXPECT_STREQ(CborCodec().name, "cbor");
  EXPECT_EQ(CborCodec().carries, static_cast<uint32_t>(kCarriesAll));
  EXPECT_EQ(CborCodec().project, nullptr);
  EXPECT_EQ(CborCodec().encode, &EncodeCborSnapshot);
  EXPECT_EQ(CborCodec().decode, &DecodeCborSnapshot);
}

TEST(CborCodecTest, TinySnapshotEncodesToTheHandDerivedBytes) {
  EXPECT_EQ(Encode(TinySnapshot()), Hex(kTinyHex));
  Result<Snapshot> back = DecodeCborSnapshot(Hex(kTinyHex));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, TinySnapshot());
}

TEST(CborCodecTest, EmptySnapshotEncodesToTheHandDerivedBytes) {
  // Empty strings, no components, events or pages, zeros everywhere.
  EXPECT_EQ(Encode(Snapshot{}), Hex("a7 0001 01a5 0060 0160 0260 0360 0400 0200 0380 0480 0500 "
                                    "0680"));
}

TEST(CborCodecTest, RoundTripsSampleShapes) {
  for (const SampleShape& shape : Shapes()) {
    const Snapshot s = MakeSampleSnapshot(shape);
    const std::vector<uint8_t> bytes = Encode(s);
    Result<Snapshot> back = DecodeCborSnapshot(bytes);
    ASSERT_TRUE(back.ok()) << "components=" << shape.components << " error " << back.error();
    EXPECT_EQ(*back, s) << "components=" << shape.components;
    EXPECT_EQ(Encode(*back), bytes);
  }
}

TEST(CborCodecTest, RoundTripsExtremeValues) {
  Snapshot s = TinySnapshot();
  s.device.minor = UINT32_MAX;
  s.timestamp_ns = UINT64_MAX;
  s.counters[0].volatile_count = UINT64_MAX;
  s.events[0].address = 0;  // present and zero is not absent
  s.events[0].code = UINT32_MAX;
  s.events[0].message = std::string(kMaxMessageLen, 'x');
  s.events[0].raw.assign(kMaxRawLen, 0x5a);
  static const char kMessage[] = "nul \0 \xe2\x82\xac";
  s.events[1].message = std::string(kMessage, sizeof(kMessage) - 1);
  s.device.name = std::string(kMaxNameLen, 'n');
  Result<Snapshot> back = DecodeCborSnapshot(Encode(s));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

TEST(CborCodecTest, EncodeRefusesTextThatIsNotUtf8AndInvalidSnapshots) {
  Snapshot s = TinySnapshot();
  s.components[0].name = "\xc0\x80";  // overlong NUL
  Result<std::vector<uint8_t>> r = EncodeCborSnapshot(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EILSEQ);
  s = TinySnapshot();
  s.events[0].component = 1;
  r = EncodeCborSnapshot(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EINVAL);
}

TEST(CborCodecTest, EncodingOverTheSizeBoundIsTooBig) {
  Snapshot s = MakeSampleSnapshot({.components = 1, .events = 0, .pages = 0});
  Event e;
  e.raw.assign(kMaxRawLen, 1);
  s.events.assign(kMaxEvents, e);  // 16 MiB of blobs
  Result<std::vector<uint8_t>> r = EncodeCborSnapshot(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -E2BIG);
}

// ---- the independent reader: libcbor's tree decoder ----------------------------------------

struct ItemDeleter {
  void operator()(cbor_item_t* item) const { cbor_decref(&item); }
};
using ItemPtr = std::unique_ptr<cbor_item_t, ItemDeleter>;

size_t ShortestWidth(uint64_t v) {  // bytes after the initial byte
  return v < 24 ? 0 : v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffff ? 4 : 8;
}

// Element i of a libcbor array, borrowed (cbor_array_get would hand out a new reference).
const cbor_item_t* At(const cbor_item_t* array, size_t i) {
  return cbor_array_handle(array)[i];
}

// RFC 8949 section 4.2.1, checked on libcbor's tree: definite lengths, integers in the
// shortest width, map keys unsigned and increasing. (Lengths are checked by re-serialising:
// cbor_serialize writes them in the shortest form.)
void ExpectDeterministic(const cbor_item_t* item, const std::string& path) {
  switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT: {
      static const size_t kWidthBytes[] = {1, 2, 4, 8};  // CBOR_INT_8 ... CBOR_INT_64
      const uint64_t v = cbor_get_int(item);
      const size_t width = kWidthBytes[cbor_int_get_width(item)];
      // libcbor reports values 0..23 as 1-byte width too; only wider is a long form.
      EXPECT_EQ(std::max<size_t>(width, 1), std::max<size_t>(ShortestWidth(v), 1)) << path;
      break;
    }
    case CBOR_TYPE_BYTESTRING:
      EXPECT_TRUE(cbor_bytestring_is_definite(item)) << path;
      break;
    case CBOR_TYPE_STRING:
      EXPECT_TRUE(cbor_string_is_definite(item)) << path;
      break;
    case CBOR_TYPE_ARRAY:
      EXPECT_TRUE(cbor_array_is_definite(item)) << path;
      for (size_t i = 0; i < cbor_array_size(item); ++i)
        ExpectDeterministic(At(item, i), path + "/" + std::to_string(i));
      break;
    case CBOR_TYPE_MAP: {
      EXPECT_TRUE(cbor_map_is_definite(item)) << path;
      const cbor_pair* pairs = cbor_map_handle(item);
      for (size_t i = 0; i < cbor_map_size(item); ++i) {
        ASSERT_TRUE(cbor_isa_uint(pairs[i].key)) << path;
        const uint64_t key = cbor_get_int(pairs[i].key);
        if (i > 0) {
          EXPECT_LT(cbor_get_int(pairs[i - 1].key), key) << path;
        }
        ExpectDeterministic(pairs[i].key, path + "/key");
        ExpectDeterministic(pairs[i].value, path + "/" + std::to_string(key));
      }
      break;
    }
    default:
      ADD_FAILURE() << path << ": type " << cbor_typeof(item) << " is not in the layout";
  }
}

// The value of `key` in a libcbor map, or nullptr.
const cbor_item_t* Get(const cbor_item_t* map, uint64_t key) {
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i)
    if (cbor_get_int(pairs[i].key) == key) return pairs[i].value;
  return nullptr;
}

uint64_t U(const cbor_item_t* map, uint64_t key) {
  const cbor_item_t* v = Get(map, key);
  return v && cbor_isa_uint(v) ? cbor_get_int(v) : ~0ULL;
}

std::string T(const cbor_item_t* map, uint64_t key) {
  const cbor_item_t* v = Get(map, key);
  if (!v || !cbor_isa_string(v)) return "<missing>";
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(v)), cbor_string_length(v));
}

// The layout of docs/ras/cbor.md read through libcbor's tree, independently of cbor_reader.cc.
Snapshot ReadWithLibcbor(const cbor_item_t* root) {
  namespace sk = cbor::snapshot_key;
  Snapshot s;
  EXPECT_EQ(U(root, sk::kVersion), 1u);
  const cbor_item_t* dev = Get(root, sk::kDevice);
  s.device = {T(dev, 0), T(dev, 1), T(dev, 2), T(dev, 3), static_cast<uint32_t>(U(dev, 4))};
  s.timestamp_ns = U(root, sk::kTimestamp);
  const cbor_item_t* comps = Get(root, sk::kComponents);
  for (size_t i = 0; i < cbor_array_size(comps); ++i) {
    const cbor_item_t* c = At(comps, i);
    s.components.push_back({T(c, 0), static_cast<Health>(U(c, 1))});
    const cbor_item_t* counters = Get(c, 2);
    for (size_t k = 0; k < cbor_map_size(counters); ++k) {
      const cbor_pair& pair = cbor_map_handle(counters)[k];
      s.counters.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(cbor_get_int(pair.key)),
                            cbor_get_int(At(pair.value, 0)), cbor_get_int(At(pair.value, 1))});
    }
  }
  const cbor_item_t* events = Get(root, sk::kEvents);
  for (size_t i = 0; i < cbor_array_size(events); ++i) {
    const cbor_item_t* m = At(events, i);
    Event e;
    e.seqno = U(m, 0);
    e.timestamp_ns = U(m, 1);
    e.component = static_cast<uint32_t>(U(m, 2));
    e.severity = static_cast<uint32_t>(U(m, 3));
    e.code = static_cast<uint32_t>(U(m, 4));
    e.count = static_cast<uint32_t>(U(m, 5));
    if (Get(m, 6)) e.address = U(m, 6);
    e.message = T(m, 7);
    if (const cbor_item_t* raw = Get(m, 8))
      e.raw.assign(cbor_bytestring_handle(raw),
                   cbor_bytestring_handle(raw) + cbor_bytestring_length(raw));
    s.events.push_back(e);
  }
  s.events_dropped = U(root, sk::kEventsDropped);
  const cbor_item_t* pages = Get(root, sk::kPages);
  for (size_t i = 0; i < cbor_array_size(pages); ++i) {
    const cbor_item_t* p = At(pages, i);
    s.pages.push_back(
        {U(p, 0), static_cast<uint32_t>(U(p, 1)), static_cast<PageState>(U(p, 2)), U(p, 3)});
  }
  return s;
}

TEST(CborCodecTest, LibcborReadsEncodingsAsDeterministicCborOfTheLayout) {
  std::vector<Snapshot> snapshots = {TinySnapshot(), Snapshot{}};
  for (const SampleShape& shape : Shapes()) snapshots.push_back(MakeSampleSnapshot(shape));
  for (const Snapshot& s : snapshots) {
    const std::vector<uint8_t> bytes = Encode(s);
    cbor_load_result result;
    ItemPtr root(cbor_load(bytes.data(), bytes.size(), &result));
    ASSERT_TRUE(root) << "libcbor error " << result.error.code;
    EXPECT_EQ(result.read, bytes.size());
    ExpectDeterministic(root.get(), "");
    unsigned char* buf = nullptr;
    size_t buf_size = 0;
    const size_t n = cbor_serialize_alloc(root.get(), &buf, &buf_size);
    EXPECT_EQ(std::vector<uint8_t>(buf, buf + n), bytes);
    std::free(buf);
    ASSERT_TRUE(cbor_isa_map(root.get()));
    EXPECT_EQ(ReadWithLibcbor(root.get()), s);
  }
}

// ---- the strict decoder ----------------------------------------------------------------

// kTinyHex with one piece of it replaced.
std::string TinyWith(const std::string& from, const std::string& to) {
  std::string hex;
  for (char c : std::string(kTinyHex))
    if (c != ' ') hex += c;
  const size_t at = hex.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) hex.replace(at, from.size(), to);
  return hex;
}

TEST(CborCodecTest, RefusesNonDeterministicEncodings) {
  // Canonicalising instead would make Decode accept bytes Encode never writes, and two byte
  // strings decode to one Snapshot; the decoder refuses them (docs/ras/cbor.md).
  EXPECT_EQ(DecodeError(TinyWith("a70001", "a7001801")), -EINVAL);  // uint long form
  EXPECT_EQ(DecodeError(TinyWith("a70001", "b8070001")), -EINVAL);  // map length long form
  EXPECT_EQ(DecodeError(TinyWith("0219", "021a0000")), -EINVAL);    // 32-bit where 16 fits
  EXPECT_EQ(DecodeError(TinyWith("006161", "00780161")), -EINVAL);  // string length long form
  EXPECT_EQ(DecodeError(TinyWith("a5006161016164", "a5016164006161")), -EINVAL);  // key order
  EXPECT_EQ(DecodeError(TinyWith("016164", "006164")), -EINVAL);                  // key repeated
  EXPECT_EQ(DecodeError(TinyWith("a70001", "1b00000000000000000001")), -EINVAL);
  // Indefinite lengths: map, string, array.
  std::string indefinite = TinyWith("a70001", "bf0001");
  EXPECT_EQ(DecodeError(indefinite + "ff"), -EINVAL);
  EXPECT_EQ(DecodeError(TinyWith("006161", "007f6161ff")), -EINVAL);
  EXPECT_EQ(DecodeError(TinyWith("0381a3", "039fa3")), -EINVAL);
  EXPECT_EQ(DecodeError(TinyWith("0841ab", "085f41abff")), -EINVAL);
  // The long forms libcbor itself would produce from cbor_build_uint32 and cbor_serialize.
  EXPECT_EQ(DecodeError(TinyWith("0401", "041a00000001")), -EINVAL);
}

TEST(CborCodecTest, RefusesOtherSchemas) {
  EXPECT_EQ(DecodeError(TinyWith("a70001", "a70002")), -EPROTO);              // version 2
  EXPECT_EQ(DecodeError(TinyWith("a70001", "a80001") + "0700"), -EPROTO);     // unknown key 7
  EXPECT_EQ(DecodeError(TinyWith("0101", "0103")), -EPROTO);                  // health 3
  EXPECT_EQ(DecodeError(TinyWith("0304", "0305")), -EPROTO);                  // severity 5
  EXPECT_EQ(DecodeError(TinyWith("0201", "0202")), -EPROTO);                  // page state 2
  EXPECT_EQ(DecodeError(TinyWith("0841ab", "0840")), -EPROTO);                // empty raw
  EXPECT_EQ(DecodeError(TinyWith("0841ab", "0861ab")), -EPROTO);              // text, not bytes
  EXPECT_EQ(DecodeError(TinyWith("07616d", "0761ff")), -EINVAL);              // text, not UTF-8
  EXPECT_EQ(DecodeError(TinyWith("07616d", "0763eda080")), -EINVAL);          // UTF-16 surrogate
  EXPECT_EQ(DecodeError(TinyWith("006161", "0041aa")), -EPROTO);              // bytes, not text
  EXPECT_EQ(DecodeError(TinyWith("0401", "0420")), -EPROTO);                  // negative int
  EXPECT_EQ(DecodeError(TinyWith("0401", "04f93c00")), -EPROTO);              // half float 1.0
  EXPECT_EQ(DecodeError(TinyWith("0401", "04f5")), -EPROTO);                  // true
  EXPECT_EQ(DecodeError(TinyWith("0401", "04c101")), -EPROTO);                // tag 1
  EXPECT_EQ(DecodeError(TinyWith("0401", "041b0000000100000000")), -EPROTO);  // minor > u32
  EXPECT_EQ(DecodeError(TinyWith("a5006161", "a4")), -EPROTO);                // device name missing
  EXPECT_EQ(DecodeError(TinyWith("0082011b0000000100000000", "0083010101")),
            -EPROTO);                                             // counter of 3
  EXPECT_EQ(DecodeError(TinyWith("a70001", "a76130")), -EPROTO);  // text key
  EXPECT_EQ(DecodeError("81a0"), -EPROTO);                        // not a map
  EXPECT_EQ(DecodeError("a0"), -EPROTO);                          // nothing in it
  // Well-formed and of this schema, but Validate() refuses it: an event of component 1.
  EXPECT_EQ(DecodeError(TinyWith("a90007011903e80200", "a90007011903e80201")), -EINVAL);
}

TEST(CborCodecTest, RefusesMalformedCbor) {
  const std::vector<uint8_t> ok = Hex(kTinyHex);
  EXPECT_EQ(DecodeError(std::vector<uint8_t>()), -EINVAL);
  std::vector<uint8_t> trailing = ok;
  trailing.push_back(0);
  EXPECT_EQ(DecodeError(trailing), -EINVAL);
  EXPECT_EQ(DecodeError(TinyWith("0401", "041c")), -EINVAL);  // reserved additional info
  EXPECT_EQ(DecodeError(TinyWith("0401", "04ff")), -EINVAL);  // break outside indefinite
}

TEST(CborCodecTest, EveryTruncationFails) {
  for (const std::vector<uint8_t>& bytes :
       {Hex(kTinyHex), Encode(MakeSampleSnapshot({.components = 3, .events = 8, .pages = 2}))}) {
    for (size_t n = 0; n < bytes.size(); ++n)
      ASSERT_EQ(DecodeError(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n)), -EINVAL)
          << "prefix of " << n << " bytes";
  }
}

TEST(CborCodecTest, ListsAndStringsOverTheModelsBoundsAreTooBig) {
  EXPECT_EQ(DecodeError(TinyWith("0381", "03990101")), -E2BIG);      // 257 components
  EXPECT_EQ(DecodeError(TinyWith("0482", "04991001")), -E2BIG);      // 4097 events
  EXPECT_EQ(DecodeError(TinyWith("0681", "069a00010001")), -E2BIG);  // 65537 pages
  EXPECT_EQ(DecodeError(TinyWith("006161", "007840" + std::string(128, '6'))), -E2BIG);
  std::string long_message =
      "0779010"
      "0";
  for (int i = 0; i < 256; ++i) long_message += "6d";
  EXPECT_EQ(DecodeError(TinyWith("07616d", long_message)), -E2BIG);
  std::string long_raw = "08591001";
  for (uint32_t i = 0; i < kMaxRawLen + 1; ++i) long_raw += "ab";
  EXPECT_EQ(DecodeError(TinyWith("0841ab", long_raw)), -E2BIG);
}

TEST(CborCodecTest, InputOverTheSizeBoundIsTooBig) {
  std::vector<uint8_t> bytes = Hex(kTinyHex);
  bytes.resize(kMaxEncodedSize + 1);
  EXPECT_EQ(DecodeError(bytes), -E2BIG);
}

// Declared counts and lengths the input cannot back are refused before anything is sized by
// them: decoding these allocates next to nothing.
TEST(CborCodecTest, DeclaredSizesLargerThanTheInputAllocateNothing) {
  const std::vector<std::string> lies = {
      TinyWith("0482", "04991000"),  // 4096 events, two present
      // 4096 events, two present, and enough padding for 4096 bytes' worth of elements.
      TinyWith("0482", "04991000") + std::string(2 * 4200, '0'),
      TinyWith("0681", "069a00010000"),              // 65536 pages, one present
      TinyWith("0381", "0398ff"),                    // 255 components, one present
      TinyWith("07616d", "077b00ffffffffffffff6d"),  // a message of 2^56 - 1 bytes
      TinyWith("0841ab", "085bffffffffffffffffab"),  // raw of 2^64 - 1 bytes
      TinyWith("0841ab", "085a00100000ab"),          // raw of 1 MiB
      TinyWith("a70001", "baffffffff0001"),          // a map of 2^32 - 1 entries
      TinyWith("0082011b0000000100000000", "009bffffffffffffffff0101"),  // pair of 2^64 - 1
  };
  for (size_t i = 0; i < lies.size(); ++i) {
    const std::vector<uint8_t> bytes = Hex(lies[i]);
    const size_t before = g_allocated;
    const int rc = DecodeError(bytes);
    const size_t allocated = g_allocated - before;
    EXPECT_LT(rc, 0) << "lie " << i;
    EXPECT_LT(allocated, 4096u) << "lie " << i;
  }
}

// Each nested container the layout has, 100000 deep where it allows none: refused at once.
TEST(CborCodecTest, NestingStopsAtTheLayoutsDepth) {
  std::vector<uint8_t> deep(100000, 0x81);  // [[[[...
  EXPECT_EQ(DecodeError(deep), -EPROTO);
  std::string nested;
  for (int i = 0; i < 100000; ++i) nested += "81";
  EXPECT_EQ(DecodeError(TinyWith("0381a3", "0381" + nested + "a3")), -EPROTO);
  EXPECT_EQ(DecodeError(TinyWith("0082011b", "00" + nested + "82011b")), -EPROTO);
}

}  // namespace
}  // namespace accel::ras
