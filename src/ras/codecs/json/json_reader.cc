// json_reader.cc - see json_reader.h.
//
// SnapshotSax is a small state machine over nlohmann's SAX events. A stack of frames says
// where the parser is (the top object, the device object, the components array, one component,
// ...); an object frame also remembers which members it has seen and which member the next
// value belongs to. Each event is checked against that place at once: a member the schema does
// not list, a second copy of a member, or a value of the wrong type stops the parse with
// -EPROTO. Members may come in any order (JSON objects are unordered), so cross-member checks
// (a component's "index" equals its position; an event's "component" names the component at
// its "component_index") run when the object or the document ends.
#include "ras/codecs/json/json_reader.h"

#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ras/codec.h"
#include "ras/codecs/json/base64.h"
#include "ras/codecs/json/json_codec.h"

namespace accel::ras::json {
namespace {

using Json = nlohmann::json;

// Where a value is. Object contexts have a member table below; arrays hold objects only.
enum class Ctx : uint8_t {
  kDocument,    // before the top-level value
  kTop,         // the document object
  kDevice,      // "device"
  kComponents,  // "components" array
  kComponent,   // one component
  kCounters,    // a component's "counters": severity name -> counter pair
  kCounter,     // {"volatile", "aggregate"}
  kEvents,      // "events" array
  kEvent,       // one event
  kPages,       // "retired_pages" array
  kPage,        // one retired page
};

// Member names of each object context; a member's number is its index here.
enum TopMember { kSchema, kDevice, kTimestamp, kComponents, kEvents, kDropped, kPages };
constexpr std::string_view kTopMembers[] = {
    "schema", "device", "timestamp_ns", "components", "events", "events_dropped", "retired_pages"};
enum DeviceMember { kDevName, kDevDriver, kDevSerial, kDevBus, kDevMinor };
constexpr std::string_view kDeviceMembers[] = {"name", "driver", "serial", "bus", "minor"};
enum ComponentMember { kCompIndex, kCompName, kCompHealth, kCompCounters };
constexpr std::string_view kComponentMembers[] = {"index", "name", "health", "counters"};
enum CounterMember { kVolatile, kAggregate };
constexpr std::string_view kCounterMembers[] = {"volatile", "aggregate"};
enum EventMember {
  kEvSeqno,
  kEvTimestamp,
  kEvComponent,
  kEvComponentIndex,
  kEvSeverity,
  kEvCode,
  kEvCount,
  kEvAddress,
  kEvMessage,
  kEvRaw,
};
constexpr std::string_view kEventMembers[] = {
    "seqno", "timestamp_ns", "component", "component_index", "severity",
    "code",  "count",        "address",   "message",         "raw"};
enum PageMember { kPageAddress, kPageCause, kPageState, kPageTimestamp };
constexpr std::string_view kPageMembers[] = {"address", "cause", "state", "timestamp_ns"};

constexpr uint32_t Bits(int n) {
  return (1u << n) - 1;
}
constexpr uint32_t kEventRequired = Bits(10) & ~(1u << kEvAddress) & ~(1u << kEvRaw);

struct Frame {
  Ctx ctx = Ctx::kDocument;
  uint32_t seen = 0;  // bit m: member m has been read
  int member = -1;    // the member the next value belongs to
};

// The deepest place the schema has: document, top, components, component, counters, counter.
constexpr size_t kMaxDepth = 6;

// Where a number for the current member goes: a u64 or a u32 field; neither when the member
// takes no number.
struct NumberField {
  uint64_t* u64 = nullptr;
  uint32_t* u32 = nullptr;
};

class SnapshotSax {
 public:
  // nlohmann's SAX interface; returning false stops the parse.
  bool null() { return Fail(-EPROTO); }
  bool boolean(bool) { return Fail(-EPROTO); }
  bool number_integer(Json::number_integer_t) { return Fail(-EPROTO); }  // only negatives
  bool number_unsigned(Json::number_unsigned_t v) { return Unsigned(v); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return Fail(-EPROTO); }
  bool string(Json::string_t& v) { return String(v); }
  bool binary(Json::binary_t&) { return Fail(-EPROTO); }
  bool start_object(size_t) { return StartObject(); }
  bool key(Json::string_t& name) { return Member(name); }
  bool end_object() { return EndObject(); }
  bool start_array(size_t) { return StartArray(); }
  bool end_array() { return Pop(); }
  bool parse_error(size_t, const std::string&, const Json::exception&) { return Fail(-EINVAL); }

