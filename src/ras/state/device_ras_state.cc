// device_ras_state.cc - see device_ras_state.h.
#include "ras/state/device_ras_state.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

// Drivers and firmware hand us bytes; every text format needs UTF-8. A string that is not
// keeps its ASCII and shows '?' for every other byte, so one bad message cannot make the
// whole device unencodable.
std::string Utf8OrAscii(std::string s) {
  if (IsUtf8(s)) return s;
  for (char& c : s)
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return s;
}

std::vector<std::string> CleanNames(std::vector<std::string> names) {
  for (std::string& n : names) {
    n = Utf8OrAscii(std::move(n));
    if (n.size() > kMaxNameLen) n.resize(kMaxNameLen);
  }
  return names;
}

// Notices of threshold crossings: informational, code 0x7f00 | rule index.
constexpr uint32_t kThresholdNoticeCode = 0x7f00;

uint64_t SatAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

}  // namespace

uint64_t NowNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

DeviceRasState::DeviceRasState(std::vector<std::string> component_names, size_t log_capacity)
    : names_(CleanNames(std::move(component_names))),
      log_capacity_(std::clamp<size_t>(log_capacity, 1, kMaxEvents)),
      counters_(names_.size() * kSeverityCount),
      fw_last_(names_.size() * kSeverityCount) {}

std::optional<uint32_t> DeviceRasState::ComponentIndex(const std::string& name) const {
  for (uint32_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return i;
  return std::nullopt;
}

void DeviceRasState::Restore(
    const std::vector<std::pair<std::string, std::pair<uint32_t, uint64_t>>>& aggregates,
    const std::vector<RetiredPage>& pages, uint64_t last_seqno) {
  std::lock_guard lock(mu_);
  for (const auto& [name, sev_count] : aggregates) {
    std::optional<uint32_t> c = ComponentIndex(name);
    if (!c || sev_count.first >= kSeverityCount) continue;
    counters_[*c * kSeverityCount + sev_count.first].aggregate_count = sev_count.second;
  }
  pages_ = pages;
  std::sort(pages_.begin(), pages_.end(),
            [](const RetiredPage& a, const RetiredPage& b) { return a.address < b.address; });
  pages_.erase(std::unique(pages_.begin(), pages_.end(),
                           [](const RetiredPage& a, const RetiredPage& b) {
                             return a.address == b.address;
                           }),
               pages_.end());
  seqno_ = std::max(seqno_, last_seqno);
}

Event DeviceRasState::AppendLocked(Event e) {
  e.seqno = ++seqno_;
  if (e.timestamp_ns == 0) e.timestamp_ns = NowNs();
  if (e.message.size() > kMaxMessageLen) {
    e.message.resize(kMaxMessageLen);
    // Do not leave half a character behind: drop the incomplete tail of a cut sequence.
    for (int i = 0;
         i < 3 && !IsUtf8(e.message) && static_cast<unsigned char>(e.message.back()) >= 0x80; ++i)
      e.message.pop_back();
  }
  e.message = Utf8OrAscii(std::move(e.message));
  if (e.raw.size() > kMaxRawLen) e.raw.resize(kMaxRawLen);
  if (log_.size() == log_capacity_) {
    log_.pop_front();
    ++dropped_;
  }
  log_.push_back(e);
  return e;
}

RecordResult DeviceRasState::Record(Event e) {
  RecordResult out;
  if (e.component >= names_.size() || e.severity >= kSeverityCount) return out;
  std::lock_guard lock(mu_);
  CounterPair& c = counters_[e.component * kSeverityCount + e.severity];
  c.volatile_count = SatAdd(c.volatile_count, e.count);
  c.aggregate_count = SatAdd(c.aggregate_count, e.count);
  Event logged = AppendLocked(std::move(e));
  out.logged.push_back(logged);
  JudgeLocked(logged, &out);
  return out;
}

void DeviceRasState::JudgeLocked(const Event& e, RecordResult* out) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    RuleState& r = rules_[i];
    if (r.rule.severity != e.severity) continue;
    if (r.rule.component != "*" && r.rule.component != names_[e.component]) continue;
    if (r.rule.window_ns != 0) {
      while (!r.window.empty() && e.timestamp_ns - r.window.front().first >= r.rule.window_ns) {
        r.in_window -= r.window.front().second;
        r.window.pop_front();
      }
    }
    r.window.emplace_back(e.timestamp_ns, e.count);
    r.in_window += e.count;
    if (r.in_window < r.rule.count) continue;

    // Crossed: count it, start a new window, and decide whether the action runs.
    r.window.clear();
    r.in_window = 0;
    ++r.crossings;
    r.last_crossing_ns = e.timestamp_ns;
    FiredThreshold f;
    f.rule_index = i;
    f.rule = r.rule;
    f.cause = e;
    std::string verdict = ThresholdActionName(r.rule.action);
    if (r.rule.action == ThresholdAction::kReset) {
      if (!r.rule.auto_recover) {
        f.act = false;
        verdict = "reset needed (auto_recover off)";
      } else if (r.reset_done && e.timestamp_ns - r.last_reset_ns < r.rule.grace_ns) {
        f.act = false;
        verdict = "reset suppressed (grace period)";
      } else {
        r.reset_done = true;
        r.last_reset_ns = e.timestamp_ns;
      }
    }
    Event notice;
    notice.component = e.component;
    notice.severity = static_cast<uint32_t>(Severity::kInformational);
    notice.code = kThresholdNoticeCode | static_cast<uint32_t>(i & 0xff);
    notice.count = 1;
    notice.timestamp_ns = e.timestamp_ns;
    notice.address = e.address;
    notice.message = "threshold " + FormatThresholdRule(r.rule) + " crossed: " + verdict;
    // Notices are logged but never judged, so a rule on informational events cannot loop.
    f.notice = AppendLocked(std::move(notice));
    out->logged.push_back(f.notice);
    out->fired.push_back(std::move(f));
  }
}

