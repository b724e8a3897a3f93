// file.cc - per-open state; see file.h.
#include "core/file.h"

#include "core/device.h"

namespace accel::core {

File::File(Device* dev, const Caller& opener, uint64_t client_id)
    : dev_(dev), opener_(opener), client_id_(client_id) {
  dev_->Get();
}

void File::Close(const Caller& caller) {
  dev_->CloseFile(this, caller);
  Device* dev = dev_;
  delete this;
  dev->Put();
}

void File::PushEvent(const accel_ras_event& ev) {
  // The notifier runs under the lock so that SetEventNotifier(nullptr) returns only when no
  // call of the old one is still running (the transport frees what it captured after that).
  std::lock_guard lock(events_mu_);
  if (events_.size() >= ACCEL_RAS_EVENT_QUEUE_LEN) {
    events_.pop_front();
    ++events_lost_;
  }
  events_.push_back(ev);
  if (event_notifier_) event_notifier_();
}

void File::WakePollers() {
  std::lock_guard lock(events_mu_);
  if (event_notifier_) event_notifier_();
}

std::optional<accel_ras_event> File::PopEvent() {
  std::lock_guard lock(events_mu_);
  if (events_.empty()) return std::nullopt;
  accel_ras_event ev = events_.front();
  events_.pop_front();
  ev.lost = events_lost_;
  events_lost_ = 0;
  return ev;
}

bool File::HasEvent() const {
  std::lock_guard lock(events_mu_);
  return !events_.empty();
}

void File::SetEventNotifier(std::function<void()> notify) {
  std::lock_guard lock(events_mu_);
  event_notifier_ = std::move(notify);
}

void File::Interrupt() {
  interrupted_.store(true, std::memory_order_release);
  dev_->WakeAll();
}

}  // namespace accel::core