  Result<Snapshot> Finish(bool parsed);

 private:
  Frame& Top() { return stack_[depth_ - 1]; }
  bool Fail(int error) {
    if (error_ == 0) error_ = error;
    return false;
  }
  bool Push(Ctx ctx) {
    if (depth_ == kMaxDepth) return Fail(-EPROTO);  // unreachable: the schema is shallower
    stack_[depth_++] = Frame{ctx};
    return true;
  }
  bool Pop() {
    --depth_;
    return true;
  }

  bool Member(std::string_view name);
  bool StartObject();
  bool StartArray();
  bool EndObject();
  NumberField NumberFieldHere();
  bool Unsigned(uint64_t v);
  bool String(const std::string& v);
  bool EventString(const std::string& v);

  std::array<Frame, kMaxDepth> stack_{Frame{Ctx::kDocument}};
  size_t depth_ = 1;
  int error_ = 0;

  Snapshot s_;
  // The object being filled at each level; moved into s_ when it ends.
  Component component_;
  std::optional<uint64_t> component_index_;
  std::array<std::optional<Counter>, kSeverityCount> component_counters_;
  Counter counter_;
  Event event_;
  std::string event_component_name_;
  std::vector<std::string> event_component_names_;  // parallel to s_.events
  RetiredPage page_;
};

// The member table of an object context; empty for kCounters, whose members are severities.
std::span<const std::string_view> MembersOf(Ctx ctx) {
  switch (ctx) {
    case Ctx::kTop:
      return kTopMembers;
    case Ctx::kDevice:
      return kDeviceMembers;
    case Ctx::kComponent:
      return kComponentMembers;
    case Ctx::kCounter:
      return kCounterMembers;
    case Ctx::kEvent:
      return kEventMembers;
    case Ctx::kPage:
      return kPageMembers;
    default:
      return {};
  }
}

uint32_t RequiredOf(Ctx ctx) {
  switch (ctx) {
    case Ctx::kTop:
      return Bits(std::size(kTopMembers));
    case Ctx::kDevice:
      return Bits(std::size(kDeviceMembers));
    case Ctx::kComponent:
      return Bits(std::size(kComponentMembers));
    case Ctx::kCounter:
      return Bits(std::size(kCounterMembers));
    case Ctx::kEvent:
      return kEventRequired;
    case Ctx::kPage:
      return Bits(std::size(kPageMembers));
    default:
      return 0;
  }
}

// The severity whose lowercase name is `name` exactly (the schema's enum is case-sensitive).
std::optional<uint32_t> SeverityNamed(std::string_view name) {
  for (uint32_t i = 0; i < kSeverityCount; ++i)
    if (name == SeverityName(i)) return i;
  return std::nullopt;
}

std::optional<Health> HealthNamed(std::string_view name) {
  for (Health h : {Health::kOk, Health::kWarning, Health::kFailed})
    if (name == HealthName(h)) return h;
  return std::nullopt;
}

bool SetName(const std::string& v, std::string& out) {
  if (v.size() > kMaxNameLen) return false;
  out = v;
  return true;
}

bool SnapshotSax::Member(std::string_view name) {
  Frame& f = Top();
  int m = -1;
  if (f.ctx == Ctx::kCounters) {
    if (std::optional<uint32_t> sev = SeverityNamed(name)) m = static_cast<int>(*sev);
  } else {
    std::span<const std::string_view> members = MembersOf(f.ctx);
    for (size_t i = 0; i < members.size(); ++i)
      if (members[i] == name) m = static_cast<int>(i);
  }
  if (m < 0 || (f.seen & (1u << m))) return Fail(-EPROTO);  // unknown or repeated
  f.seen |= 1u << m;
  f.member = m;
  return true;
}

bool SnapshotSax::StartObject() {
  const Frame& f = Top();
  switch (f.ctx) {
    case Ctx::kDocument:
      return Push(Ctx::kTop);
    case Ctx::kTop:
      return f.member == kDevice ? Push(Ctx::kDevice) : Fail(-EPROTO);
    case Ctx::kComponent:
      return f.member == kCompCounters ? Push(Ctx::kCounters) : Fail(-EPROTO);
    case Ctx::kCounters:
      counter_ = Counter{};
      return Push(Ctx::kCounter);
    case Ctx::kComponents:
      if (s_.components.size() >= kMaxComponents) return Fail(-E2BIG);
      component_ = Component{};
      component_index_.reset();
      component_counters_ = {};
      return Push(Ctx::kComponent);
    case Ctx::kEvents:
      if (s_.events.size() >= kMaxEvents) return Fail(-E2BIG);
      event_ = Event{};
      event_component_name_.clear();
      return Push(Ctx::kEvent);
    case Ctx::kPages:
      if (s_.pages.size() >= kMaxPages) return Fail(-E2BIG);
      page_ = RetiredPage{};
      return Push(Ctx::kPage);
    default:
      return Fail(-EPROTO);
  }
}

bool SnapshotSax::StartArray() {
  const Frame& f = Top();
  if (f.ctx != Ctx::kTop) return Fail(-EPROTO);
  switch (f.member) {
    case kComponents:
      return Push(Ctx::kComponents);
    case kEvents:
      return Push(Ctx::kEvents);
    case kPages:
      return Push(Ctx::kPages);
    default:
      return Fail(-EPROTO);
  }
}

bool SnapshotSax::EndObject() {
  const Frame& f = Top();
  if ((f.seen & RequiredOf(f.ctx)) != RequiredOf(f.ctx)) return Fail(-EPROTO);  // missing
  switch (f.ctx) {
    case Ctx::kComponent: {
      const uint32_t index = static_cast<uint32_t>(s_.components.size());
      if (component_index_ != index) return Fail(-EPROTO);
      s_.components.push_back(std::move(component_));
      for (std::optional<Counter>& c : component_counters_) {
        if (!c) continue;
        c->component = index;
        s_.counters.push_back(*c);
      }
      break;
    }
    case Ctx::kCounter: {
      const uint32_t severity = static_cast<uint32_t>(stack_[depth_ - 2].member);
      counter_.severity = severity;
      component_counters_[severity] = counter_;
      break;
    }
    case Ctx::kEvent:
      s_.events.push_back(std::move(event_));
      event_component_names_.push_back(std::move(event_component_name_));
      break;
    case Ctx::kPage:
      s_.pages.push_back(page_);
      break;
    default:
      break;
  }
  return Pop();
}

NumberField SnapshotSax::NumberFieldHere() {
  const Frame& f = Top();
  switch (f.ctx) {
    case Ctx::kTop:
      if (f.member == kTimestamp) return {&s_.timestamp_ns};
      if (f.member == kDropped) return {&s_.events_dropped};
      return {};
    case Ctx::kDevice:
      return f.member == kDevMinor ? NumberField{nullptr, &s_.device.minor} : NumberField{};
    case Ctx::kComponent:
      return f.member == kCompIndex ? NumberField{&component_index_.emplace()} : NumberField{};
    case Ctx::kCounter:
      return {f.member == kVolatile ? &counter_.volatile_count : &counter_.aggregate_count};
    case Ctx::kEvent:
      switch (f.member) {
        case kEvSeqno:
          return {&event_.seqno};
        case kEvTimestamp:
          return {&event_.timestamp_ns};
        case kEvAddress:
          return {&event_.address.emplace()};
        case kEvComponentIndex:
          return {nullptr, &event_.component};
        case kEvCode:
          return {nullptr, &event_.code};
        case kEvCount:
          return {nullptr, &event_.count};
        default:
          return {};
      }
    case Ctx::kPage:
      if (f.member == kPageAddress) return {&page_.address};
      if (f.member == kPageTimestamp) return {&page_.timestamp_ns};
      return {};
    default:
      return {};
  }
}

bool SnapshotSax::Unsigned(uint64_t v) {
  const NumberField field = NumberFieldHere();
  if (field.u64) {
    *field.u64 = v;
    return true;
  }
  if (field.u32 && v <= UINT32_MAX) {
    *field.u32 = static_cast<uint32_t>(v);
    return true;
  }
  return Fail(-EPROTO);  // not a number member, or too large for a u32 one
}

bool SnapshotSax::String(const std::string& v) {
  const Frame& f = Top();
  switch (f.ctx) {
    case Ctx::kTop:
      if (f.member == kSchema && v == kJsonSchemaId) return true;
      break;
    case Ctx::kDevice: {
      DeviceIdentity& d = s_.device;
      std::string* out = f.member == kDevName     ? &d.name
                         : f.member == kDevDriver ? &d.driver
                         : f.member == kDevSerial ? &d.serial
                         : f.member == kDevBus    ? &d.bus
                                                  : nullptr;
      if (!out) break;
      return SetName(v, *out) || Fail(-E2BIG);
    }
    case Ctx::kComponent:
      if (f.member == kCompName) return SetName(v, component_.name) || Fail(-E2BIG);
      if (f.member == kCompHealth) {
        std::optional<Health> h = HealthNamed(v);
        if (!h) break;
        component_.health = *h;
        return true;
      }
      break;
    case Ctx::kEvent:
      return EventString(v);
    case Ctx::kPage:
      if (f.member == kPageCause) {
        std::optional<uint32_t> sev = SeverityNamed(v);
        if (!sev) break;
        page_.cause = *sev;
        return true;
      }
      if (f.member == kPageState && (v == "pending" || v == "retired")) {
        page_.state = v == "retired" ? PageState::kRetired : PageState::kPending;
        return true;
      }
      break;
    default:
      break;
  }
  return Fail(-EPROTO);
}

bool SnapshotSax::EventString(const std::string& v) {
  switch (Top().member) {
    case kEvComponent:
      return SetName(v, event_component_name_) || Fail(-E2BIG);
    case kEvSeverity: {
      std::optional<uint32_t> sev = SeverityNamed(v);
      if (!sev) return Fail(-EPROTO);
      event_.severity = *sev;
      return true;
    }
    case kEvMessage:
      if (v.size() > kMaxMessageLen) return Fail(-E2BIG);
      event_.message = v;
      return true;
    case kEvRaw: {
      // Checked before decoding, so an oversized blob is never materialised.
      if (v.size() > Base64Length(kMaxRawLen)) return Fail(-E2BIG);
      std::optional<std::vector<uint8_t>> raw = Base64Decode(v);
      if (!raw || raw->empty()) return Fail(-EPROTO);  // no blob is spelled by leaving "raw" out
      if (raw->size() > kMaxRawLen) return Fail(-E2BIG);
      event_.raw = std::move(*raw);
      return true;
    }
    default:
      return Fail(-EPROTO);
  }
}

Result<Snapshot> SnapshotSax::Finish(bool parsed) {
  if (!parsed || depth_ != 1) return Errno{error_ < 0 ? error_ : -EINVAL};
  // Each event names its component twice, by index and by name; the two must agree.
  for (size_t i = 0; i < s_.events.size(); ++i) {
    const uint32_t c = s_.events[i].component;
    if (c >= s_.components.size() || s_.components[c].name != event_component_names_[i])
      return Err(EPROTO);
  }
  if (int rc = Validate(s_); rc < 0) return Errno{rc};
  return std::move(s_);
}

}  // namespace

Result<Snapshot> DecodeJson(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxEncodedSize) return Err(E2BIG);
  try {
    SnapshotSax sax;
    const bool parsed = Json::sax_parse(bytes.begin(), bytes.end(), &sax,
                                        Json::input_format_t::json, /*strict=*/true,
                                        /*ignore_comments=*/false);
    return sax.Finish(parsed);
  } catch (const Json::exception&) {
    return Err(EINVAL);
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
}

}  // namespace accel::ras::json