RecordResult DeviceRasState::MergeFirmware(const Snapshot& fw, uint64_t now_ns) {
  RecordResult out;
  auto append = [&out](RecordResult r) {
    out.logged.insert(out.logged.end(), r.logged.begin(), r.logged.end());
    out.fired.insert(out.fired.end(), r.fired.begin(), r.fired.end());
  };
  // Events the firmware lists one by one (newer than the last merged) are recorded as they
  // are: with their code, message and address, which thresholds such as retire_page need. The
  // counts they carry come off the counter increases below, so nothing is counted twice.
  std::vector<uint64_t> explained(fw_last_.size(), 0);
  uint64_t newest = 0;
  for (const Event& e : fw.events) newest = std::max(newest, e.seqno);
  uint64_t last_event;
  {
    std::lock_guard lock(mu_);
    if (newest < fw_last_event_) fw_last_event_ = 0;  // the firmware restarted: seqnos did too
    last_event = fw_last_event_;
    fw_last_event_ = std::max(fw_last_event_, newest);
  }
  std::vector<const Event*> fresh;
  for (const Event& e : fw.events)
    if (e.seqno > last_event) fresh.push_back(&e);
  std::sort(fresh.begin(), fresh.end(),
            [](const Event* a, const Event* b) { return a->seqno < b->seqno; });
  for (const Event* fe : fresh) {
    if (fe->component >= fw.components.size() || fe->severity >= kSeverityCount) continue;
    std::optional<uint32_t> c = ComponentIndex(fw.components[fe->component].name);
    if (!c) continue;
    Event e = *fe;
    e.seqno = 0;  // ours is assigned by Record
    e.component = *c;
    if (e.timestamp_ns == 0) e.timestamp_ns = fw.timestamp_ns != 0 ? fw.timestamp_ns : now_ns;
    explained[*c * kSeverityCount + e.severity] += e.count;
    append(Record(std::move(e)));
  }
  for (const Counter& k : fw.counters) {
    if (k.component >= fw.components.size()) continue;
    std::optional<uint32_t> c = ComponentIndex(fw.components[k.component].name);
    if (!c || k.severity >= kSeverityCount) continue;
    const size_t slot = *c * kSeverityCount + k.severity;
    uint64_t delta;
    {
      std::lock_guard lock(mu_);
      const uint64_t last = fw_last_[slot];
      delta = k.volatile_count >= last ? k.volatile_count - last : k.volatile_count;
      fw_last_[slot] = k.volatile_count;
    }
    delta = delta > explained[slot] ? delta - explained[slot] : 0;
    while (delta > 0) {  // events carry a u32 count
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(delta, UINT32_MAX));
      delta -= n;
      Event e;
      e.component = *c;
      e.severity = k.severity;
      e.code = 0xf000 | k.severity;
      e.count = n;
      e.timestamp_ns = fw.timestamp_ns != 0 ? fw.timestamp_ns : now_ns;
      e.message = "reported by firmware";
      append(Record(std::move(e)));
    }
  }
  return out;
}

void DeviceRasState::SetFirmwareBlob(uint32_t format, std::vector<uint8_t> blob) {
  std::lock_guard lock(mu_);
  fw_blob_.emplace(format, std::move(blob));
}

std::optional<std::pair<uint32_t, std::vector<uint8_t>>> DeviceRasState::FirmwareBlob() const {
  std::lock_guard lock(mu_);
  return fw_blob_;
}

