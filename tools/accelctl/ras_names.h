// ras_names.h - the words accelctl prints for RAS formats, severities and components.
//
// The uAPI numbers everything (format bit indices, ACCEL_RAS_SEV_*, component indices in the
// order a driver enumerates them); operators read names. Names are the lowercase forms of the
// uAPI's own (ACCEL_CAP_RAS_KEY_VAL_32 -> "key_val_32"), so they can be searched for in the
// headers. A number without a name is printed as a number, never dropped.
//
//   RasFormatNames(ACCEL_CAP_RAS_KEY_VAL_32 | ACCEL_CAP_RAS_CPER)  // {"key_val_32", "cper"}
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace accelctl {

// Names of the format bits set in an ACCEL_CAP_RAS_* mask, lowest bit first.
std::vector<std::string> RasFormatNames(uint64_t mask);

// "corrected", "deferred", ... for ACCEL_RAS_SEV_*; "severity<N>" otherwise.
std::string RasSeverityName(uint32_t severity);

// The name of component `index` of a device of `driver` ("hbm0" for dummy's 0), as the
// driver's uAPI header lists them; "component<N>" for drivers accelctl does not know.
std::string RasComponentName(const std::string& driver, uint32_t index);

// Joins names with `separator`; "-" for none, so that a table cell is never empty.
std::string JoinNames(const std::vector<std::string>& names, const char* separator);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_NAMES_H_
