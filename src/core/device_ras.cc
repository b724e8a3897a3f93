// device_ras.cc - a device's RAS: reporting, firmware blobs, clear, inject, reset, retired
// pages and what it tells the RAS observer; see device.h.
//
// The same class as device.cc, in a file of its own because it is a concept of its own: the
// lifetime code there only creates the RAS state, and the RAS rules (which component and
// severity exist, how a page is retired, when an event is durable) are judged here, once, for
// every path that reaches them (host ops, generic ioctls, the daemon's RAS service).
#include "core/device.h"

#include <cerrno>
#include <cstring>

#include "core/driver.h"
#include "core/file.h"
#include "core/registry.h"
#include "ras/codec_table.h"

namespace accel::core {

std::string Device::RasComponentName(uint32_t index) const {
  if (index < ras_components_.size() && !ras_components_[index].empty())
    return ras_components_[index];
  return std::to_string(index);
}

Result<uint64_t> Device::RasReport(ras::Event in) {
  if (in.component >= ras_components_.size() || in.severity >= ras::kSeverityCount)
    return Err(EINVAL);
  ras::RecordResult rec = ras_->Record(std::move(in));
  if (rec.logged.empty()) return Err(EINVAL);
  PublishRas(rec);
  return rec.logged.front().seqno;
}

void Device::PublishRas(const ras::RecordResult& rec) {
  if (rec.logged.empty()) return;
  {
    std::lock_guard lock(files_mu_);
    for (const ras::Event& e : rec.logged) {
      accel_ras_event ev{};
      ev.seqno = e.seqno;
      ev.timestamp_ns = e.timestamp_ns;
      ev.component = e.component;
      ev.severity = e.severity;
      ev.code = e.code;
      ev.count = e.count;
      const std::string comp = RasComponentName(e.component);
      std::strncpy(ev.component_name, comp.c_str(), sizeof(ev.component_name) - 1);
      std::strncpy(ev.message, e.message.c_str(), sizeof(ev.message) - 1);
      for (File* f : files_) f->PushEvent(ev);
    }
  }
  Registry* reg = registry_;
  if (RasObserver* obs = reg->ras_observer()) {
    NoteRasTicket(obs->OnRasRecorded(*this, rec));
  }
  bool registered;
  {
    std::lock_guard lock(mu_);
    registered = registered_;
  }
  if (registered) reg->NotifyChanged(*this);
}

void Device::NoteRasTicket(uint64_t ticket) {
  uint64_t prev = ras_ticket_.load(std::memory_order_relaxed);
  while (prev < ticket && !ras_ticket_.compare_exchange_weak(prev, ticket)) {
  }
}

Result<void> Device::RasFirmwareBlob(uint32_t format, std::vector<uint8_t> blob) {
  if (format >= 32 || (ras_passthrough_ & (1u << format)) == 0) return Err(EINVAL);
  if (blob.size() > ras::kMaxEncodedSize) return Err(E2BIG);
  Result<void> decoded;
  if (const ras::Codec* codec = ras::FindCodec(format)) {
    Result<ras::Snapshot> fw = codec->decode(blob);
    if (fw)
      PublishRas(ras_->MergeFirmware(*fw, ras::NowNs()));
    else
      decoded = Errno{fw.error()};
  }
  // Kept even when it does not decode: RAW readers get exactly what the firmware sent.
  ras_->SetFirmwareBlob(format, std::move(blob));
  return decoded;
}

Result<void> Device::RasClear() {
  if (!Enter()) return Err(ENODEV);
  ras_->ClearVolatile();
  const accel_driver& t = driver_->table();
  const int rc = t.ras_clear ? t.ras_clear(priv_) : 0;
  Exit();
  return Result<void>::FromErrno(rc);
}

Result<uint64_t> Device::RasInject(const Caller& caller, File* file, uint32_t component,
                                   uint32_t severity, uint32_t count,
                                   std::optional<uint64_t> address) {
  if (count == 0 || component >= ras_components_.size() || severity >= ras::kSeverityCount)
    return Err(EINVAL);
  // Enter() before touching the driver: after its unload the Driver object is gone.
  if (!Enter()) return Err(ENODEV);
  auto inject = driver_->ras_inject_hook();
  if (inject == nullptr) {
    Exit();
    return Err(EOPNOTSUPP);
  }
  const accel_call call = MakeCall(file, caller);
  const int64_t seqno =
      inject(&call, component, severity, count, address.has_value(), address.value_or(0));
  Exit();
  if (seqno < 0) return Errno{static_cast<int>(seqno)};
  // Acknowledged: the caller learns of the event only once it is durable.
  Result<void> durable = RasWaitDurable();
  if (!durable) return Errno{durable.error()};
  return static_cast<uint64_t>(seqno);
}

Result<void> Device::RasReset() {
  if (!Enter()) return Err(ENODEV);
  int (*reset)(void*) = driver_->reset_hook();
  if (reset == nullptr) {
    Exit();
    return Err(EOPNOTSUPP);
  }
  const int rc = reset(priv_);
  Exit();
  if (rc < 0) return Errno{rc};
  std::vector<ras::RetiredPage> changed = ras_->RetirePendingPages();
  if (RasObserver* obs = registry_->ras_observer(); obs && !changed.empty())
    NoteRasTicket(obs->OnPagesChanged(*this, changed));
  return {};
}

Result<bool> Device::RasRetirePage(uint64_t address, uint32_t severity, uint64_t when_ns) {
  if (severity >= ras::kSeverityCount) return Err(EINVAL);
  ras::RetiredPage page;
  switch (ras_->AddPage(address & ~uint64_t{0xfff}, severity, when_ns ? when_ns : ras::NowNs(),
                        &page)) {
    case ras::DeviceRasState::PageAdd::kListed:
      return false;
    case ras::DeviceRasState::PageAdd::kFull:
      return Err(ENOSPC);
    case ras::DeviceRasState::PageAdd::kAdded:
      break;
  }
  if (RasObserver* obs = registry_->ras_observer())
    NoteRasTicket(obs->OnPagesChanged(*this, {page}));
  return true;
}

void Device::RasSetThresholds(std::vector<ras::ThresholdRule> rules) {
  ras_->SetThresholds(std::move(rules));
}

void Device::RasRestore(
    const std::vector<std::pair<std::string, std::pair<uint32_t, uint64_t>>>& aggregates,
    const std::vector<ras::RetiredPage>& pages, uint64_t last_seqno) {
  ras_->Restore(aggregates, pages, last_seqno);
}

Result<void> Device::RasWaitDurable() {
  RasObserver* obs = registry_->ras_observer();
  const uint64_t ticket = ras_ticket_.load(std::memory_order_acquire);
  if (obs == nullptr || ticket == 0) return {};
  return obs->WaitDurable(ticket);
}

ras::DeviceIdentity Device::RasIdentity() const {
  ras::DeviceIdentity id;
  id.name = name();
  id.driver = driver_name_;
  id.serial = serial_;
  id.bus = bus_;
  id.minor = minor_;
  return id;
}

ras::Snapshot Device::RasSnapshot() const {
  return ras_->TakeSnapshot(RasIdentity(), ras::NowNs());
}

}  // namespace accel::core
