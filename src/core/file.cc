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

void File::Interrupt() {
  interrupted_.store(true, std::memory_order_release);
  dev_->WakeAll();
}

}  // namespace accel::core
