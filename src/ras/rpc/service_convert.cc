// service_convert.cc - see service_convert.h.
#include "ras/rpc/service_convert.h"

#include <cerrno>

namespace accel::ras {
namespace {

template <typename Msg>
void FillRecord(const EventRecord& r, Msg* out) {
  IdentityToProto(r.device, out->mutable_device());
  out->set_component_name(ValidUtf8(r.component_name));
  EventToProto(r.event, out->mutable_event());
}

template <typename Msg>
Result<EventRecord> ReadRecord(const Msg& msg) {
  if (!msg.has_event()) return Err(EPROTO);
  Result<Event> event = EventFromProto(msg.event());
  if (!event) return Errno{event.error()};
  EventRecord r;
  r.device = IdentityFromProto(msg.device());
  r.component_name = msg.component_name();
  r.event = std::move(*event);
  return r;
}

}  // namespace

void RecordToProto(const EventRecord& r, v1::WatchEvent* out) {
  FillRecord(r, out);
}
void RecordToProto(const EventRecord& r, v1::EventRecord* out) {
  FillRecord(r, out);
}
Result<EventRecord> RecordFromProto(const v1::WatchEvent& msg) {
  return ReadRecord(msg);
}
Result<EventRecord> RecordFromProto(const v1::EventRecord& msg) {
  return ReadRecord(msg);
}

void ThresholdStatusToProto(const ThresholdStatus& s, v1::ThresholdStatus* out) {
  out->set_device(ValidUtf8(s.device));
  v1::ThresholdRule* rule = out->mutable_rule();
  rule->set_component(ValidUtf8(s.rule.component));
  rule->set_severity(static_cast<v1::Severity>(s.rule.severity));
  rule->set_count(s.rule.count);
  rule->set_window_ns(s.rule.window_ns);
  rule->set_action(static_cast<v1::ThresholdAction>(s.rule.action));
  rule->set_command(ValidUtf8(s.rule.command));
  rule->set_grace_ns(s.rule.grace_ns);
  rule->set_auto_recover(s.rule.auto_recover);
  out->set_in_window(s.in_window);
  out->set_crossings(s.crossings);
  out->set_last_crossing_ns(s.last_crossing_ns);
  out->set_state(ValidUtf8(s.state));
}

Result<ThresholdStatus> ThresholdStatusFromProto(const v1::ThresholdStatus& msg) {
  const v1::ThresholdRule& rule = msg.rule();
  const auto severity = static_cast<uint32_t>(rule.severity());
  const auto action = static_cast<uint32_t>(rule.action());
  if (severity >= kSeverityCount || action > static_cast<uint32_t>(ThresholdAction::kTrigger))
    return Err(EPROTO);
  ThresholdStatus s;
  s.device = msg.device();
  s.rule.component = rule.component();
  s.rule.severity = severity;
  s.rule.count = rule.count();
  s.rule.window_ns = rule.window_ns();
  s.rule.action = static_cast<ThresholdAction>(action);
  s.rule.command = rule.command();
  s.rule.grace_ns = rule.grace_ns();
  s.rule.auto_recover = rule.auto_recover();
  s.in_window = msg.in_window();
  s.crossings = msg.crossings();
  s.last_crossing_ns = msg.last_crossing_ns();
  s.state = msg.state();
  return s;
}

}  // namespace accel::ras
