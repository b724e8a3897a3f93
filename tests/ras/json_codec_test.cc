// json_codec_test.cc - the JSON RAS codec: layout, round trips, the schema as independent
// reader (python3-jsonschema), and hostile input.
#include "ras/codecs/json/json_codec.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>
#include <nlohmann/json.hpp>

#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using testing::MakeSampleSnapshot;
using testing::SampleShape;

std::vector<uint8_t> Bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

std::string Text(const std::vector<uint8_t>& b) {
  return {b.begin(), b.end()};
}

std::string Encode(const Snapshot& s) {
  Result<std::vector<uint8_t>> r = JsonCodec().encode(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? 0 : r.error());
  return r.ok() ? Text(*r) : std::string();
}

Result<Snapshot> Decode(const std::string& text) {
  return JsonCodec().decode(Bytes(text));
}

int DecodeError(const std::string& text) {
  Result<Snapshot> r = Decode(text);
  return r.ok() ? 0 : r.error();
}

// Replaces the one occurrence of `from` in `text`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from << " is not unique";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A snapshot small enough to spell out, with u64 values past 2^53 and past 2^63.
Snapshot TinySnapshot() {
  Snapshot s;
  s.device = {"accel0", "dummy", "S1", "platform:dummy.0", 0};
  s.timestamp_ns = UINT64_MAX;
  s.components = {{"hbm0", Health::kWarning}};
  s.counters = {{0, 2, 1, (1ULL << 53) + 1}};
  Event e;
  e.seqno = 1;
  e.timestamp_ns = 2;
  e.component = 0;
  e.severity = 3;
  e.code = 0x1234;
  e.count = 1;
  e.address = 0x1000;
  e.message = "a\"b";
  e.raw = {0x00, 0xff};
  s.events = {e};
  s.pages = {{0x2000, 2, PageState::kRetired, 5}};
  return s;
}

const char kTinyJson[] =
    R"({"schema":"accel.ras.v1","device":{"name":"accel0","driver":"dummy","serial":"S1",)"
    R"("bus":"platform:dummy.0","minor":0},"timestamp_ns":18446744073709551615,)"
    R"("components":[{"index":0,"name":"hbm0","health":"warning","counters":)"
    R"({"uncorrected":{"volatile":1,"aggregate":9007199254740993}}}],)"
    R"("events":[{"seqno":1,"timestamp_ns":2,"component":"hbm0","component_index":0,)"
    R"("severity":"fatal","code":4660,"count":1,"address":4096,"message":"a\"b","raw":"AP8="}],)"
    R"("events_dropped":0,"retired_pages":[{"address":8192,"cause":"uncorrected",)"
    R"("state":"retired","timestamp_ns":5}]})";

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

TEST(JsonCodecTest, TableEntry) {
  EXPECT_EQ(JsonCodec().format, static_cast<uint32_t>(ACCEL_RAS_FMT_JSON));
  EXPECT_STREQ(JsonCodec().name, "json");
  EXPECT_EQ(JsonCodec().carries, static_cast<uint32_t>(kCarriesAll));
  EXPECT_EQ(JsonCodec().project, nullptr);
}

TEST(JsonCodecTest, TinySnapshotHasTheDocumentedLayout) {
  EXPECT_EQ(Encode(TinySnapshot()), kTinyJson);
  Result<Snapshot> back = Decode(kTinyJson);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, TinySnapshot());
}

TEST(JsonCodecTest, RoundTripsSampleShapes) {
  for (const SampleShape& shape : Shapes()) {
    const Snapshot s = MakeSampleSnapshot(shape);
    ASSERT_EQ(Validate(s), 0);
    const std::string text = Encode(s);
    Result<Snapshot> back = Decode(text);
    ASSERT_TRUE(back.ok()) << "components=" << shape.components << " error " << back.error();
    EXPECT_EQ(*back, s) << "components=" << shape.components;
    EXPECT_EQ(Encode(*back), text);  // deterministic
  }
}

TEST(JsonCodecTest, RoundTripsExtremeValues) {
  Snapshot s = TinySnapshot();
  s.device.minor = UINT32_MAX;
  s.counters[0].volatile_count = UINT64_MAX;
  s.events[0].seqno = UINT64_MAX;
  s.events[0].code = UINT32_MAX;
  s.events[0].count = 0;
  s.events[0].address = 0;  // present, zero: not the same as absent
  static const char kMessage[] = "nul \0 tab \t ctl \x01 \xe2\x82\xac \\ / \"";
  s.events[0].message = std::string(kMessage, sizeof(kMessage) - 1);
  s.events[0].raw.assign(kMaxRawLen, 0xa5);
  s.events_dropped = UINT64_MAX;
  s.pages[0].address = UINT64_MAX & ~0xfffULL;
  const std::string text = Encode(s);
  EXPECT_NE(text.find("\"seqno\":18446744073709551615"), std::string::npos);
  Result<Snapshot> back = Decode(text);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, s);
}

