// device_name.cc - see device_name.h.
#include "device_name.h"

#include <uapi/accel/accel.h>

#include <string_view>

namespace accelctl {

std::optional<unsigned> MinorOfDeviceName(const std::string& name) {
  constexpr std::string_view kPrefix = "accel";
  if (name.size() <= kPrefix.size() || name.compare(0, kPrefix.size(), kPrefix) != 0)
    return std::nullopt;
  const std::string_view digits = std::string_view(name).substr(kPrefix.size());
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  unsigned minor = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + static_cast<unsigned>(c - '0');
    if (minor >= ACCEL_MAX_MINORS) return std::nullopt;
  }
  return minor;
}

CLI::Validator DeviceNameValidator() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        if (MinorOfDeviceName(name)) return {};
        return "'" + name + "' is not a device name such as accel0";
      },
      "accelN");
}

}  // namespace accelctl
