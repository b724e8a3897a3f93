// service_convert.cc - see service_convert.h.
#include "ras/rpc/service_convert.h"

#include <cerrno>

namespace accel::ras {
namespace {

// Length of the valid UTF-8 sequence (RFC 3629) starting at s[i], or 0 when there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  return len;
}

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

std::string ValidUtf8(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size();) {
    const size_t len = Utf8SequenceLength(out, i);
    if (len == 0) {
      out[i++] = '?';
    } else {
      i += len;
    }
  }
  return out;
}

void IdentityToProto(const DeviceIdentity& id, v1::DeviceIdentity* out) {
  out->set_name(ValidUtf8(id.name));
  out->set_driver(ValidUtf8(id.driver));
  out->set_serial(ValidUtf8(id.serial));
  out->set_bus(ValidUtf8(id.bus));
  out->set_minor(id.minor);
}

DeviceIdentity IdentityFromProto(const v1::DeviceIdentity& msg) {
  return DeviceIdentity{msg.name(), msg.driver(), msg.serial(), msg.bus(), msg.minor()};
}

void EventToProto(const Event& e, v1::Event* out) {
  out->set_seqno(e.seqno);
  out->set_timestamp_ns(e.timestamp_ns);
  out->set_component(e.component);
  out->set_severity(static_cast<v1::Severity>(e.severity));
  out->set_code(e.code);
  out->set_count(e.count);
  if (e.address) out->set_address(*e.address);
  out->set_message(ValidUtf8(e.message));
  out->set_raw(e.raw.data(), e.raw.size());
}

Result<Event> EventFromProto(const v1::Event& msg) {
  const auto severity = static_cast<uint32_t>(msg.severity());
  if (severity >= kSeverityCount) return Err(EPROTO);
  if (msg.message().size() > kMaxMessageLen || msg.raw().size() > kMaxRawLen) return Err(E2BIG);
  Event e;
  e.seqno = msg.seqno();
  e.timestamp_ns = msg.timestamp_ns();
  e.component = msg.component();
  e.severity = severity;
  e.code = msg.code();
  e.count = msg.count();
  if (msg.has_address()) e.address = msg.address();
  e.message = msg.message();
  e.raw.assign(msg.raw().begin(), msg.raw().end());
  return e;
}

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
