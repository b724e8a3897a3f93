// key_val_32_codec_test.cc - the KEY_VAL_32 codec against docs/ras/key_val_32.md.
//
// The independent reader here is the uAPI itself: payloads are read as struct accel_ras_kv32
// with the ACCEL_RAS_KV32_* macros, as a C program built from include/uapi/accel/accel.h alone
// would, and every value is checked against the Snapshot it came from.
#include "ras/codecs/key_val_32/key_val_32_codec.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <tuple>
#include <vector>

#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using testing::MakeSampleSnapshot;
using testing::SampleShape;

const Codec& kv = KeyVal32Codec();

std::vector<uint8_t> Bytes(std::initializer_list<accel_ras_kv32> pairs) {
  std::vector<uint8_t> out(pairs.size() * sizeof(accel_ras_kv32));
  std::memcpy(out.data(), pairs.begin(), out.size());
  return out;
}

uint32_t Key(uint32_t component, uint32_t severity, uint32_t counter) {
  return ACCEL_RAS_KV32_KEY(component, severity, counter);
}

uint64_t Saturated(uint64_t v) {
  return v > 0xffffffffu ? 0xffffffffu : v;
}

TEST(KeyVal32Codec, DescribesItself) {
  EXPECT_EQ(kv.format, static_cast<uint32_t>(ACCEL_RAS_FMT_KEY_VAL_32));
  EXPECT_STREQ(kv.name, "key_val_32");
  EXPECT_EQ(kv.carries, kCarriesCounters);
  ASSERT_NE(kv.project, nullptr);
}

class KeyVal32RoundTrip : public ::testing::TestWithParam<uint32_t> {};

TEST_P(KeyVal32RoundTrip, DecodeOfEncodeIsTheProjection) {
  const Snapshot s = MakeSampleSnapshot({.components = GetParam(), .events = 1000, .seed = 7});
  ASSERT_EQ(Validate(s), 0);
  Result<std::vector<uint8_t>> bytes = kv.encode(s);
  ASSERT_TRUE(bytes.ok()) << bytes.error();
  EXPECT_EQ(bytes->size(), s.counters.size() * 2 * sizeof(accel_ras_kv32));
  Result<Snapshot> back = kv.decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, kv.project(s));
  EXPECT_EQ(Validate(*back), 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, KeyVal32RoundTrip, ::testing::Values(0u, 1u, 5u, 64u, 256u));

// The uAPI's view: every pair decodes with the header's macros to a counter of the snapshot,
// and every counter of the snapshot appears exactly twice (volatile, aggregate).
TEST(KeyVal32Codec, UapiReaderSeesEveryCounterSaturated) {
  const Snapshot s = MakeSampleSnapshot({.components = 64, .big_counts = true});
  Result<std::vector<uint8_t>> bytes = kv.encode(s);
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size() % sizeof(accel_ras_kv32), 0u);

  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> seen;
  for (size_t off = 0; off < bytes->size(); off += sizeof(accel_ras_kv32)) {
    accel_ras_kv32 pair;
    std::memcpy(&pair, bytes->data() + off, sizeof(pair));
    const auto key =
        std::make_tuple(ACCEL_RAS_KV32_COMPONENT(pair.key), ACCEL_RAS_KV32_SEVERITY(pair.key),
                        ACCEL_RAS_KV32_COUNTER(pair.key));
    EXPECT_TRUE(seen.emplace(key, pair.value).second) << "key repeated: " << pair.key;
  }
  ASSERT_EQ(seen.size(), s.counters.size() * 2);
  bool saw_saturation = false;
  for (const Counter& c : s.counters) {
    const auto vol = seen.find({c.component, c.severity, ACCEL_RAS_CTR_VOLATILE});
    const auto agg = seen.find({c.component, c.severity, ACCEL_RAS_CTR_AGGREGATE});
    ASSERT_NE(vol, seen.end());
    ASSERT_NE(agg, seen.end());
    EXPECT_EQ(vol->second, Saturated(c.volatile_count));
    EXPECT_EQ(agg->second, Saturated(c.aggregate_count));
    saw_saturation |= c.aggregate_count > 0xffffffffu && agg->second == 0xffffffffu;
  }
  EXPECT_TRUE(saw_saturation) << "the sample should hold counts above 2^32";
}

TEST(KeyVal32Codec, ProjectionNamesComponentsByIndexAndDropsTheRest) {
  const Snapshot s = MakeSampleSnapshot({.components = 5});
  const Snapshot p = kv.project(s);
  EXPECT_EQ(p.device, DeviceIdentity{});
  EXPECT_EQ(p.timestamp_ns, 0u);
  ASSERT_EQ(p.components.size(), 5u);
  for (uint32_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.components[i].name, std::to_string(i));
    EXPECT_EQ(p.components[i].health, Health::kOk);
  }
  EXPECT_TRUE(p.events.empty());
  EXPECT_TRUE(p.pages.empty());
  EXPECT_EQ(p.events_dropped, 0u);
  ASSERT_EQ(p.counters.size(), s.counters.size());
  for (size_t i = 0; i < s.counters.size(); ++i) {
    EXPECT_EQ(p.counters[i].volatile_count, Saturated(s.counters[i].volatile_count));
    EXPECT_EQ(p.counters[i].aggregate_count, Saturated(s.counters[i].aggregate_count));
  }
}

