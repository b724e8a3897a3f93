// ras_names.h - the words accelctl prints for RAS formats, severities and components.
//
// The uAPI numbers everything (format bit indices, ACCEL_RAS_SEV_*, component indices in the
// order a driver enumerates them); operators read names. None of the names is accelctl's own:
// format names are the codecs' (ras/codecs/codec_list.inc, the lowercase forms of the uAPI's
// ACCEL_CAP_RAS_KEY_VAL_32 -> "key_val_32"), severity names the RAS model's, component names
// the device's, from the daemon. A number without a name is printed as a number, never
// dropped.
//
//   RasFormatNames(ACCEL_CAP_RAS_KEY_VAL_32 | ACCEL_CAP_RAS_CPER)  // {"key_val_32", "cper"}
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace accelctl {

// Names of the format bits set in an ACCEL_CAP_RAS_* mask, lowest bit first.
std::vector<std::string> RasFormatNames(uint64_t mask);

// The ACCEL_RAS_FMT_* bit of a format name, in any case ("JSON", "key_val_32"); nullopt for
// anything else, the reserved bit 6 included.
std::optional<unsigned> RasFormatFromName(const std::string& name);

// True for formats whose payload is text (json, and grpc's target URI): the rest are binary
// and never written to a terminal.
bool IsTextRasFormat(unsigned format);

// Every known format name, ", "-separated, for messages.
std::string KnownRasFormatNames();

// CLI11 checks: a format name, a severity name (any case; RasSeverityName()'s words).
CLI::Validator RasFormatValidator();
CLI::Validator RasSeverityValidator();

// ACCEL_RAS_SEV_* of a severity name, in any case; nullopt for anything else.
std::optional<uint32_t> RasSeverityFromName(const std::string& name);

// "corrected", "deferred", ... for ACCEL_RAS_SEV_*; "severity<N>" otherwise.
std::string RasSeverityName(uint32_t severity);

// The name of component `index` among `names`, the device's own as the daemon reports them
// (its RAS snapshot); "component<N>" when the device gave none for it.
std::string RasComponentName(const std::vector<std::string>& names, uint32_t index);

// Joins names with `separator`; "-" for none, so that a table cell is never empty.
std::string JoinNames(const std::vector<std::string>& names, const char* separator);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_
