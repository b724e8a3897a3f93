// firmware_ras.cc - see firmware_ras.h.
#include "drivers/vnpu/firmware/firmware_ras.h"

#include <cerrno>
#include <cstring>
#include <limits>

#include "drivers/vnpu/fwlink/fw_messages.h"
#include "ras/codecs/cbor/cbor_codec.h"
#include "ras/codecs/utf8.h"

namespace accel::vnpu::firmware {
namespace {

// Indexed by VNPU_COMPONENT_*.
const char* const kComponentNames[VNPU_NUM_COMPONENTS] = {"hbm0", "sram", "pcie", "fw", "compute"};

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// The fault's message up to its NUL, as UTF-8 every codec accepts.
std::string MessageOf(const fw::Fault& f) {
  std::string m(f.message, strnlen(f.message, sizeof(f.message)));
  if (!ras::IsUtf8(m))
    for (char& c : m)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return m;
}

ras::Health HealthOf(const uint64_t (&c)[ras::kSeverityCount]) {
  if (c[static_cast<uint32_t>(ras::Severity::kFatal)] > 0) return ras::Health::kFailed;
  if (c[static_cast<uint32_t>(ras::Severity::kUncorrected)] > 0 ||
      c[static_cast<uint32_t>(ras::Severity::kDeferred)] > 0)
    return ras::Health::kWarning;
  return ras::Health::kOk;
}

}  // namespace

FirmwareRas::FirmwareRas(std::string serial) : serial_(std::move(serial)) {}

void FirmwareRas::Apply(const fwlink::CheckedFault& checked, uint64_t now_ns) {
  const fw::Fault& f = checked.fault();
  uint64_t& counter = counters_[f.component][f.severity];
  counter = SaturatingAdd(counter, f.count);

  ras::Event e;
  e.seqno = next_seqno_++;
  e.timestamp_ns = now_ns;
  e.component = f.component;
  e.severity = f.severity;
  e.code = f.code;
  e.count = f.count;
  if (f.flags & fw::kFaultHasAddress) e.address = f.address;
  e.message = MessageOf(f);
  events_.push_back(std::move(e));
  if (events_.size() > fw::kMaxFirmwareEvents) {
    events_.pop_front();
    ++events_dropped_;
  }
}

ras::Snapshot FirmwareRas::TakeSnapshot(uint64_t now_ns) const {
  ras::Snapshot s;
  s.device.driver = "vnpu";
  s.device.serial = serial_;
  s.timestamp_ns = now_ns;
  for (uint32_t c = 0; c < VNPU_NUM_COMPONENTS; ++c) {
    s.components.push_back({kComponentNames[c], HealthOf(counters_[c])});
    for (uint32_t sev = 0; sev < ras::kSeverityCount; ++sev)
      s.counters.push_back({c, sev, counters_[c][sev], counters_[c][sev]});
  }
  s.events.assign(events_.begin(), events_.end());
  s.events_dropped = events_dropped_;
  return s;
}

Result<std::vector<uint8_t>> FirmwareRas::EncodeBlob(uint64_t now_ns, size_t max_bytes) const {
  ras::Snapshot s = TakeSnapshot(now_ns);
  for (;;) {
    Result<std::vector<uint8_t>> blob = ras::EncodeCborSnapshot(s);
    if (!blob) return blob;
    if (blob->size() <= max_bytes) return blob;
    if (s.events.empty()) return Err(E2BIG);
    s.events.erase(s.events.begin());
    ++s.events_dropped;
  }
}

}  // namespace accel::vnpu::firmware
