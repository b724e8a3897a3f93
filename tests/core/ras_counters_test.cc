// Tests of ReadRasCounters for a driver that encodes RAS itself: the driver's KEY_VAL_32 payload
// goes through the KEY_VAL_32 codec, so what the codec refuses reads as -EIO.
#include "core/ras_counters.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/device.h"
#include "core/registry.h"
#include "test_driver.h"

namespace accel::core {
namespace {

// What the driver below answers to RAS_QUERY(KEY_VAL_32).
std::vector<uint8_t> g_payload;

void SetPairs(const std::vector<accel_ras_kv32>& pairs) {
  g_payload.resize(pairs.size() * sizeof(accel_ras_kv32));
  if (!pairs.empty()) std::memcpy(g_payload.data(), pairs.data(), g_payload.size());
}

int PayloadQuery(const accel_call*, uint32_t format, uint32_t, void* buf, uint32_t size,
                 uint32_t* len, uint32_t* schema) noexcept {
  if (format != ACCEL_RAS_FMT_KEY_VAL_32) return -EOPNOTSUPP;
  *len = static_cast<uint32_t>(g_payload.size());
  *schema = ACCEL_RAS_SCHEMA_NATIVE;
  if (size < *len) return -ENOSPC;
  if (*len > 0) std::memcpy(buf, g_payload.data(), *len);
  return 0;
}

class RasCountersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = *testing::TestDriverTable();
    table_.ras_query = PayloadQuery;
  }
  DeviceRef Load() {
    testing::LoadTestDriver(reg_, "count=1", {}, &table_);
    return reg_.Lookup(0);
  }
  accel_driver table_{};
  Registry reg_;
};

TEST_F(RasCountersTest, DecodesPairsIntoCountersInOrder) {
  SetPairs({{ACCEL_RAS_KV32_KEY(1, ACCEL_RAS_SEV_FATAL, ACCEL_RAS_CTR_AGGREGATE), 9},
            {ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_VOLATILE), 7},
            {ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_AGGREGATE), 8}});
  DeviceRef dev = Load();
  Result<std::vector<RasCounter>> cs = ReadRasCounters(*dev.get());
  ASSERT_TRUE(cs.ok()) << cs.error();
  ASSERT_EQ(cs->size(), 2u);
  EXPECT_EQ((*cs)[0].component, 0u);
  EXPECT_EQ((*cs)[0].severity, uint32_t{ACCEL_RAS_SEV_CORRECTED});
  EXPECT_EQ((*cs)[0].volatile_count, 7u);
  EXPECT_EQ((*cs)[0].aggregate_count, 8u);
  EXPECT_EQ((*cs)[1].component, 1u);
  EXPECT_EQ((*cs)[1].severity, uint32_t{ACCEL_RAS_SEV_FATAL});
  EXPECT_EQ((*cs)[1].volatile_count, 0u);  // the half the driver left out
  EXPECT_EQ((*cs)[1].aggregate_count, 9u);
}

TEST_F(RasCountersTest, APayloadTheCodecRefusesIsEio) {
  DeviceRef dev = Load();
  g_payload.assign(12, 0);  // not a whole number of pairs
  EXPECT_EQ(ReadRasCounters(*dev.get()).error(), -EIO);
  SetPairs({{ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_VOLATILE), 1},
            {ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_CORRECTED, ACCEL_RAS_CTR_VOLATILE), 2}});
  EXPECT_EQ(ReadRasCounters(*dev.get()).error(), -EIO);  // the same key twice
  SetPairs({{ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_COUNT, ACCEL_RAS_CTR_VOLATILE), 1}});
  EXPECT_EQ(ReadRasCounters(*dev.get()).error(), -EIO);  // a severity the uAPI does not have
}

}  // namespace
}  // namespace accel::core
