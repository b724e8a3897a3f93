// vnpu_config_test.cc - ParseVnpuConfig: `accelctl load vnpu key=value ...` arguments, what is
// accepted (units, bounds), what is refused and that a refusal says why.
#include "drivers/vnpu/vnpu_config.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace accel::vnpu {
namespace {

VnpuConfig Parse(const char* args) {
  VnpuConfig c;
  std::string why;
  EXPECT_EQ(ParseVnpuConfig(args, &c, &why), 0) << args << ": " << why;
  return c;
}

// Refused, with a reason that names the offending text.
void ExpectRefused(const char* args, const std::string& named) {
  VnpuConfig c;
  std::string why;
  EXPECT_EQ(ParseVnpuConfig(args, &c, &why), -EINVAL) << args;
  EXPECT_NE(why.find(named), std::string::npos) << args << ": " << why;
}

TEST(VnpuConfigTest, NothingGivesTheDefaults) {
  const VnpuConfig defaults;
  for (const char* args : {static_cast<const char*>(nullptr), "", "   "}) {
    const VnpuConfig c = Parse(args);
    EXPECT_EQ(c.count, defaults.count);
    EXPECT_EQ(c.engines, defaults.engines);
    EXPECT_EQ(c.memory, defaults.memory);
    EXPECT_EQ(c.job_timeout_ms, defaults.job_timeout_ms);
    EXPECT_EQ(c.firmware, defaults.firmware);
    EXPECT_EQ(c.heartbeat_ms, defaults.heartbeat_ms);
    EXPECT_EQ(c.heartbeat_timeout_ms, defaults.heartbeat_timeout_ms);
  }
  // The ones vnpu_config.h documents as stable.
  EXPECT_EQ(defaults.count, 1u);
  EXPECT_EQ(defaults.engines, 2u);
  EXPECT_EQ(defaults.memory, uint64_t{512} << 20);
  EXPECT_TRUE(defaults.firmware);
  EXPECT_GT(defaults.heartbeat_timeout_ms, defaults.heartbeat_ms);
}

TEST(VnpuConfigTest, EveryKey) {
  const VnpuConfig c = Parse(
      "count=3 engines=16 memory=16M job_timeout_ms=50 firmware=none heartbeat_ms=10 "
      "heartbeat_timeout_ms=20");
  EXPECT_EQ(c.count, 3u);
  EXPECT_EQ(c.engines, 16u);
  EXPECT_EQ(c.memory, uint64_t{16} << 20);
  EXPECT_EQ(c.job_timeout_ms, 50u);
  EXPECT_FALSE(c.firmware);
  EXPECT_EQ(c.heartbeat_ms, 10u);
  EXPECT_EQ(c.heartbeat_timeout_ms, 20u);
  EXPECT_TRUE(Parse("firmware=process").firmware);
  EXPECT_EQ(Parse("count=1 count=2").count, 2u);  // the last one wins, as on a command line
}

TEST(VnpuConfigTest, MemoryUnits) {
  EXPECT_EQ(Parse("memory=1048576").memory, uint64_t{1} << 20);
  EXPECT_EQ(Parse("memory=2048K").memory, uint64_t{2} << 20);
  EXPECT_EQ(Parse("memory=2048k").memory, uint64_t{2} << 20);
  EXPECT_EQ(Parse("memory=3M").memory, uint64_t{3} << 20);
  EXPECT_EQ(Parse("memory=3m").memory, uint64_t{3} << 20);
  EXPECT_EQ(Parse("memory=2G").memory, uint64_t{2} << 30);
  EXPECT_EQ(Parse("memory=64g").memory, uint64_t{64} << 30);  // the top of the range
  EXPECT_EQ(Parse("memory=64K").memory, uint64_t{64} << 10);  // the bottom
}

TEST(VnpuConfigTest, OutOfRangeValuesAreRefused) {
  ExpectRefused("count=0", "count=0");
  ExpectRefused("count=17", "count=1..16");
  ExpectRefused("engines=0", "engines=0");
  ExpectRefused("engines=17", "engines=1..16");
  ExpectRefused("memory=63K", "memory=64K..64G");
  ExpectRefused("memory=65G", "memory=65G");
  ExpectRefused("memory=0", "memory=0");
  ExpectRefused("job_timeout_ms=0", "job_timeout_ms");
  ExpectRefused("job_timeout_ms=3600001", "job_timeout_ms");
  ExpectRefused("heartbeat_ms=0", "heartbeat_ms");
  ExpectRefused("heartbeat_ms=10001 heartbeat_timeout_ms=600000", "heartbeat_ms=10001");
  ExpectRefused("heartbeat_timeout_ms=9", "heartbeat_timeout_ms");
  ExpectRefused("heartbeat_timeout_ms=600001", "heartbeat_timeout_ms");
}

TEST(VnpuConfigTest, MalformedValuesAreRefused) {
  ExpectRefused("count=", "count=");
  ExpectRefused("count", "count");
  ExpectRefused("count=-1", "count=-1");
  ExpectRefused("count=two", "count=two");
  ExpectRefused("count=2x", "count=2x");
  ExpectRefused("memory=1.5G", "memory=1.5G");
  ExpectRefused("memory=16MB", "memory=16MB");
  ExpectRefused("memory=16T", "memory=16T");
  ExpectRefused("memory=0x100000", "memory=0x100000");
  // Large enough to overflow 64 bits, with and without a unit.
  ExpectRefused("memory=99999999999999999999", "memory=");
  ExpectRefused("memory=17179869184G", "memory=");
  ExpectRefused("firmware=yes", "firmware=process|none");
  ExpectRefused("firmware=", "firmware");
}

TEST(VnpuConfigTest, UnknownKeysAreRefusedWithTheKnownOnes) {
  ExpectRefused("colour=blue", "colour=blue");
  ExpectRefused("count=1 Engines=2", "Engines=2");
  ExpectRefused("=5", "known: count engines memory");
}

TEST(VnpuConfigTest, TheHeartbeatTimeoutMustExceedTheHeartbeat) {
  ExpectRefused("heartbeat_ms=100 heartbeat_timeout_ms=100", "heartbeat_timeout_ms must exceed");
  ExpectRefused("heartbeat_ms=200 heartbeat_timeout_ms=100", "heartbeat_timeout_ms must exceed");
  // Against the default of the other one, too.
  const VnpuConfig defaults;
  const std::string beat_at_timeout =
      "heartbeat_ms=" + std::to_string(defaults.heartbeat_timeout_ms);
  ExpectRefused(beat_at_timeout.c_str(), "heartbeat_timeout_ms must exceed");
  const std::string timeout_at_beat =
      "heartbeat_timeout_ms=" + std::to_string(defaults.heartbeat_ms);
  ExpectRefused(timeout_at_beat.c_str(), "heartbeat_timeout_ms must exceed");
  EXPECT_EQ(Parse("heartbeat_ms=100 heartbeat_timeout_ms=101").heartbeat_timeout_ms, 101u);
}

}  // namespace
}  // namespace accel::vnpu