// Members in another order, and whitespace, are still the same document.
TEST(JsonCodecTest, DecodesReorderedAndIndentedDocuments) {
  const Snapshot s = MakeSampleSnapshot({});
  const nlohmann::json doc = nlohmann::json::parse(Encode(s));  // std::map: sorted members
  for (const std::string& text : {doc.dump(), doc.dump(2)}) {
    Result<Snapshot> back = Decode(text);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, s);
  }
}

TEST(JsonCodecTest, EncodeRefusesTextThatIsNotUtf8) {
  Snapshot s = TinySnapshot();
  s.events[0].message = "\xff";
  Result<std::vector<uint8_t>> r = JsonCodec().encode(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EILSEQ);
}

TEST(JsonCodecTest, EncodeRefusesAnInvalidSnapshot) {
  Snapshot s = TinySnapshot();
  s.events[0].component = 1;  // no such component
  Result<std::vector<uint8_t>> r = JsonCodec().encode(s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EINVAL);
}

// ---- the independent reader ---------------------------------------------------------------

struct ReaderRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string DocumentPath(size_t i) {
  // ctest runs test cases as parallel processes: the pid keeps their files apart.
  return ::testing::TempDir() + "ras_json_" + std::to_string(getpid()) + "_" + std::to_string(i) +
         ".json";
}

ReaderRun RunReader(const std::vector<std::string>& documents) {
  std::string cmd =
      std::string(ACCEL_PYTHON3) + " " + ACCEL_RAS_JSON_READER + " " + ACCEL_RAS_JSON_SCHEMA;
  for (size_t i = 0; i < documents.size(); ++i) {
    const std::string path = DocumentPath(i);
    std::ofstream(path, std::ios::binary) << documents[i];
    cmd += " " + path;
  }
  const std::string err_path =
      ::testing::TempDir() + "ras_json_" + std::to_string(getpid()) + "_reader.err";
  cmd += " 2>" + err_path;
  ReaderRun run;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return run;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) run.out.append(buf, n);
  const int status = pclose(p);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_path);
  std::remove(err_path.c_str());
  for (size_t i = 0; i < documents.size(); ++i) std::remove(DocumentPath(i).c_str());
  return run;
}

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// What json_independent_reader.py prints for a document that encodes `s`.
std::string ExpectedSummary(const Snapshot& s) {
  using std::to_string;
  const DeviceIdentity& d = s.device;
  std::string out = "D " + d.name + " " + d.driver + " " + d.serial + " " + d.bus + " " +
                    to_string(d.minor) + " " + to_string(s.timestamp_ns) + " " +
                    to_string(s.events_dropped) + "\n";
  for (uint32_t i = 0; i < s.components.size(); ++i) {
    out += "C " + to_string(i) + " " + s.components[i].name + " " +
           HealthName(s.components[i].health) + "\n";
    for (const Counter& k : s.counters)
      if (k.component == i)
        out += "K " + to_string(i) + " " + SeverityName(k.severity) + " " +
               to_string(k.volatile_count) + " " + to_string(k.aggregate_count) + "\n";
  }
  for (const Event& e : s.events)
    out += "E " + to_string(e.seqno) + " " + to_string(e.timestamp_ns) + " " +
           s.components[e.component].name + " " + to_string(e.component) + " " +
           SeverityName(e.severity) + " " + to_string(e.code) + " " + to_string(e.count) + " " +
           (e.address ? to_string(*e.address) : "-") + " " + Hex(e.message) + " " +
           Hex(std::string(e.raw.begin(), e.raw.end())) + "\n";
  for (const RetiredPage& p : s.pages)
    out += "P " + to_string(p.address) + " " + SeverityName(p.cause) + " " +
           (p.state == PageState::kRetired ? "retired" : "pending") + " " +
           to_string(p.timestamp_ns) + "\n";
  return out;
}

