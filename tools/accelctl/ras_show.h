// ras_show.h - `accelctl ras formats` and `accelctl ras show`: what a device's RAS state looks
// like, through the ioctl interface (libaccel).
//
//   accelctl ras formats accel0            the formats it offers, and its firmware's own
//   accelctl ras show accel0               identity, counters, last events, retired pages
//   accelctl ras show accel0 --json        the JSON payload itself (schema accel.ras.v1)
//   accelctl ras show accel0 --format protobuf -o snap.pb    the payload of one format
//   accelctl ras show accel0 --format cbor --raw | xxd       the firmware's blob, untouched
//   accelctl ras show accel0 --format grpc                   where the gRPC service is
//
// The report is built from the JSON format decoded with accel's JSON codec. Binary payloads
// are never written to a terminal: use -o FILE or a pipe.
#ifndef ACCEL_TOOLS_ACCELCTL_RAS_SHOW_H_
#define ACCEL_TOOLS_ACCELCTL_RAS_SHOW_H_

#include <cstddef>
#include <optional>
#include <string>

namespace accelctl {

struct RasFormatsOptions {
  std::string device;  // "accelN", checked by DeviceNameValidator()
  bool json = false;
};

struct RasShowOptions {
  std::string device;
  std::optional<std::string> format;  // a name RasFormatValidator() accepted
  bool raw = false;                   // ACCEL_RAS_QUERY_RAW (needs format)
  bool compact = false;               // ACCEL_RAS_QUERY_THRIFT_COMPACT (needs format thrift)
  bool json = false;                  // the JSON payload instead of the report
  std::string output;                 // -o FILE; empty: stdout
  size_t events = 10;                 // events shown in the report
};

int RunRasFormats(const RasFormatsOptions& options);
int RunRasShow(const RasShowOptions& options);

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_RAS_SHOW_H_
