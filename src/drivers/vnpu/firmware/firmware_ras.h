// firmware_ras.h - what vnpu-fw knows about errors: counters since it booted and its last
// events, sent to the driver as a CBOR ras::Snapshot (src/ras/codecs/cbor).
//
// The firmware keeps the five components of include/uapi/accel/vnpu.h (hbm0, sram, pcie, fw,
// compute), each with one counter per severity. Its counters are absolute since this firmware
// booted: it has no store, so volatile and aggregate are the same number, and a restarted
// firmware starts again from zero (the driver's RAS state keeps the device's history). Events
// carry seqno from 1, CLOCK_REALTIME, the driver's code and count, the address when the fault
// had one, and its message; only the last fw::kMaxFirmwareEvents are kept, the rest counted in
// events_dropped. Health per component follows the core's rule: failed after a fatal error,
// warning after a deferred or uncorrected one.
//
// The blob must fit one rpmsg payload after the RasBlobHeader; EncodeBlob() drops the oldest
// events (counting them as dropped) until it does.
//
//   FirmwareRas ras("VNPU-0001");
//   ras.Apply(fault, RealtimeNs());
//   Result<std::vector<uint8_t>> blob = ras.EncodeBlob(RealtimeNs(), kMaxBlob);
#ifndef ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_RAS_H_
#define ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_RAS_H_

#include <accel/result.h>
#include <uapi/accel/vnpu.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/fw_protocol.h"
#include "ras/model.h"

namespace accel::vnpu::firmware {

// The most a blob may take: one rpmsg payload less the RasBlobHeader.
inline constexpr size_t kMaxBlobSize = fw::kMaxPayload - sizeof(fw::RasBlobHeader);

class FirmwareRas {
 public:
  // `serial` is the device identity's serial (at most ras::kMaxNameLen bytes of UTF-8).
  explicit FirmwareRas(std::string serial);

  // Accounts a fault the driver reported (checked where it arrived: ParseDriverMessage). A
  // message that is not UTF-8 keeps its ASCII and shows '?' for every other byte.
  void Apply(const fwlink::CheckedFault& fault, uint64_t now_ns);

  // Everything at `now_ns`; passes ras::Validate.
  ras::Snapshot TakeSnapshot(uint64_t now_ns) const;

  // TakeSnapshot() in CBOR, at most `max_bytes`, the oldest events left out as needed.
  // -E2BIG if even no events do not fit.
  Result<std::vector<uint8_t>> EncodeBlob(uint64_t now_ns, size_t max_bytes = kMaxBlobSize) const;

  uint64_t counter(uint32_t component, uint32_t severity) const {
    return counters_[component][severity];
  }

 private:
  std::string serial_;
  uint64_t counters_[VNPU_NUM_COMPONENTS][ras::kSeverityCount] = {};
  std::deque<ras::Event> events_;  // oldest first, at most fw::kMaxFirmwareEvents
  uint64_t next_seqno_ = 1;
  uint64_t events_dropped_ = 0;
};

}  // namespace accel::vnpu::firmware

#endif  // ACCEL_DRIVERS_VNPU_FIRMWARE_FIRMWARE_RAS_H_
