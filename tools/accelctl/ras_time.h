// ras_time.h - the times `accelctl ras` reads on its command line and prints.
//
// RAS events are stamped with CLOCK_REALTIME in nanoseconds. People give times three ways, and
// read them back in one:
//
//   ParseTimeArgument("2026-11-25T18:00:00Z", now)  // ISO-8601 UTC (fraction allowed)
//   ParseTimeArgument("1764093600", now)            // seconds of the Unix epoch
//   ParseTimeArgument("10m", now)                   // an age: now minus 10 minutes (s m h d w)
//   UtcText(ns)                                     // "2026-11-25T18:00:00.123Z"
//
// Only UTC is accepted ("Z"): a log query that silently used the local zone would answer a
// different question than the one asked.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_TIME_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_TIME_H_

#include <cstdint>
#include <optional>
#include <string>

namespace accelctl {

// Nanoseconds of the Unix epoch for `text`, or nullopt when it is none of the forms above or
// lies outside 1970..2554 (what a uint64_t of nanoseconds holds). An age reaching back before
// the epoch is the epoch.
std::optional<uint64_t> ParseTimeArgument(const std::string& text, uint64_t now_ns);

// CLOCK_REALTIME now, in nanoseconds.
uint64_t RealtimeNowNs();

// ISO-8601 UTC with milliseconds: "2026-11-25T18:00:00.123Z".
std::string UtcText(uint64_t timestamp_ns);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_TIME_H_