TEST(JsonCodecTest, IndependentReaderValidatesAndReadsEncodings) {
  std::vector<Snapshot> snapshots = {TinySnapshot()};
  for (const SampleShape& shape : Shapes()) snapshots.push_back(MakeSampleSnapshot(shape));
  std::vector<std::string> documents;
  std::string expected;
  for (const Snapshot& s : snapshots) {
    documents.push_back(Encode(s));
    expected += ExpectedSummary(s);
  }
  const ReaderRun run = RunReader(documents);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, expected);
}

// The schema is not vacuous: documents the decoder refuses for a schema reason fail it too.
TEST(JsonCodecTest, SchemaAndDecoderRefuseTheSameMistakes) {
  const std::string ok = kTinyJson;
  const std::vector<std::string> bad = {
      Replace(ok, R"("schema":"accel.ras.v1")", R"("schema":"accel.ras.v2")"),
      Replace(ok, R"("health":"warning")", R"("health":"bad")"),
      Replace(ok, R"("severity":"fatal")", R"("severity":"FATAL")"),
      Replace(ok, R"("state":"retired")", R"("state":"gone")"),
      Replace(ok, R"("minor":0)", R"("minor":4294967296)"),
      Replace(ok, R"("code":4660)", R"("code":-1)"),
      Replace(ok, R"("count":1)", R"("count":1.5)"),
      Replace(ok, R"("count":1)", R"("count":"1")"),
      Replace(ok, R"("address":4096,)", R"("address":null,)"),
      Replace(ok, R"("timestamp_ns":18446744073709551615)",
              R"("timestamp_ns":18446744073709551616)"),
      Replace(ok, R"("raw":"AP8=")", R"("raw":"AP8")"),
      Replace(ok, R"("raw":"AP8=")", R"("raw":"")"),
      Replace(ok, R"("serial":"S1",)", ""),
      Replace(ok, R"("serial":"S1",)", R"("serial":"S1","colour":"red",)"),
      Replace(ok, R"("name":"hbm0",)", R"("name":")" + std::string(64, 'x') + R"(",)"),
      Replace(ok, R"("message":"a\"b")", R"("message":")" + std::string(256, 'm') + R"(")"),
      Replace(ok, R"("counters":{"uncorrected")", R"("counters":{"bogus")"),
      Replace(ok, R"("index":0)", R"("index":256)"),
  };
  for (const std::string& doc : bad) EXPECT_LT(DecodeError(doc), 0) << doc;
  // One Python process for all of them: each prints "invalid <its path>" and nothing else.
  const ReaderRun run = RunReader(bad);
  EXPECT_EQ(run.status, 1) << run.err;
  std::string expected;
  for (size_t i = 0; i < bad.size(); ++i) expected += "invalid " + DocumentPath(i) + "\n";
  EXPECT_EQ(run.out, expected) << run.err;
  // And the document they were made from is valid.
  EXPECT_EQ(RunReader({ok}).status, 0);
}

// ---- hostile input ----------------------------------------------------------------------

TEST(JsonCodecTest, EveryTruncationFails) {
  const std::string text = Encode(MakeSampleSnapshot({.components = 3, .events = 8, .pages = 2}));
  for (size_t n = 0; n < text.size(); ++n)
    ASSERT_EQ(DecodeError(text.substr(0, n)), -EINVAL) << "prefix of " << n << " bytes";
}

TEST(JsonCodecTest, RefusesMalformedJson) {
  const std::string ok = kTinyJson;
  EXPECT_EQ(DecodeError(""), -EINVAL);
  EXPECT_EQ(DecodeError(ok + "x"), -EINVAL);                               // trailing bytes
  EXPECT_EQ(DecodeError(ok + ok), -EINVAL);                                // two documents
  EXPECT_EQ(DecodeError(Replace(ok, "\"S1\"", "\"S\xff\"")), -EINVAL);     // not UTF-8
  EXPECT_EQ(DecodeError(Replace(ok, "\"S1\"", "\"S\\ud800\"")), -EINVAL);  // lone surrogate
  EXPECT_EQ(DecodeError(Replace(ok, "\"minor\":0", "\"minor\":0,")), -EINVAL);
  EXPECT_EQ(DecodeError("/*c*/" + ok), -EINVAL);  // no comments
}

