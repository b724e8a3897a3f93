// vnpu_config.cc - see vnpu_config.h.
#include "drivers/vnpu/vnpu_config.h"

#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace accel::vnpu {
namespace {

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s[0] == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str()) return false;
  uint64_t mult = 1;
  std::string suffix(end);
  if (suffix == "K" || suffix == "k")
    mult = 1ull << 10;
  else if (suffix == "M" || suffix == "m")
    mult = 1ull << 20;
  else if (suffix == "G" || suffix == "g")
    mult = 1ull << 30;
  else if (!suffix.empty())
    return false;
  if (v > UINT64_MAX / mult) return false;
  *out = v * mult;
  return true;
}

bool InRange(uint64_t v, uint64_t lo, uint64_t hi) {
  return v >= lo && v <= hi;
}

}  // namespace

int ParseVnpuConfig(const char* args, VnpuConfig* out, std::string* why) {
  *out = VnpuConfig{};
  std::istringstream in(args ? args : "");
  std::string kv;
  while (in >> kv) {
    const size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : kv.substr(eq + 1);
    uint64_t v = 0;
    auto bad = [&](const char* expect) {
      *why = "bad argument '" + kv + "': expected " + expect;
      return -EINVAL;
    };
    if (key == "firmware") {
      if (value != "process" && value != "none") return bad("firmware=process|none");
      out->firmware = value == "process";
      continue;
    }
    if (key == "fw_user") {
      if (value.empty() || value.size() > 32) return bad("fw_user=USER (a user name)");
      out->fw_user = value;
      continue;
    }
    const bool number = ParseU64(value, &v);
    if (key == "count") {
      if (!number || !InRange(v, 1, 16)) return bad("count=1..16");
      out->count = static_cast<uint32_t>(v);
    } else if (key == "engines") {
      if (!number || !InRange(v, 1, 16)) return bad("engines=1..16");
      out->engines = static_cast<uint32_t>(v);
    } else if (key == "memory") {
      if (!number || !InRange(v, 64ull << 10, 64ull << 30)) return bad("memory=64K..64G");
      out->memory = v;
    } else if (key == "job_timeout_ms") {
      if (!number || !InRange(v, 1, 3600000)) return bad("job_timeout_ms=1..3600000");
      out->job_timeout_ms = static_cast<uint32_t>(v);
    } else if (key == "heartbeat_ms") {
      if (!number || !InRange(v, 1, 10000)) return bad("heartbeat_ms=1..10000");
      out->heartbeat_ms = static_cast<uint32_t>(v);
    } else if (key == "heartbeat_timeout_ms") {
      if (!number || !InRange(v, 10, 600000)) return bad("heartbeat_timeout_ms=10..600000");
      out->heartbeat_timeout_ms = static_cast<uint32_t>(v);
    } else {
      *why = "unknown argument '" + kv +
             "' (known: count engines memory job_timeout_ms firmware heartbeat_ms "
             "heartbeat_timeout_ms fw_user)";
      return -EINVAL;
    }
  }
  if (out->heartbeat_timeout_ms <= out->heartbeat_ms) {
    *why = "heartbeat_timeout_ms must exceed heartbeat_ms";
    return -EINVAL;
  }
  return 0;
}

}  // namespace accel::vnpu
