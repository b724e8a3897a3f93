// accelctl_ras_time_test.cc - the time arguments of `accelctl ras log` (tools/accelctl/ras_time).
#include "ras_time.h"

#include <gtest/gtest.h>

namespace accelctl {
namespace {

constexpr uint64_t kSecond = 1000000000ULL;
// 2026-11-25T18:00:00Z: 20782 days after the epoch, plus 18 hours.
constexpr uint64_t kNov25Evening = (20782ULL * 86400 + 18 * 3600) * kSecond;

TEST(RasTimeTest, ReadsIso8601Utc) {
  EXPECT_EQ(ParseTimeArgument("2026-11-25T18:00:00Z", 0), kNov25Evening);
  EXPECT_EQ(ParseTimeArgument("1970-01-01T00:00:00Z", 0), 0u);
  EXPECT_EQ(ParseTimeArgument("2026-11-25T18:00:00.5Z", 0), kNov25Evening + kSecond / 2);
  EXPECT_EQ(ParseTimeArgument("2026-11-25T18:00:00.000000001Z", 0), kNov25Evening + 1);
  EXPECT_EQ(ParseTimeArgument("2024-02-29T00:00:00Z", 0), 19782ULL * 86400 * kSecond);
}

TEST(RasTimeTest, RefusesIso8601ThatIsNotUtcOrNotADate) {
  for (const char* bad :
       {"2026-11-25T18:00:00", "2026-11-25T18:00:00+01:00", "2026-11-25 18:00:00Z",
        "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T18:60:00Z", "1969-12-31T23:59:59Z",
        "2026-11-25T18:00:00.Z", "2026-11-25T18:00:00.0000000001Z", "2026-1-25T18:00:00Z",
        "2026-11-25T18:00:00Zjunk", "9999-01-01T00:00:00Z"})
    EXPECT_FALSE(ParseTimeArgument(bad, 0)) << bad;
}

TEST(RasTimeTest, ReadsEpochSeconds) {
  EXPECT_EQ(ParseTimeArgument("1764093600", 0), 1764093600ULL * kSecond);
  EXPECT_EQ(ParseTimeArgument("0", 0), 0u);
  EXPECT_EQ(ParseTimeArgument("12.25", 0), 12 * kSecond + kSecond / 4);
  for (const char* bad : {"", "-5", "12.", ".5", "1e9", "12x", "18446744073709551616",
                          "18446744073"})  // the last one passes 2554 in nanoseconds
    EXPECT_FALSE(ParseTimeArgument(bad, 0)) << bad;
}

TEST(RasTimeTest, ReadsAgesAsThatLongAgo) {
  const uint64_t now = kNov25Evening;
  EXPECT_EQ(ParseTimeArgument("30s", now), now - 30 * kSecond);
  EXPECT_EQ(ParseTimeArgument("10m", now), now - 600 * kSecond);
  EXPECT_EQ(ParseTimeArgument("2h", now), now - 7200 * kSecond);
  EXPECT_EQ(ParseTimeArgument("3d", now), now - 3 * 86400 * kSecond);
  EXPECT_EQ(ParseTimeArgument("1w", now), now - 7 * 86400 * kSecond);
  EXPECT_EQ(ParseTimeArgument("0m", now), now);
  // Further back than the epoch is the epoch, not a wrapped-around future.
  EXPECT_EQ(ParseTimeArgument("3000w", now), 0u);
  EXPECT_EQ(ParseTimeArgument("18446744073709551615s", now), 0u);
  for (const char* bad : {"m", "10y", "10M", "-10m", "1.5h", "10 m", "99999999999999999999d"})
    EXPECT_FALSE(ParseTimeArgument(bad, now)) << bad;
}

TEST(RasTimeTest, PrintsUtcWithMilliseconds) {
  EXPECT_EQ(UtcText(kNov25Evening), "2026-11-25T18:00:00.000Z");
  EXPECT_EQ(UtcText(kNov25Evening + 123456789), "2026-11-25T18:00:00.123Z");
  EXPECT_EQ(UtcText(0), "1970-01-01T00:00:00.000Z");
  // What it prints, it reads back (to the millisecond).
  EXPECT_EQ(ParseTimeArgument(UtcText(kNov25Evening + 7 * kSecond + 250000000), 0),
            kNov25Evening + 7 * kSecond + 250000000);
}

}  // namespace
}  // namespace accelctl
