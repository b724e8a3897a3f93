// ras_names.cc - see ras_names.h.
#include "ras_names.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <array>

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

}  // namespace

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
