// ras_time.cc - see ras_time.h.
#include "ras_time.h"

#include <fmt/core.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <string_view>

namespace accelctl {
namespace {

constexpr uint64_t kNsPerSecond = 1000000000ULL;
// The last second a uint64_t of nanoseconds can hold (2554-07-21).
constexpr uint64_t kMaxSeconds = UINT64_MAX / kNsPerSecond - 1;

// Reads exactly `digits` decimal digits at text[*pos]; advances *pos.
std::optional<unsigned> Digits(std::string_view text, size_t* pos, size_t digits) {
  if (*pos + digits > text.size()) return std::nullopt;
  unsigned value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += digits;
  return value;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// ".123" at text[*pos] as nanoseconds (1..9 digits; more are refused, not rounded).
std::optional<uint64_t> Fraction(std::string_view text, size_t* pos) {
  if (!Expect(text, pos, '.')) return 0;
  uint64_t ns = 0;
  size_t digits = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    if (++digits > 9) return std::nullopt;
    ns = ns * 10 + static_cast<uint64_t>(text[(*pos)++] - '0');
  }
  if (digits == 0) return std::nullopt;
  for (; digits < 9; ++digits) ns *= 10;
  return ns;
}

std::optional<uint64_t> FromSeconds(uint64_t seconds, uint64_t fraction_ns) {
  if (seconds > kMaxSeconds) return std::nullopt;
  return seconds * kNsPerSecond + fraction_ns;
}

// YYYY-MM-DDTHH:MM:SS[.fff]Z
std::optional<uint64_t> ParseIso8601(std::string_view text) {
  size_t pos = 0;
  std::optional<unsigned> year = Digits(text, &pos, 4);
  if (!year || !Expect(text, &pos, '-')) return std::nullopt;
  std::optional<unsigned> month = Digits(text, &pos, 2);
  if (!month || !Expect(text, &pos, '-')) return std::nullopt;
  std::optional<unsigned> day = Digits(text, &pos, 2);
  if (!day || !Expect(text, &pos, 'T')) return std::nullopt;
  std::optional<unsigned> hour = Digits(text, &pos, 2);
  if (!hour || !Expect(text, &pos, ':')) return std::nullopt;
  std::optional<unsigned> minute = Digits(text, &pos, 2);
  if (!minute || !Expect(text, &pos, ':')) return std::nullopt;
  std::optional<unsigned> second = Digits(text, &pos, 2);
  if (!second) return std::nullopt;
  std::optional<uint64_t> fraction = Fraction(text, &pos);
  if (!fraction || !Expect(text, &pos, 'Z') || pos != text.size()) return std::nullopt;

  // A date that does not exist (Feb 30) is refused rather than normalised into March.
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                         std::chrono::month(*month), std::chrono::day(*day)};
  if (!date.ok() || *year < 1970 || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  const uint64_t seconds =
      static_cast<uint64_t>(days) * 86400 + *hour * 3600ULL + *minute * 60ULL + *second;
  return FromSeconds(seconds, *fraction);
}

// 1764093600 or 1764093600.5
std::optional<uint64_t> ParseEpochSeconds(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (whole.empty() || ec != std::errc() || end != whole.data() + whole.size()) return std::nullopt;
  size_t pos = whole.size();
  std::optional<uint64_t> fraction = Fraction(text, &pos);
  if (!fraction || pos != text.size()) return std::nullopt;
  return FromSeconds(seconds, *fraction);
}

// 30s, 10m, 2h, 3d, 1w: that long before now.
std::optional<uint64_t> ParseAge(std::string_view text, uint64_t now_ns) {
  if (text.size() < 2) return std::nullopt;
  uint64_t unit_seconds = 0;
  switch (text.back()) {
    case 's':
      unit_seconds = 1;
      break;
    case 'm':
      unit_seconds = 60;
      break;
    case 'h':
      unit_seconds = 3600;
      break;
    case 'd':
      unit_seconds = 86400;
      break;
    case 'w':
      unit_seconds = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  const std::string_view number = text.substr(0, text.size() - 1);
  uint64_t amount = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), amount);
  if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
  if (amount > kMaxSeconds / unit_seconds) return 0;  // older than any nanosecond timestamp
  const uint64_t age_ns = amount * unit_seconds * kNsPerSecond;
  return age_ns >= now_ns ? 0 : now_ns - age_ns;
}

}  // namespace

std::optional<uint64_t> ParseTimeArgument(const std::string& text, uint64_t now_ns) {
  if (text.find('T') != std::string::npos) return ParseIso8601(text);
  if (!text.empty() && text.back() >= 'a' && text.back() <= 'z') return ParseAge(text, now_ns);
  return ParseEpochSeconds(text);
}

uint64_t RealtimeNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

std::string UtcText(uint64_t timestamp_ns) {
  const time_t seconds = static_cast<time_t>(timestamp_ns / kNsPerSecond);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return fmt::format("{}ns", timestamp_ns);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     timestamp_ns % kNsPerSecond / 1000000);
}

}  // namespace accelctl
