// ras_report.h - RAS snapshots and events as accelctl prints them, for people and for JSON.
//
// One event is one line, in `ras watch` and `ras log` alike, so that grep and awk work on both:
//
//   2026-11-25T18:00:00.123Z  accel0  hbm0  corrected  count=3  code=0x0  seq=7  injected
//
// A snapshot (`ras show`) is the device's identity, a table of components with their health and
// one volatile/aggregate pair per severity, the last events and the retired pages.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_REPORT_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_REPORT_H_

#include <cstddef>
#include <string>

#include "device_entry.h"
#include "ras/model.h"
#include "ras/service_records.h"

namespace accelctl {

// One event on one line (no '\n'); control characters of the message are shown as '?'.
std::string EventLine(const accel::ras::EventRecord& record);

// One event as a JSON object: time (UtcText), timestamp_ns, seqno, device, driver, serial,
// component, component_index, severity, count, code, address (memory errors), message.
Json EventJson(const accel::ras::EventRecord& record);

// The readable report of `ras show`, showing the last `last_events` events.
std::string SnapshotReport(const accel::ras::Snapshot& snapshot, size_t last_events);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_REPORT_H_