// Components without counters carry nothing: only indices up to the last counted one survive.
TEST(KeyVal32Codec, ComponentsAfterTheLastCounterVanish) {
  Snapshot s = MakeSampleSnapshot({.components = 5});
  std::erase_if(s.counters, [](const Counter& c) { return c.component >= 3; });
  ASSERT_EQ(Validate(s), 0);
  Result<Snapshot> back = kv.decode(*kv.encode(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->components.size(), 3u);
  EXPECT_EQ(*back, kv.project(s));
}

TEST(KeyVal32Codec, DecodesAHandWrittenPayloadInAnyOrder) {
  // Component 2 only, severities fatal and corrected, listed out of order; one half missing.
  const std::vector<uint8_t> bytes = Bytes({
      {Key(2, ACCEL_RAS_SEV_FATAL, ACCEL_RAS_CTR_AGGREGATE), 9},
      {Key(2, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_VOLATILE), 5},
      {Key(2, ACCEL_RAS_SEV_FATAL, ACCEL_RAS_CTR_VOLATILE), 0xffffffffu},
  });
  Result<Snapshot> s = kv.decode(bytes);
  ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_EQ(s->components.size(), 3u);
  EXPECT_EQ(s->components[0].name, "0");
  EXPECT_EQ(s->components[2].name, "2");
  ASSERT_EQ(s->counters.size(), 2u);
  EXPECT_EQ(s->counters[0], (Counter{2, ACCEL_RAS_SEV_CORRECTED, 5, 0}));
  EXPECT_EQ(s->counters[1], (Counter{2, ACCEL_RAS_SEV_FATAL, 0xffffffffu, 9}));
  EXPECT_EQ(Validate(*s), 0);
}

TEST(KeyVal32Codec, EmptyPayloadIsAnEmptySnapshot) {
  Result<Snapshot> s = kv.decode({});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, Snapshot{});
}

TEST(KeyVal32Codec, RejectsMalformedPayloads) {
  const uint32_t ok_key = Key(0, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_VOLATILE);
  EXPECT_EQ(kv.decode(Bytes({{ok_key, 1}, {ok_key, 2}})).error(), -EINVAL) << "duplicate key";
  EXPECT_EQ(kv.decode(Bytes({{Key(0, 0, 2), 1}})).error(), -EINVAL) << "counter id 2";
  EXPECT_EQ(kv.decode(Bytes({{Key(0, 0, 0xffff), 1}})).error(), -EINVAL) << "counter id";
  EXPECT_EQ(kv.decode(Bytes({{Key(0, ACCEL_RAS_SEV_COUNT, 0), 1}})).error(), -EINVAL);
  EXPECT_EQ(kv.decode(Bytes({{Key(0, 0xff, 0), 1}})).error(), -EINVAL) << "severity 255";

  std::vector<uint8_t> odd = Bytes({{ok_key, 1}});
  odd.push_back(0);
  EXPECT_EQ(kv.decode(odd).error(), -EINVAL) << "length not a multiple of 8";
}

// More pairs than distinct keys exist is refused before anything is sorted or built.
TEST(KeyVal32Codec, RefusesMorePairsThanKeysExist) {
  const size_t max_pairs = size_t{kMaxComponents} * kSeverityCount * 2;
  std::vector<uint8_t> bytes((max_pairs + 1) * sizeof(accel_ras_kv32));
  EXPECT_EQ(kv.decode(bytes).error(), -E2BIG);

  // Exactly every key once is the largest valid payload.
  std::vector<accel_ras_kv32> all;
  for (uint32_t c = 0; c < kMaxComponents; ++c)
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev)
      for (uint32_t ctr = 0; ctr < 2; ++ctr) all.push_back({Key(c, sev, ctr), c});
  std::vector<uint8_t> full(all.size() * sizeof(accel_ras_kv32));
  std::memcpy(full.data(), all.data(), full.size());
  Result<Snapshot> s = kv.decode(full);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->components.size(), kMaxComponents);
  EXPECT_EQ(s->counters.size(), size_t{kMaxComponents} * kSeverityCount);
}

// Every prefix of a valid payload is either refused or a valid (smaller) snapshot.
TEST(KeyVal32Codec, EveryTruncationFailsCleanlyOrValidates) {
  const std::vector<uint8_t> bytes = *kv.encode(MakeSampleSnapshot({.components = 5}));
  for (size_t len = 0; len < bytes.size(); ++len) {
    Result<Snapshot> s = kv.decode(std::span(bytes).first(len));
    if (len % sizeof(accel_ras_kv32) != 0) {
      EXPECT_EQ(s.error(), -EINVAL) << len;
    } else {
      ASSERT_TRUE(s.ok()) << len;
      EXPECT_EQ(Validate(*s), 0) << len;
      EXPECT_EQ(s->counters.size(), (len / sizeof(accel_ras_kv32) + 1) / 2) << len;
    }
  }
}

TEST(KeyVal32Codec, EncodeRefusesWhatWouldNotDecode) {
  Snapshot s = MakeSampleSnapshot({.components = 2});
  s.counters.push_back({.component = 2, .severity = 0});  // no such component
  EXPECT_EQ(kv.encode(s).error(), -EINVAL);

  s = MakeSampleSnapshot({.components = 2});
  std::swap(s.counters[0], s.counters[1]);  // unsorted
  EXPECT_EQ(kv.encode(s).error(), -EINVAL);

  s = MakeSampleSnapshot({.components = 2});
  s.counters[1] = s.counters[0];  // duplicated
  EXPECT_EQ(kv.encode(s).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::ras
