// service_records.cc - see service_records.h.
#include "ras/service_records.h"

#include <strings.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "ras/model.h"

namespace accel::ras {
namespace {

constexpr uint64_t kNsPerSec = 1000000000ULL;

const char* const kActionNames[] = {"none", "retire_page", "reset", "trigger"};

// "60s", "60", "5m", "2h" -> ns. Rejects anything else and overflow.
bool ParseDuration(const std::string& v, uint64_t* out_ns) {
  if (v.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (errno != 0 || end == v.c_str() || v[0] == '-') return false;
  const std::string unit(end);
  uint64_t mul;
  if (unit.empty() || unit == "s")
    mul = kNsPerSec;
  else if (unit == "m")
    mul = 60 * kNsPerSec;
  else if (unit == "h")
    mul = 3600 * kNsPerSec;
  else
    return false;
  if (n > UINT64_MAX / mul) return false;
  *out_ns = n * mul;
  return true;
}

std::string FormatDuration(uint64_t ns) {
  return std::to_string(ns / kNsPerSec) + "s";
}

}  // namespace

const char* ThresholdActionName(ThresholdAction a) {
  const auto i = static_cast<uint32_t>(a);
  return i < 4 ? kActionNames[i] : "unknown";
}

Result<ThresholdRule> ParseThresholdRule(const std::string& text, std::string* why) {
  std::istringstream in(text);
  std::string head;
  ThresholdRule r;
  if (!(in >> head)) {
    *why = "empty rule: expected <component|*>:<severity> count=N ...";
    return Err(EINVAL);
  }
  const size_t colon = head.find(':');
  if (colon == std::string::npos || colon == 0) {
    *why = "'" + head + "': expected <component|*>:<severity>";
    return Err(EINVAL);
  }
  r.component = head.substr(0, colon);
  if (r.component.size() > kMaxNameLen) {
    *why = "component name too long";
    return Err(EINVAL);
  }
  std::optional<uint32_t> sev = SeverityFromName(head.substr(colon + 1));
  if (!sev) {
    *why = "unknown severity '" + head.substr(colon + 1) +
           "': use corrected, deferred, uncorrected, fatal or informational";
    return Err(EINVAL);
  }
  r.severity = *sev;
  bool have_count = false;
  std::string kv;
  while (in >> kv) {
    const size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    const std::string val = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (eq == std::string::npos || val.empty()) {
      *why = "'" + kv + "': expected key=value";
      return Err(EINVAL);
    }
    if (key == "count") {
      char* end = nullptr;
      errno = 0;
      const unsigned long long n = std::strtoull(val.c_str(), &end, 10);
      if (errno != 0 || *end != '\0' || n == 0 || val[0] == '-') {
        *why = "count must be a positive integer";
        return Err(EINVAL);
      }
      r.count = n;
      have_count = true;
    } else if (key == "window" || key == "grace") {
      uint64_t ns;
      if (!ParseDuration(val, &ns)) {
        *why = key + "=" + val + ": expected seconds such as 60s, 5m or 2h";
        return Err(EINVAL);
      }
      (key == "window" ? r.window_ns : r.grace_ns) = ns;
    } else if (key == "action") {
      bool found = false;
      for (uint32_t i = 0; i < 4; ++i) {
        if (strcasecmp(val.c_str(), kActionNames[i]) == 0) {
          r.action = static_cast<ThresholdAction>(i);
          found = true;
        }
      }
      if (!found) {
        *why = "unknown action '" + val + "': use none, retire_page, reset or trigger";
        return Err(EINVAL);
      }
    } else if (key == "command") {
      r.command = val;
    } else if (key == "auto_recover") {
      if (val == "yes" || val == "true" || val == "1")
        r.auto_recover = true;
      else if (val == "no" || val == "false" || val == "0")
        r.auto_recover = false;
      else {
        *why = "auto_recover must be yes or no";
        return Err(EINVAL);
      }
    } else {
      *why = "unknown key '" + key + "'";
      return Err(EINVAL);
    }
  }
  if (!have_count) {
    *why = "missing count=N";
    return Err(EINVAL);
  }
  if (r.action == ThresholdAction::kTrigger && r.command.empty()) {
    *why = "action=trigger needs command=<path>";
    return Err(EINVAL);
  }
  if (r.action == ThresholdAction::kTrigger && r.command[0] != '/') {
    *why = "command must be an absolute path";
    return Err(EINVAL);
  }
  return r;
}

std::string FormatThresholdRule(const ThresholdRule& r) {
  std::string s = r.component + ":" + (SeverityName(r.severity) ? SeverityName(r.severity) : "?") +
                  " count=" + std::to_string(r.count);
  if (r.window_ns != 0) s += " window=" + FormatDuration(r.window_ns);
  s += std::string(" action=") + ThresholdActionName(r.action);
  if (r.action == ThresholdAction::kTrigger) s += " command=" + r.command;
  if (r.action == ThresholdAction::kReset) {
    s += " grace=" + FormatDuration(r.grace_ns);
    s += r.auto_recover ? " auto_recover=yes" : " auto_recover=no";
  }
  return s;
}

}  // namespace accel::ras
