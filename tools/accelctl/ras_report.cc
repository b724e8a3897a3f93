// ras_report.cc - see ras_report.h.
#include "ras_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "ras_names.h"
#include "ras_time.h"
#include "text_table.h"

namespace accelctl {
namespace {

using accel::ras::Counter;
using accel::ras::Event;
using accel::ras::EventRecord;
using accel::ras::Snapshot;

// A driver's message goes on one line whatever it holds.
std::string OneLine(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string UpperCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string AddressText(const Event& e) {
  return e.address ? fmt::format("{:#x}", *e.address) : "-";
}

std::string ComponentName(const Snapshot& s, uint32_t index) {
  return index < s.components.size() ? s.components[index].name : fmt::format("component{}", index);
}

std::string IdentityText(const Snapshot& s) {
  return fmt::format("{}  driver {}, serial {}, bus {}\n  snapshot taken {}\n", s.device.name,
                     s.device.driver, s.device.serial, s.device.bus, UtcText(s.timestamp_ns));
}

// COMPONENT HEALTH CORRECTED ... with "volatile/aggregate" cells; "-" where the device keeps
// no counter for that pair.
std::string CountersText(const Snapshot& s) {
  if (s.components.empty()) return "\n  no components\n";
  std::vector<std::string> header{"COMPONENT", "HEALTH"};
  for (uint32_t sev = 0; sev < accel::ras::kSeverityCount; ++sev)
    header.push_back(UpperCase(RasSeverityName(sev)));
  std::map<std::pair<uint32_t, uint32_t>, const Counter*> by_pair;
  for (const Counter& c : s.counters) by_pair[{c.component, c.severity}] = &c;
  TextTable table(std::move(header));
  for (uint32_t i = 0; i < s.components.size(); ++i) {
    std::vector<std::string> row{s.components[i].name,
                                 accel::ras::HealthName(s.components[i].health)};
    for (uint32_t sev = 0; sev < accel::ras::kSeverityCount; ++sev) {
      auto it = by_pair.find({i, sev});
      row.push_back(it == by_pair.end() ? "-"
                                        : fmt::format("{}/{}", it->second->volatile_count,
                                                      it->second->aggregate_count));
    }
    table.AddRow(std::move(row));
  }
  return "\n" + table.Render("  ") +
         "  counts are volatile/aggregate: since registration or `accelctl ras clear` / over "
         "the device's life\n";
}

std::string EventsText(const Snapshot& s, size_t last_events) {
  const size_t shown = std::min(last_events, s.events.size());
  std::string title = s.events.empty() ? "no events logged"
                      : shown == s.events.size()
                          ? fmt::format("{} events", s.events.size())
                          : fmt::format("last {} of {} events logged", shown, s.events.size());
  if (s.events_dropped > 0)
    title += fmt::format(" ({} older ones fell out of the log)", s.events_dropped);
  if (shown == 0) return fmt::format("\n  {}\n", title);
  TextTable table({"TIME", "SEQ", "COMPONENT", "SEVERITY", "COUNT", "CODE", "ADDRESS", "MESSAGE"});
  for (size_t i = s.events.size() - shown; i < s.events.size(); ++i) {
    const Event& e = s.events[i];
    table.AddRow({UtcText(e.timestamp_ns), std::to_string(e.seqno), ComponentName(s, e.component),
                  RasSeverityName(e.severity), std::to_string(e.count),
                  fmt::format("{:#x}", e.code), AddressText(e), OneLine(e.message)});
  }
  return fmt::format("\n  {}:\n{}", title, table.Render("  "));
}

std::string PagesText(const Snapshot& s) {
  if (s.pages.empty()) return "\n  no retired pages\n";
  TextTable table({"ADDRESS", "CAUSE", "STATE", "SINCE"});
  for (const accel::ras::RetiredPage& p : s.pages)
    table.AddRow({fmt::format("{:#x}", p.address), RasSeverityName(p.cause),
                  p.state == accel::ras::PageState::kRetired ? "retired" : "pending",
                  UtcText(p.timestamp_ns)});
  return fmt::format("\n  {} retired page(s):\n{}", s.pages.size(), table.Render("  "));
}

}  // namespace

std::string EventLine(const EventRecord& r) {
  const Event& e = r.event;
  // Padded to the usual widths (accel255, hbm0/compute, informational) so that lines align.
  std::string line = fmt::format("{}  {:<8}  {:<8}  {:<13}  count={}  code={:#x}  seq={}",
                                 UtcText(e.timestamp_ns), r.device.name, r.component_name,
                                 RasSeverityName(e.severity), e.count, e.code, e.seqno);
  if (e.address) line += fmt::format("  address={:#x}", *e.address);
  if (!e.message.empty()) line += "  " + OneLine(e.message);
  return line;
}

Json EventJson(const EventRecord& r) {
  const Event& e = r.event;
  Json out = {
      {"time", UtcText(e.timestamp_ns)},
      {"timestamp_ns", e.timestamp_ns},
      {"seqno", e.seqno},
      {"device", r.device.name},
      {"driver", r.device.driver},
      {"serial", r.device.serial},
      {"component", r.component_name},
      {"component_index", e.component},
      {"severity", RasSeverityName(e.severity)},
      {"count", e.count},
      {"code", e.code},
  };
  if (e.address) out["address"] = *e.address;
  out["message"] = e.message;
  return out;
}

std::string SnapshotReport(const Snapshot& s, size_t last_events) {
  return IdentityText(s) + CountersText(s) + EventsText(s, last_events) + PagesText(s);
}

}  // namespace accelctl
