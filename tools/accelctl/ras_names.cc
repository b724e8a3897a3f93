// ras_names.cc - see ras_names.h.
#include "ras_names.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace accelctl {
namespace {

struct FormatName {
  unsigned bit;
  const char* name;
};

constexpr std::array<FormatName, 9> kFormatNames = {{
    {ACCEL_RAS_FMT_KEY_VAL_32, "key_val_32"},
    {ACCEL_RAS_FMT_NETLINK, "netlink"},
    {ACCEL_RAS_FMT_JSON, "json"},
    {ACCEL_RAS_FMT_PROTOBUF, "protobuf"},
    {ACCEL_RAS_FMT_GRPC, "grpc"},
    {ACCEL_RAS_FMT_THRIFT, "thrift"},
    {ACCEL_RAS_FMT_ASN1, "asn1"},
    {ACCEL_RAS_FMT_CBOR, "cbor"},
    {ACCEL_RAS_FMT_CPER, "cper"},
}};

constexpr std::array<const char*, ACCEL_RAS_SEV_COUNT> kSeverityNames = {
    "corrected", "deferred", "uncorrected", "fatal", "informational"};

// Indexed by ACCEL_DUMMY_COMPONENT_*.
constexpr std::array<const char*, ACCEL_DUMMY_NUM_COMPONENTS> kDummyComponentNames = {
    "hbm0", "sram", "pcie", "fw", "compute"};

const char* KnownFormatName(unsigned bit) {
  for (const FormatName& f : kFormatNames)
    if (f.bit == bit) return f.name;
  return nullptr;
}

std::string LowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::optional<unsigned> RasFormatFromName(const std::string& name) {
  const std::string lower = LowerCase(name);
  for (const FormatName& f : kFormatNames)
    if (lower == f.name) return f.bit;
  return std::nullopt;
}

bool IsTextRasFormat(unsigned format) {
  return format == ACCEL_RAS_FMT_JSON || format == ACCEL_RAS_FMT_GRPC;
}

std::string KnownRasFormatNames() {
  std::vector<std::string> names;
  for (const FormatName& f : kFormatNames) names.push_back(f.name);
  return JoinNames(names, ", ");
}

CLI::Validator RasFormatValidator() {
  return CLI::Validator(
      [](const std::string& name) -> std::string {
        if (RasFormatFromName(name)) return {};
        return fmt::format("unknown RAS format '{}' (known: {})", name, KnownRasFormatNames());
      },
      "FORMAT");
}

std::optional<uint32_t> RasSeverityFromName(const std::string& name) {
  const std::string lower = LowerCase(name);
  for (uint32_t s = 0; s < kSeverityNames.size(); ++s)
    if (lower == kSeverityNames[s]) return s;
  return std::nullopt;
}

CLI::Validator RasSeverityValidator() {
  return CLI::Validator(
      [](const std::string& name) -> std::string {
        if (RasSeverityFromName(name)) return {};
        std::vector<std::string> known(kSeverityNames.begin(), kSeverityNames.end());
        return fmt::format("unknown severity '{}' (known: {})", name, JoinNames(known, ", "));
      },
      "SEVERITY");
}

std::vector<std::string> RasFormatNames(uint64_t mask) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((mask & (uint64_t{1} << bit)) == 0) continue;
    const char* known = KnownFormatName(bit);
    names.push_back(known ? known : fmt::format("bit{}", bit));
  }
  return names;
}

std::string RasSeverityName(uint32_t severity) {
  if (severity < kSeverityNames.size()) return kSeverityNames[severity];
  return fmt::format("severity{}", severity);
}

std::string RasComponentName(const std::string& driver, uint32_t index) {
  if (driver == "dummy" && index < kDummyComponentNames.size()) return kDummyComponentNames[index];
  return fmt::format("component{}", index);
}

std::string JoinNames(const std::vector<std::string>& names, const char* separator) {
  if (names.empty()) return "-";
  std::string out = names.front();
  for (size_t i = 1; i < names.size(); ++i) out += separator + names[i];
  return out;
}

}  // namespace accelctl
