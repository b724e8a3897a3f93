// device_ras_state_test.cc - counters, log bound, thresholds and actions' bookkeeping, pages,
// firmware merges.
#include "ras/state/device_ras_state.h"

#include <gtest/gtest.h>

namespace accel::ras {
namespace {

constexpr uint64_t kSec = 1000000000ULL;

Event Ev(uint32_t comp, uint32_t sev, uint32_t count, uint64_t ts,
         std::optional<uint64_t> addr = std::nullopt) {
  Event e;
  e.component = comp;
  e.severity = sev;
  e.count = count;
  e.timestamp_ns = ts;
  e.address = addr;
  e.message = "test";
  return e;
}

ThresholdRule Rule(const std::string& text) {
  std::string why;
  Result<ThresholdRule> r = ParseThresholdRule(text, &why);
  EXPECT_TRUE(r) << why;
  return r ? *r : ThresholdRule{};
}

TEST(DeviceRasState, CountsVolatileAndAggregateAndClearKeepsAggregate) {
  DeviceRasState s({"hbm0", "sram"});
  s.Record(Ev(0, 0, 3, 1));
  s.Record(Ev(1, 2, 1, 2));
  Snapshot snap = s.TakeSnapshot({"accel0", "dummy", "S", "", 0}, 5);
  ASSERT_EQ(Validate(snap), 0);
  ASSERT_EQ(snap.counters.size(), 10u);
  EXPECT_EQ(snap.counters[0].volatile_count, 3u);
  EXPECT_EQ(snap.counters[0].aggregate_count, 3u);
  EXPECT_EQ(snap.counters[5 + 2].volatile_count, 1u);
  EXPECT_EQ(snap.components[1].health, Health::kWarning);  // an uncorrected error
  s.ClearVolatile();
  snap = s.TakeSnapshot({}, 6);
  EXPECT_EQ(snap.counters[0].volatile_count, 0u);
  EXPECT_EQ(snap.counters[0].aggregate_count, 3u);
  EXPECT_EQ(snap.components[1].health, Health::kOk);
  EXPECT_EQ(snap.events.size(), 2u);  // the log is history: clear keeps it
}

TEST(DeviceRasState, OutOfRangeIsNotRecorded) {
  DeviceRasState s({"hbm0"});
  EXPECT_TRUE(s.Record(Ev(1, 0, 1, 1)).logged.empty());
  EXPECT_TRUE(s.Record(Ev(0, 5, 1, 1)).logged.empty());
  EXPECT_EQ(s.last_seqno(), 0u);
}

TEST(DeviceRasState, LogIsBoundedAndCountsWhatFellOut) {
  DeviceRasState s({"hbm0"}, 4);
  for (uint64_t i = 1; i <= 10; ++i) s.Record(Ev(0, 0, 1, i));
  Snapshot snap = s.TakeSnapshot({}, 11);
  ASSERT_EQ(snap.events.size(), 4u);
  EXPECT_EQ(snap.events.front().seqno, 7u);
  EXPECT_EQ(snap.events_dropped, 6u);
  EXPECT_EQ(snap.counters[0].volatile_count, 10u);  // counters do not lose what the log did
}

TEST(DeviceRasState, CountsSaturateInsteadOfWrapping) {
  DeviceRasState s({"hbm0"});
  s.Restore({{"hbm0", {0, UINT64_MAX - 1}}}, {}, 0);
  s.Record(Ev(0, 0, 5, 1));
  EXPECT_EQ(s.AggregateCount(0, 0), UINT64_MAX);
}

TEST(DeviceRasState, ThresholdCrossesWithinItsWindowOnly) {
  DeviceRasState s({"hbm0", "sram"});
  s.SetThresholds({Rule("hbm0:corrected count=3 window=10s action=retire_page")});
  // Two in the window, then the first ages out: no crossing.
  EXPECT_TRUE(s.Record(Ev(0, 0, 1, 1 * kSec)).fired.empty());
  EXPECT_TRUE(s.Record(Ev(0, 0, 1, 5 * kSec)).fired.empty());
  EXPECT_TRUE(s.Record(Ev(0, 0, 1, 12 * kSec)).fired.empty());  // the one at 1 s aged out
  // Other components and severities do not count.
  EXPECT_TRUE(s.Record(Ev(1, 0, 5, 13 * kSec)).fired.empty());
  EXPECT_TRUE(s.Record(Ev(0, 2, 5, 13 * kSec)).fired.empty());
  // 5 s, 12 s and 14 s are within 10 s: crossed, with a notice logged after the event.
  RecordResult r = s.Record(Ev(0, 0, 1, 14 * kSec, 0x123456));
  ASSERT_EQ(r.fired.size(), 1u);
  EXPECT_TRUE(r.fired[0].act);
  EXPECT_EQ(r.fired[0].cause.address, 0x123456u);
  ASSERT_EQ(r.logged.size(), 2u);
  EXPECT_EQ(r.logged[1].severity, static_cast<uint32_t>(Severity::kInformational));
  EXPECT_NE(r.logged[1].message.find("crossed"), std::string::npos);
  auto t = s.Thresholds(15 * kSec);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].crossings, 1u);
  EXPECT_EQ(t[0].in_window, 0u);  // a crossing starts a new window
  EXPECT_EQ(t[0].state, "crossed");
}

