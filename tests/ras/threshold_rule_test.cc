// threshold_rule_test.cc - the threshold rule syntax: parse, format, reject.
#include "ras/service_records.h"

#include <gtest/gtest.h>

namespace accel::ras {
namespace {

TEST(ThresholdRule, ParsesEveryKey) {
  std::string why;
  Result<ThresholdRule> r = ParseThresholdRule(
      "hbm0:corrected count=10 window=60s action=retire_page grace=5m auto_recover=no", &why);
  ASSERT_TRUE(r) << why;
  EXPECT_EQ(r->component, "hbm0");
  EXPECT_EQ(r->severity, 0u);
  EXPECT_EQ(r->count, 10u);
  EXPECT_EQ(r->window_ns, 60ULL * 1000000000ULL);
  EXPECT_EQ(r->action, ThresholdAction::kRetirePage);
  EXPECT_EQ(r->grace_ns, 300ULL * 1000000000ULL);
  EXPECT_FALSE(r->auto_recover);
}

TEST(ThresholdRule, FormatParsesBackToTheSameRule) {
  for (const char* text : {"*:fatal count=1 action=reset grace=300s",
                           "pcie:UNCORRECTED count=3 window=1h action=trigger command=/bin/true",
                           "sram:deferred count=7"}) {
    std::string why;
    Result<ThresholdRule> r = ParseThresholdRule(text, &why);
    ASSERT_TRUE(r) << text << ": " << why;
    Result<ThresholdRule> again = ParseThresholdRule(FormatThresholdRule(*r), &why);
    ASSERT_TRUE(again) << FormatThresholdRule(*r) << ": " << why;
    EXPECT_EQ(*again, *r) << FormatThresholdRule(*r);
  }
}

TEST(ThresholdRule, RejectsWithAReason) {
  for (const char* text :
       {"", "hbm0 count=1", "hbm0:severe count=1", "hbm0:fatal", "hbm0:fatal count=0",
        "hbm0:fatal count=-1", "hbm0:fatal count=1 window=soon",
        "hbm0:fatal count=1 action=explode", "hbm0:fatal count=1 action=trigger",
        "hbm0:fatal count=1 action=trigger command=rel/path", "hbm0:fatal count=1 colour=red",
        "hbm0:fatal count=1 auto_recover=maybe",
        "hbm0:fatal count=1 window=99999999999999999999s"}) {
    std::string why;
    Result<ThresholdRule> r = ParseThresholdRule(text, &why);
    EXPECT_FALSE(r) << text;
    EXPECT_FALSE(why.empty()) << text;
  }
}

}  // namespace
}  // namespace accel::ras
