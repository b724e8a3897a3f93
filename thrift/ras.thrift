// ras.thrift - accel's RAS snapshot as a Thrift struct (format ACCEL_RAS_FMT_THRIFT).
//
// An ACCEL_IOCTL_RAS_QUERY reply in this format is one RasSnapshot serialised alone, with no
// message envelope (so no version header, name or sequence id), in TBinaryProtocol or, when
// asked for, TCompactProtocol. It mirrors src/ras/model.h field for field; docs/ras/thrift.md
// gives the wire layout, the bounds the decoder enforces and the type mapping.
//
// Thrift has no unsigned integers:
//   - u64 values (counters, sequence numbers, timestamps, addresses) travel as i64 holding the
//     same 64 bits: a reader in another language reinterprets a negative i64 as unsigned;
//   - u32 values that may use all 32 bits (minor, code, count) travel as i64 in 0..2^32-1;
//   - component indices and enumerations are i32.
// Severity, health and page state are i32 fields rather than Thrift enums: the C++ generator
// static_casts whatever i32 arrives into a plain enum, which is undefined for values outside
// the enum's range, and a decoder must be able to look at a hostile value before rejecting
// it. The enums below give the numbers their names; on the wire an enum is an i32 anyway, so
// a reader may declare these fields with the enum types and read the same bytes.
//
// Field ids are forever: add new fields with new ids, never renumber or reuse one.

namespace cpp accel.ras.thrift_v1
namespace py accel_ras_thrift_v1
namespace java org.accel.ras.thrift_v1

// ACCEL_RAS_SEV_*.
enum Severity {
  CORRECTED = 0,
  DEFERRED = 1,
  UNCORRECTED = 2,
  FATAL = 3,
  INFORMATIONAL = 4,
}

enum Health {
  OK = 0,
  WARNING = 1,
  FAILED = 2,
}

enum PageState {
  PENDING = 0,  // retired at the device's next reset
  RETIRED = 1,
}

// Who the data is about; persistent state is keyed by (driver, serial).
struct DeviceIdentity {
  1: string name,    // "accel0"
  2: string driver,  // "dummy"
  3: string serial,
  4: string bus,     // "platform:dummy.0", "0000:03:00.0"
  5: i64 minor,      // u32
}

struct Component {
  1: string name,  // "hbm0"; unique within a device
  2: i32 health,   // Health
}

// One (component, severity) counter pair.
struct Counter {
  1: i32 component,        // index into RasSnapshot.components
  2: i32 severity,         // Severity
  3: i64 volatile_count,   // u64: since registration (or the last clear)
  4: i64 aggregate_count,  // u64: over the device's life
}

struct Event {
  1: i64 seqno,         // u64, monotonic per device
  2: i64 timestamp_ns,  // u64, CLOCK_REALTIME
  3: i32 component,     // index into RasSnapshot.components
  4: i32 severity,      // Severity
  5: i64 code,          // u32: driver- or firmware-specific error code
  6: i64 count,         // u32: how many errors this event stands for
  7: optional i64 address,  // u64: memory errors only; absent otherwise
  8: string message,    // UTF-8, at most 255 bytes
  9: binary raw,        // the firmware's own record, at most 4096 bytes; empty when none
}

struct RetiredPage {
  1: i64 address,       // u64, page-aligned
  2: i32 cause,         // Severity of the error that retired it
  3: i32 state,         // PageState
  4: i64 timestamp_ns,  // u64
}

// Everything a device's RAS state holds at one instant.
struct RasSnapshot {
  1: DeviceIdentity device,
  2: i64 timestamp_ns,                // u64
  3: list<Component> components,      // index = component number; at most 256
  4: list<Counter> counters,          // sorted by (component, severity); at most 1280
  5: list<Event> events,              // oldest first; at most 4096
  6: i64 events_dropped,              // u64: events that fell out of the bounded log
  7: list<RetiredPage> pages,         // sorted by address; at most 65536
}
