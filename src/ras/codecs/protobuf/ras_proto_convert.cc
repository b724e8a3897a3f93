// ras_proto_convert.cc - see ras_proto_convert.h; the mapping is in docs/ras/protobuf.md.
#include "ras/codecs/protobuf/ras_proto_convert.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <cerrno>

#include "accel/ras/v1/ras.pb.h"
#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

static_assert(v1::Severity_ARRAYSIZE == kSeverityCount, "ras.proto lists every severity");
static_assert(v1::Health_ARRAYSIZE == 3 && v1::PageState_ARRAYSIZE == 2);

// libprotobuf parses a field whose number the schema knows but whose wire type it does not
// (a string where an integer belongs) as an unknown field instead of failing. Such a field is
// not a newer schema's addition, it is a different schema: true when `m` holds one.
bool HasMistypedField(const google::protobuf::Message& m) {
  const google::protobuf::UnknownFieldSet& unknown = m.GetReflection()->GetUnknownFields(m);
  if (unknown.empty()) return false;
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < unknown.field_count(); ++i)
    if (d->FindFieldByNumber(unknown.field(i).number()) != nullptr) return true;
  return false;
}

// proto3 enums are open: a parsed enum field holds whatever int32 was sent.
bool IsSeverity(int v) {
  return v >= 0 && static_cast<uint32_t>(v) < kSeverityCount;
}
bool IsHealth(int v) {
  return v >= 0 && v <= static_cast<int>(Health::kFailed);
}
bool IsPageState(int v) {
  return v >= 0 && v <= static_cast<int>(PageState::kRetired);
}

// The lists' bounds, checked before anything is copied out of them.
int CheckListSizes(const v1::RasSnapshot& msg) {
  if (static_cast<size_t>(msg.components_size()) > kMaxComponents ||
      static_cast<size_t>(msg.counters_size()) > size_t{kMaxComponents} * kSeverityCount ||
      static_cast<size_t>(msg.events_size()) > kMaxEvents ||
      static_cast<size_t>(msg.pages_size()) > kMaxPages)
    return -E2BIG;
  return 0;
}

}  // namespace

Result<void> SnapshotToProto(const Snapshot& s, v1::RasSnapshot* out) {
  // Validate() also refuses text that is not UTF-8 (-EILSEQ), which no parser would accept.
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  out->Clear();
  IdentityToProto(s.device, out->mutable_device());
  out->set_timestamp_ns(s.timestamp_ns);
  out->mutable_components()->Reserve(static_cast<int>(s.components.size()));
  for (const Component& c : s.components) {
    v1::Component* m = out->add_components();
    m->set_name(c.name);
    m->set_health(static_cast<v1::Health>(c.health));
  }
  out->mutable_counters()->Reserve(static_cast<int>(s.counters.size()));
  for (const Counter& c : s.counters) {
    v1::Counter* m = out->add_counters();
    m->set_component(c.component);
    m->set_severity(static_cast<v1::Severity>(c.severity));
    m->set_volatile_count(c.volatile_count);
    m->set_aggregate_count(c.aggregate_count);
  }
  out->mutable_events()->Reserve(static_cast<int>(s.events.size()));
  for (const Event& e : s.events) EventToProto(e, out->add_events());
  out->set_events_dropped(s.events_dropped);
  out->mutable_pages()->Reserve(static_cast<int>(s.pages.size()));
  for (const RetiredPage& p : s.pages) {
    v1::RetiredPage* m = out->add_pages();
    m->set_address(p.address);
    m->set_cause(static_cast<v1::Severity>(p.cause));
    m->set_state(static_cast<v1::PageState>(p.state));
    m->set_timestamp_ns(p.timestamp_ns);
  }
  return {};
}

Result<Snapshot> SnapshotFromProto(const v1::RasSnapshot& msg) {
  if (int rc = CheckListSizes(msg); rc < 0) return Errno{rc};
  if (HasMistypedField(msg) || HasMistypedField(msg.device())) return Err(EPROTO);
  Snapshot s;
  s.device = IdentityFromProto(msg.device());
  s.timestamp_ns = msg.timestamp_ns();
  s.components.reserve(msg.components_size());
  for (const v1::Component& m : msg.components()) {
    if (HasMistypedField(m) || !IsHealth(m.health())) return Err(EPROTO);
    s.components.push_back({m.name(), static_cast<Health>(m.health())});
  }
  s.counters.reserve(msg.counters_size());
  for (const v1::Counter& m : msg.counters()) {
    if (HasMistypedField(m) || !IsSeverity(m.severity())) return Err(EPROTO);
    s.counters.push_back({m.component(), static_cast<uint32_t>(m.severity()), m.volatile_count(),
                          m.aggregate_count()});
  }
  s.events.reserve(msg.events_size());
  for (const v1::Event& m : msg.events()) {
    Result<Event> e = EventFromProto(m);
    if (!e) return Errno{e.error()};
    s.events.push_back(std::move(*e));
  }
  s.events_dropped = msg.events_dropped();
  s.pages.reserve(msg.pages_size());
  for (const v1::RetiredPage& m : msg.pages()) {
    if (HasMistypedField(m) || !IsSeverity(m.cause()) || !IsPageState(m.state()))
      return Err(EPROTO);
    s.pages.push_back({m.address(), static_cast<uint32_t>(m.cause()),
                       static_cast<PageState>(m.state()), m.timestamp_ns()});
  }
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  return s;
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
  if (!e.raw.empty())
    out->mutable_raw()->assign(reinterpret_cast<const char*>(e.raw.data()), e.raw.size());
}

Result<Event> EventFromProto(const v1::Event& msg) {
  if (HasMistypedField(msg) || !IsSeverity(msg.severity())) return Err(EPROTO);
  if (msg.message().size() > kMaxMessageLen || msg.raw().size() > kMaxRawLen) return Err(E2BIG);
  Event e;
  e.seqno = msg.seqno();
  e.timestamp_ns = msg.timestamp_ns();
  e.component = msg.component();
  e.severity = static_cast<uint32_t>(msg.severity());
  e.code = msg.code();
  e.count = msg.count();
  if (msg.has_address()) e.address = msg.address();
  e.message = msg.message();
  e.raw.assign(msg.raw().begin(), msg.raw().end());
  return e;
}

}  // namespace accel::ras
