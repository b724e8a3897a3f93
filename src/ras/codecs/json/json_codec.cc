// json_codec.cc - the JSON encoder and the codec's table entry; the decoder is json_reader.cc.
//
// The document is built as an nlohmann::ordered_json, so members come out in the order the
// schema lists them (a person reading a dump sees "schema" and "device" first), then dumped
// compact. Numbers go in as uint64_t, which nlohmann writes digit for digit.
#include "ras/codecs/json/json_codec.h"

#include <uapi/accel/accel.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>

#include "ras/codecs/json/base64.h"
#include "ras/codecs/json/json_reader.h"

namespace accel::ras {
namespace {

using nlohmann::ordered_json;

const char* PageStateName(PageState state) {
  return state == PageState::kRetired ? "retired" : "pending";
}

// One component with its counters; `next` walks Snapshot::counters, which is sorted by
// (component, severity), so each component takes the run that names it.
ordered_json ComponentJson(const Snapshot& s, uint32_t index, size_t& next) {
  const Component& c = s.components[index];
  ordered_json counters = ordered_json::object();
  for (; next < s.counters.size() && s.counters[next].component == index; ++next) {
    const Counter& k = s.counters[next];
    ordered_json pair = ordered_json::object();
    pair["volatile"] = k.volatile_count;
    pair["aggregate"] = k.aggregate_count;
    counters[SeverityName(k.severity)] = std::move(pair);
  }
  ordered_json j = ordered_json::object();
  j["index"] = index;
  j["name"] = c.name;
  j["health"] = HealthName(c.health);
  j["counters"] = std::move(counters);
  return j;
}

ordered_json EventJson(const Snapshot& s, const Event& e) {
  ordered_json j = ordered_json::object();
  j["seqno"] = e.seqno;
  j["timestamp_ns"] = e.timestamp_ns;
  j["component"] = s.components[e.component].name;
  j["component_index"] = e.component;
  j["severity"] = SeverityName(e.severity);
  j["code"] = e.code;
  j["count"] = e.count;
  if (e.address) j["address"] = *e.address;
  j["message"] = e.message;
  if (!e.raw.empty()) j["raw"] = json::Base64Encode(e.raw);
  return j;
}

ordered_json PageJson(const RetiredPage& p) {
  ordered_json j = ordered_json::object();
  j["address"] = p.address;
  j["cause"] = SeverityName(p.cause);
  j["state"] = PageStateName(p.state);
  j["timestamp_ns"] = p.timestamp_ns;
  return j;
}

ordered_json SnapshotJson(const Snapshot& s) {
  ordered_json doc = ordered_json::object();
  doc["schema"] = kJsonSchemaId;
  ordered_json& d = doc["device"] = ordered_json::object();
  d["name"] = s.device.name;
  d["driver"] = s.device.driver;
  d["serial"] = s.device.serial;
  d["bus"] = s.device.bus;
  d["minor"] = s.device.minor;
  doc["timestamp_ns"] = s.timestamp_ns;
  ordered_json& components = doc["components"] = ordered_json::array();
  size_t next_counter = 0;
  for (uint32_t i = 0; i < s.components.size(); ++i)
    components.push_back(ComponentJson(s, i, next_counter));
  ordered_json& events = doc["events"] = ordered_json::array();
  for (const Event& e : s.events) events.push_back(EventJson(s, e));
  doc["events_dropped"] = s.events_dropped;
  ordered_json& pages = doc["retired_pages"] = ordered_json::array();
  for (const RetiredPage& p : s.pages) pages.push_back(PageJson(p));
  return doc;
}

Result<std::vector<uint8_t>> EncodeJson(const Snapshot& s) {
  if (int rc = Validate(s); rc < 0) return Errno{rc};
  std::string text;
  try {
    text = SnapshotJson(s).dump();
  } catch (const nlohmann::json::exception&) {
    // dump() throws type_error 316 on a string that is not UTF-8: JSON text cannot hold it.
    return Err(EILSEQ);
  } catch (const std::bad_alloc&) {
    return Err(ENOMEM);
  }
  if (text.size() > kMaxEncodedSize) return Err(E2BIG);
  return std::vector<uint8_t>(text.begin(), text.end());
}

const Codec kJsonCodec = {
    .format = ACCEL_RAS_FMT_JSON,
    .name = "json",
    .carries = kCarriesAll,
    .encode = EncodeJson,
    .decode = json::DecodeJson,
    .project = nullptr,
    .text = true,
};

}  // namespace

const Codec& JsonCodec() {
  return kJsonCodec;
}

}  // namespace accel::ras