TEST(JsonCodecTest, RefusesWrongSchema) {
  const std::string ok = kTinyJson;
  EXPECT_EQ(DecodeError("[]"), -EPROTO);
  EXPECT_EQ(DecodeError("42"), -EPROTO);
  EXPECT_EQ(DecodeError("{}"), -EPROTO);  // members missing
  EXPECT_EQ(DecodeError(Replace(ok, R"("minor":0})", R"("minor":0,"minor":1})")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("count":1)", R"("count":1e0)")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("component":"hbm0")", R"("component":"sram")")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("index":0)", R"("index":1)")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("raw":"AP8=")", R"("raw":"AP9=")")), -EPROTO);  // low bits
  EXPECT_EQ(DecodeError(Replace(ok, R"("raw":"AP8=")", R"("raw":"AP8=\n")")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("device":{)", R"("device":[{)")), -EPROTO);
  EXPECT_EQ(DecodeError(Replace(ok, R"("counters":{"uncorrected":{"volatile":1,)",
                                R"("counters":{"uncorrected":{"volatile":1,"volatile":2,)")),
            -EPROTO);
  // An event that names a component the document lacks.
  EXPECT_EQ(DecodeError(Replace(ok, R"("component_index":0)", R"("component_index":1)")), -EPROTO);
}

TEST(JsonCodecTest, RunsValidateOnWhatItRead) {
  Snapshot s = TinySnapshot();
  s.pages = {{0x3000, 0, PageState::kPending, 0}, {0x2000, 0, PageState::kPending, 0}};
  std::string text = Encode(TinySnapshot());
  text =
      Replace(text, R"({"address":8192,"cause":"uncorrected","state":"retired","timestamp_ns":5})",
              R"({"address":12288,"cause":"corrected","state":"pending","timestamp_ns":0},)"
              R"({"address":8192,"cause":"corrected","state":"pending","timestamp_ns":0})");
  EXPECT_EQ(DecodeError(text), -EINVAL);  // pages out of order
}

TEST(JsonCodecTest, NestingStopsAtTheSchemasDepth) {
  EXPECT_EQ(DecodeError(std::string(100000, '[')), -EPROTO);
  EXPECT_EQ(DecodeError(std::string(100000, '{')), -EINVAL);  // '{' '{': a key was expected
  const std::string deep = R"({"schema":"accel.ras.v1","components":[)" + std::string(100000, '[');
  EXPECT_EQ(DecodeError(deep), -EPROTO);
  const std::string deep_object =
      R"({"components":[{"counters":{"fatal":{"volatile":{"x":{"y":{}}}}}}]})";
  EXPECT_EQ(DecodeError(deep_object), -EPROTO);
}

// A document with `components` components and `events` events; names are all "c".
std::string ListDocument(uint32_t components, uint32_t events) {
  std::string doc = R"({"schema":"accel.ras.v1","device":{"name":"a","driver":"d","serial":"s",)"
                    R"("bus":"b","minor":0},"timestamp_ns":0,"components":[)";
  for (uint32_t i = 0; i < components; ++i)
    doc += (i ? "," : "") + std::string(R"({"index":)") + std::to_string(i) +
           R"(,"name":"c","health":"ok","counters":{}})";
  doc += R"(],"events":[)";
  for (uint32_t i = 0; i < events; ++i)
    doc += (i ? "," : "") + std::string(R"({"seqno":0,"timestamp_ns":0,"component":"c",)") +
           R"("component_index":0,"severity":"fatal","code":0,"count":1,"message":""})";
  return doc + R"(],"events_dropped":0,"retired_pages":[]})";
}

TEST(JsonCodecTest, ListsOverTheModelsBoundsAreTooBig) {
  EXPECT_TRUE(Decode(ListDocument(kMaxComponents, kMaxEvents)).ok());
  EXPECT_EQ(DecodeError(ListDocument(kMaxComponents + 1, 0)), -E2BIG);
  EXPECT_EQ(DecodeError(ListDocument(1, kMaxEvents + 1)), -E2BIG);
  const std::string big_raw = R"(,"raw":")" + std::string((kMaxRawLen + 3) / 3 * 4, 'A') + "\"";
  EXPECT_EQ(DecodeError(Replace(kTinyJson, R"(,"raw":"AP8=")", big_raw)), -E2BIG);
}

TEST(JsonCodecTest, InputOverTheSizeBoundIsTooBig) {
  std::string text = kTinyJson;
  text.resize(kMaxEncodedSize + 1, ' ');  // valid JSON with trailing whitespace, but too long
  EXPECT_EQ(DecodeError(text), -E2BIG);
  text.resize(kMaxEncodedSize);
  EXPECT_TRUE(Decode(text).ok());
}

}  // namespace
}  // namespace accel::ras
