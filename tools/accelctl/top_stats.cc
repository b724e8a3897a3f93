// top_stats.cc - see top_stats.h.
#include "top_stats.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <utility>

namespace accelctl {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

template <typename T>
std::optional<T> ParseUint(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// One "key:\tvalue" line into the sample; anything unknown or malformed is left out.
void AddLine(ClientSample& c, std::string_view key, std::string_view value) {
  if (key == "accel-device") {
    c.device = value;
  } else if (key == "drm-driver") {
    c.driver = value;
  } else if (key == "drm-pdev") {
    c.pdev = value;
  } else if (key == "drm-client-id") {
    if (auto v = ParseUint<uint64_t>(value)) c.client_id = *v;
  } else if (key == "accel-pid") {
    c.pid = ParseUint<uint32_t>(value);
  } else if (key == "accel-uid") {
    c.uid = ParseUint<uint32_t>(value);
  } else if (StartsWith(key, "drm-engine-capacity-")) {  // before drm-engine-: same prefix
    if (auto v = ParseUint<uint64_t>(value); v && *v > 0)
      c.capacity[std::string(key.substr(20))] = *v;
  } else if (StartsWith(key, "drm-engine-")) {
    if (auto v = ParseValue(value)) c.engine_ns[std::string(key.substr(11))] = *v;
  } else if (StartsWith(key, "drm-total-")) {
    if (auto v = ParseValue(value)) c.total[std::string(key.substr(10))] = *v;
  } else if (StartsWith(key, "drm-resident-")) {
    if (auto v = ParseValue(value)) c.resident[std::string(key.substr(13))] = *v;
  }
}

uint64_t Sum(const std::map<std::string, uint64_t>& m) {
  uint64_t s = 0;
  for (const auto& [k, v] : m) s += v;
  return s;
}

double Percent(double part, double whole) {
  if (whole <= 0) return 0;
  return std::clamp(100.0 * part / whole, 0.0, 100.0);
}

uint64_t CapacityOf(const ClientSample& c, const std::string& engine) {
  auto it = c.capacity.find(engine);
  return it == c.capacity.end() ? 1 : it->second;
}

// Engine time `c` gained since `before` (all of it for a client that was not there before: a
// client's counters start at zero when it opens the device).
uint64_t Delta(const ClientSample& c, const ClientSample* before, const std::string& engine) {
  const uint64_t now = c.engine_ns.at(engine);
  if (before == nullptr) return now;
  auto it = before->engine_ns.find(engine);
  const uint64_t then = it == before->engine_ns.end() ? 0 : it->second;
  return now >= then ? now - then : 0;
}

// accel2 before accel10.
bool DeviceLess(const std::string& a, const std::string& b) {
  return std::make_pair(a.size(), a) < std::make_pair(b.size(), b);
}

ClientRow MakeRow(const ClientSample& c, const ClientSample* before, bool timed,
                  double interval_ns) {
  ClientRow row{c, {}, std::nullopt, Sum(c.total), Sum(c.resident)};
  if (!timed) return row;
  double gained = 0, capacity = 0;
  for (const auto& [engine, ns] : c.engine_ns) {
    const double d = static_cast<double>(Delta(c, before, engine));
    const double cap = static_cast<double>(CapacityOf(c, engine));
    row.busy[engine] = Percent(d, interval_ns * cap);
    gained += d;
    capacity += cap;
  }
  row.total_busy = c.engine_ns.empty() ? 0.0 : Percent(gained, interval_ns * capacity);
  return row;
}

}  // namespace

std::optional<uint64_t> ParseValue(std::string_view value) {
  value = Trim(value);
  const size_t space = value.find(' ');
  std::optional<uint64_t> n = ParseUint<uint64_t>(value.substr(0, space));
  if (!n || space == std::string_view::npos) return n;
  const std::string_view unit = Trim(value.substr(space + 1));
  if (unit == "ns" || unit == "B") return n;
  if (unit == "KiB") return *n << 10;
  if (unit == "MiB") return *n << 20;
  if (unit == "GiB") return *n << 30;
  return std::nullopt;
}

std::vector<ClientSample> ParseClients(std::string_view text) {
  std::vector<ClientSample> out;
  ClientSample cur;
  bool has_id = false, any = false;
  auto finish = [&] {
    if (any && has_id) out.push_back(std::move(cur));
    cur = ClientSample{};
    has_id = any = false;
  };
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (Trim(line).empty()) {
      finish();
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = Trim(line.substr(0, colon));
    any = true;
    has_id = has_id || key == "drm-client-id";
    AddLine(cur, key, Trim(line.substr(colon + 1)));
  }
  finish();
  return out;
}

TopFrame ComputeFrame(const std::vector<ClientSample>* prev, const std::vector<ClientSample>& cur,
                      double interval_ns,
                      const std::vector<std::pair<std::string, std::string>>& devices) {
  const bool timed = prev != nullptr && interval_ns > 0;
  std::map<std::pair<std::string, uint64_t>, const ClientSample*> before;
  if (prev)
    for (const ClientSample& c : *prev) before[{c.device, c.client_id}] = &c;

  TopFrame f;
  for (const auto& [name, driver] : devices) f.devices.push_back({name, driver, 0, std::nullopt});
  for (const ClientSample& c : cur) {
    auto known = std::find_if(f.devices.begin(), f.devices.end(),
                              [&](const DeviceRow& d) { return d.device == c.device; });
    if (known == f.devices.end()) f.devices.push_back({c.device, c.driver, 0, std::nullopt});
  }

  for (DeviceRow& d : f.devices) {
    std::map<std::string, uint64_t> capacity;  // per engine, the largest any client reports
    double gained = 0;
    for (const ClientSample& c : cur) {
      if (c.device != d.device) continue;
      ++d.clients;
      auto it = before.find({c.device, c.client_id});
      const ClientSample* b = it == before.end() ? nullptr : it->second;
      for (const auto& [engine, ns] : c.engine_ns) {
        capacity[engine] = std::max(capacity[engine], CapacityOf(c, engine));
        gained += static_cast<double>(Delta(c, b, engine));
      }
    }
    if (!timed) continue;
    // An idle device with no clients is 0% busy; one whose clients report no engines unknown.
    if (capacity.empty()) {
      if (d.clients == 0) d.busy = 0.0;
      continue;
    }
    d.busy = Percent(gained, interval_ns * static_cast<double>(Sum(capacity)));
  }

  for (const ClientSample& c : cur) {
    auto it = before.find({c.device, c.client_id});
    f.clients.push_back(MakeRow(c, it == before.end() ? nullptr : it->second, timed, interval_ns));
  }
  std::stable_sort(f.clients.begin(), f.clients.end(), [](const ClientRow& a, const ClientRow& b) {
    const double ba = a.total_busy.value_or(-1), bb = b.total_busy.value_or(-1);
    if (ba != bb) return ba > bb;
    if (a.sample.device != b.sample.device) return DeviceLess(a.sample.device, b.sample.device);
    return a.sample.client_id < b.sample.client_id;
  });
  return f;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  if (u == 0 || v >= 100 || v == static_cast<double>(static_cast<uint64_t>(v)))
    return fmt::format("{:.0f} {}", v, kUnits[u]);
  return fmt::format("{:.1f} {}", v, kUnits[u]);
}

}  // namespace accelctl