TEST(DeviceRasState, NoticesAreNeverJudged) {
  DeviceRasState s({"hbm0"});
  s.SetThresholds({Rule("*:corrected count=1"), Rule("*:informational count=1")});
  RecordResult r = s.Record(Ev(0, 0, 1, kSec));
  EXPECT_EQ(r.fired.size(), 1u);  // the notice did not fire the informational rule
  EXPECT_EQ(r.logged.size(), 2u);
}

TEST(DeviceRasState, ResetHasAGracePeriodAndAnAutoRecoverSwitch) {
  DeviceRasState s({"compute"});
  s.SetThresholds({Rule("*:fatal count=1 action=reset grace=60s"),
                   Rule("*:uncorrected count=1 action=reset auto_recover=no")});
  RecordResult first = s.Record(Ev(0, 3, 1, 100 * kSec));
  ASSERT_EQ(first.fired.size(), 1u);
  EXPECT_TRUE(first.fired[0].act);
  RecordResult second = s.Record(Ev(0, 3, 1, 130 * kSec));  // inside the grace period
  ASSERT_EQ(second.fired.size(), 1u);
  EXPECT_FALSE(second.fired[0].act);
  EXPECT_NE(second.logged[1].message.find("grace"), std::string::npos);
  EXPECT_EQ(s.Thresholds(131 * kSec)[0].state, "grace");
  RecordResult third = s.Record(Ev(0, 3, 1, 161 * kSec));  // past it
  ASSERT_EQ(third.fired.size(), 1u);
  EXPECT_TRUE(third.fired[0].act);
  RecordResult manual = s.Record(Ev(0, 2, 1, 170 * kSec));
  ASSERT_EQ(manual.fired.size(), 1u);
  EXPECT_FALSE(manual.fired[0].act);
  EXPECT_EQ(s.Thresholds(171 * kSec)[1].state, "manual");
}

TEST(DeviceRasState, APageListFullRefusesNewPagesButKnowsListedOnes) {
  DeviceRasState s({"hbm0"});
  using PageAdd = DeviceRasState::PageAdd;
  for (uint64_t i = 0; i < kMaxPages; ++i)
    ASSERT_EQ(s.AddPage(i << 12, 2, 1, nullptr), PageAdd::kAdded) << i;
  EXPECT_EQ(s.AddPage(uint64_t{kMaxPages} << 12, 2, 1, nullptr), PageAdd::kFull);
  EXPECT_EQ(s.AddPage(0x5000, 2, 1, nullptr), PageAdd::kListed);  // listed beats full
}

TEST(DeviceRasState, PagesArePendingUntilAReset) {
  DeviceRasState s({"hbm0"});
  RetiredPage p;
  using PageAdd = DeviceRasState::PageAdd;
  EXPECT_EQ(s.AddPage(0x3000, 0, 1, &p), PageAdd::kAdded);
  EXPECT_EQ(p.state, PageState::kPending);
  EXPECT_EQ(s.AddPage(0x3000, 0, 2, nullptr), PageAdd::kListed);  // listed once
  EXPECT_EQ(s.AddPage(0x1000, 2, 3, nullptr), PageAdd::kAdded);
  Snapshot snap = s.TakeSnapshot({}, 4);
  ASSERT_EQ(snap.pages.size(), 2u);
  EXPECT_EQ(snap.pages[0].address, 0x1000u);  // sorted
  std::vector<RetiredPage> changed = s.RetirePendingPages();
  EXPECT_EQ(changed.size(), 2u);
  EXPECT_TRUE(s.RetirePendingPages().empty());
  EXPECT_EQ(s.TakeSnapshot({}, 5).pages[1].state, PageState::kRetired);
}