void DeviceRasState::ClearVolatile() {
  std::lock_guard lock(mu_);
  for (CounterPair& c : counters_) c.volatile_count = 0;
  for (RuleState& r : rules_) {
    r.window.clear();
    r.in_window = 0;
    r.crossings = 0;
  }
}

DeviceRasState::PageAdd DeviceRasState::AddPage(uint64_t address, uint32_t cause, uint64_t now_ns,
                                                RetiredPage* out) {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(pages_.begin(), pages_.end(), address,
                             [](const RetiredPage& p, uint64_t a) { return p.address < a; });
  if (it != pages_.end() && it->address == address) return PageAdd::kListed;
  if (pages_.size() >= kMaxPages) return PageAdd::kFull;
  RetiredPage p{address, cause, PageState::kPending, now_ns};
  pages_.insert(it, p);
  if (out) *out = p;
  return PageAdd::kAdded;
}

std::vector<RetiredPage> DeviceRasState::RetirePendingPages() {
  std::lock_guard lock(mu_);
  std::vector<RetiredPage> changed;
  for (RetiredPage& p : pages_) {
    if (p.state != PageState::kPending) continue;
    p.state = PageState::kRetired;
    changed.push_back(p);
  }
  return changed;
}

uint64_t DeviceRasState::AggregateCount(uint32_t component, uint32_t severity) const {
  if (component >= names_.size() || severity >= kSeverityCount) return 0;
  std::lock_guard lock(mu_);
  return counters_[component * kSeverityCount + severity].aggregate_count;
}

void DeviceRasState::SetThresholds(std::vector<ThresholdRule> rules) {
  std::lock_guard lock(mu_);
  rules_.clear();
  for (ThresholdRule& r : rules) {
    RuleState s;
    s.rule = std::move(r);
    rules_.push_back(std::move(s));
  }
}

std::vector<DeviceRasState::ThresholdState> DeviceRasState::Thresholds(uint64_t now_ns) const {
  std::lock_guard lock(mu_);
  std::vector<ThresholdState> out;
  for (const RuleState& r : rules_) {
    ThresholdState t;
    t.rule = r.rule;
    t.crossings = r.crossings;
    t.last_crossing_ns = r.last_crossing_ns;
    for (const auto& [ts, n] : r.window)
      if (r.rule.window_ns == 0 || now_ns - ts < r.rule.window_ns) t.in_window += n;
    if (r.rule.action == ThresholdAction::kReset && !r.rule.auto_recover && r.crossings > 0)
      t.state = "manual";
    else if (r.rule.action == ThresholdAction::kReset && r.reset_done &&
             now_ns - r.last_reset_ns < r.rule.grace_ns)
      t.state = "grace";
    else if (r.crossings > 0)
      t.state = "crossed";
    else
      t.state = "armed";
    out.push_back(std::move(t));
  }
  return out;
}

// failed: a fatal error since registration (or the last clear); warning: an uncorrected or
// deferred one, or a threshold on the component crossed; ok otherwise.
Health DeviceRasState::HealthLocked(uint32_t component, uint64_t) const {
  const CounterPair* c = &counters_[component * kSeverityCount];
  if (c[static_cast<uint32_t>(Severity::kFatal)].volatile_count > 0) return Health::kFailed;
  if (c[static_cast<uint32_t>(Severity::kUncorrected)].volatile_count > 0 ||
      c[static_cast<uint32_t>(Severity::kDeferred)].volatile_count > 0)
    return Health::kWarning;
  for (const RuleState& r : rules_)
    if (r.crossings > 0 && (r.rule.component == "*" || r.rule.component == names_[component]))
      return Health::kWarning;
  return Health::kOk;
}

Snapshot DeviceRasState::TakeSnapshot(const DeviceIdentity& identity, uint64_t now_ns) const {
  Snapshot s;
  s.device = identity;
  s.timestamp_ns = now_ns;
  std::lock_guard lock(mu_);
  s.components.reserve(names_.size());
  s.counters.reserve(counters_.size());
  for (uint32_t c = 0; c < names_.size(); ++c) {
    s.components.push_back({names_[c], HealthLocked(c, now_ns)});
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev) {
      const CounterPair& k = counters_[c * kSeverityCount + sev];
      s.counters.push_back({c, sev, k.volatile_count, k.aggregate_count});
    }
  }
  s.events.assign(log_.begin(), log_.end());
  s.events_dropped = dropped_;
  s.pages = pages_;
  return s;
}

uint64_t DeviceRasState::last_seqno() const {
  std::lock_guard lock(mu_);
  return seqno_;
}

}  // namespace accel::ras
