// model.cc - see model.h.
#include "ras/model.h"

#include <strings.h>

#include <cerrno>

#include "ras/codecs/utf8.h"

namespace accel::ras {
namespace {

const char* const kSeverityNames[kSeverityCount] = {"corrected", "deferred", "uncorrected", "fatal",
                                                    "informational"};
const char* const kHealthNames[] = {"ok", "warning", "failed"};

bool NameOk(const std::string& s) {
  return s.size() <= kMaxNameLen && s.find('\0') == std::string::npos;
}

}  // namespace

const char* SeverityName(uint32_t severity) {
  return severity < kSeverityCount ? kSeverityNames[severity] : nullptr;
}

std::optional<uint32_t> SeverityFromName(const std::string& name) {
  for (uint32_t i = 0; i < kSeverityCount; ++i)
    if (strcasecmp(name.c_str(), kSeverityNames[i]) == 0) return i;
  return std::nullopt;
}

const char* HealthName(Health h) {
  const auto i = static_cast<uint32_t>(h);
  return i < 3 ? kHealthNames[i] : "unknown";
}

std::optional<Health> HealthFromName(const std::string& name) {
  for (uint32_t i = 0; i < 3; ++i)
    if (strcasecmp(name.c_str(), kHealthNames[i]) == 0) return static_cast<Health>(i);
  return std::nullopt;
}

int Validate(const Snapshot& s) {
  const DeviceIdentity& d = s.device;
  if (!NameOk(d.name) || !NameOk(d.driver) || !NameOk(d.serial) || !NameOk(d.bus)) return -EINVAL;
  if (s.components.size() > kMaxComponents) return -E2BIG;
  for (const Component& c : s.components) {
    if (!NameOk(c.name) || static_cast<uint32_t>(c.health) > 2) return -EINVAL;
  }
  if (s.counters.size() > static_cast<size_t>(kMaxComponents) * kSeverityCount) return -E2BIG;
  for (size_t i = 0; i < s.counters.size(); ++i) {
    const Counter& c = s.counters[i];
    if (c.component >= s.components.size() || c.severity >= kSeverityCount) return -EINVAL;
    if (i > 0) {
      const Counter& p = s.counters[i - 1];
      if (p.component > c.component || (p.component == c.component && p.severity >= c.severity))
        return -EINVAL;  // unsorted or duplicated
    }
  }
  if (s.events.size() > kMaxEvents) return -E2BIG;
  for (const Event& e : s.events) {
    if (e.component >= s.components.size() || e.severity >= kSeverityCount) return -EINVAL;
    if (e.message.size() > kMaxMessageLen || e.raw.size() > kMaxRawLen) return -E2BIG;
  }
  if (s.pages.size() > kMaxPages) return -E2BIG;
  for (size_t i = 0; i < s.pages.size(); ++i) {
    const RetiredPage& p = s.pages[i];
    if (p.cause >= kSeverityCount || static_cast<uint32_t>(p.state) > 1) return -EINVAL;
    if (i > 0 && s.pages[i - 1].address >= p.address) return -EINVAL;
  }
  // Every text format needs UTF-8; a snapshot any codec may refuse is not a valid one.
  if (!TextIsUtf8(s)) return -EILSEQ;
  return 0;
}

}  // namespace accel::ras
