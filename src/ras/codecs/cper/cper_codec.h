// cper_codec.h - the CPER RAS format: the event log as a UEFI Common Platform Error Record.
//
// One record (UEFI specification, appendix N): the 128-byte record header, one 72-byte section
// descriptor per event, then one section body per event of accel's own section type
// {5CE13F44-429E-4E1C-A7F8-2A3FF9E86325}, fixed little-endian fields. It carries the events and
// what is needed to read them: each event's component (index and name, cut to 16 bytes), the
// device name (cut to 20 bytes, as every section's FRU text) and the snapshot's time to the
// second (the record's timestamp). Counters, pages, health, the rest of the identity and
// events_dropped have no place in it; project() says exactly what survives. Severities map as
// DESIGN.md says: corrected -> corrected, deferred and uncorrected -> recoverable (the section
// body keeps accel's own severity), fatal -> fatal, informational -> informational.
// See docs/ras/cper.md.
//
//   const accel::ras::Codec& cper = accel::ras::CperCodec();
//   auto record = cper.encode(snapshot);  // "CPER" ... record_length == record->size()
//   auto back = cper.decode(*record);     // == cper.project(snapshot)
#ifndef ACCEL_RAS_CODECS_CPER_CPER_CODEC_H_
#define ACCEL_RAS_CODECS_CPER_CPER_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

const Codec& CperCodec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_CPER_CPER_CODEC_H_