TEST(DeviceRasState, FirmwareCountersBecomeEventsByTheirIncrease) {
  DeviceRasState s({"hbm0", "sram", "fw"});
  Snapshot fw;
  fw.components = {{"sram", Health::kOk}, {"hbm0", Health::kOk}};  // its own order
  fw.counters = {{0, 0, 5, 5}, {1, 3, 0, 0}};
  RecordResult r = s.MergeFirmware(fw, 10);
  ASSERT_EQ(r.logged.size(), 1u);
  EXPECT_EQ(r.logged[0].component, 1u);  // sram, by name
  EXPECT_EQ(r.logged[0].count, 5u);
  fw.counters[0].volatile_count = 7;
  r = s.MergeFirmware(fw, 11);
  ASSERT_EQ(r.logged.size(), 1u);
  EXPECT_EQ(r.logged[0].count, 2u);
  EXPECT_TRUE(s.MergeFirmware(fw, 12).logged.empty());  // nothing new
  fw.counters[0].volatile_count = 1;                    // the firmware restarted
  r = s.MergeFirmware(fw, 13);
  ASSERT_EQ(r.logged.size(), 1u);
  EXPECT_EQ(r.logged[0].count, 1u);
  EXPECT_EQ(s.AggregateCount(1, 0), 8u);
}

TEST(DeviceRasState, FirmwareEventsKeepTheirAddressAndAreNotCountedTwice) {
  DeviceRasState s({"hbm0", "sram"});
  Snapshot fw;
  fw.components = {{"hbm0", Health::kOk}};
  fw.counters = {{0, 0, 3, 3}};  // three corrected errors, two of them listed one by one
  Event a;
  a.seqno = 1;
  a.component = 0;
  a.severity = 0;
  a.code = 0x101;
  a.count = 1;
  a.address = 0x1'0000'2040;
  a.message = "single-bit";
  Event b = a;
  b.seqno = 2;
  b.address = 0x1'0000'3000;
  fw.events = {b, a};  // any order: merged by seqno
  RecordResult r = s.MergeFirmware(fw, 10);
  ASSERT_EQ(r.logged.size(), 3u);
  EXPECT_EQ(r.logged[0].address, a.address);
  EXPECT_EQ(r.logged[0].code, 0x101u);
  EXPECT_EQ(r.logged[1].address, b.address);
  EXPECT_FALSE(r.logged[2].address.has_value());  // the one the firmware did not list
  EXPECT_EQ(r.logged[2].count, 1u);
  EXPECT_EQ(s.AggregateCount(0, 0), 3u);
  // The same blob again adds nothing; a restarted firmware's seqno 1 is new again.
  EXPECT_TRUE(s.MergeFirmware(fw, 11).logged.empty());
  Snapshot restarted;
  restarted.components = fw.components;
  restarted.counters = {{0, 0, 1, 1}};
  restarted.events = {a};
  r = s.MergeFirmware(restarted, 12);
  ASSERT_EQ(r.logged.size(), 1u);
  EXPECT_EQ(r.logged[0].address, a.address);
  EXPECT_EQ(s.AggregateCount(0, 0), 4u);
}

TEST(DeviceRasState, RestoreBringsBackAggregatesPagesAndSequence) {
  DeviceRasState s({"hbm0", "sram"});
  s.Restore({{"sram", {2, 42}}, {"gone", {0, 7}}},
            {{0x2000, 2, PageState::kRetired, 1}, {0x1000, 0, PageState::kPending, 2}}, 99);
  EXPECT_EQ(s.AggregateCount(1, 2), 42u);
  RecordResult r = s.Record(Ev(0, 0, 1, 5));
  EXPECT_EQ(r.logged[0].seqno, 100u);  // seqnos go on from the store's
  Snapshot snap = s.TakeSnapshot({}, 6);
  ASSERT_EQ(snap.pages.size(), 2u);
  EXPECT_EQ(snap.pages[0].address, 0x1000u);
}

}  // namespace
}  // namespace accel::ras

namespace accel::ras {
namespace {

TEST(DeviceRasState, TextThatIsNotUtf8IsMadeEncodable) {
  DeviceRasState s({"h\xffm0"});
  Event e = Ev(0, 0, 1, 1);
  e.message = "bad \xc3\x28 byte";
  s.Record(e);
  e.message = std::string(kMaxMessageLen - 1, 'a') + "\xc2\xb5";  // cut inside the last one
  s.Record(e);
  Snapshot snap = s.TakeSnapshot({}, 2);
  EXPECT_EQ(snap.components[0].name, "h?m0");
  EXPECT_EQ(snap.events[0].message, "bad ?( byte");
  EXPECT_EQ(snap.events[1].message, std::string(kMaxMessageLen - 1, 'a'));
}

}  // namespace
}  // namespace accel::ras
