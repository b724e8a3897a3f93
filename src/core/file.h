// file.h - one open of a device (DRM's struct drm_file).
//
// DOC: lifetime
//
// Device::Open() creates a File holding a device reference and the driver's per-file state;
// File::Close() runs the driver's postclose (unless a forced unload already did, "detaching"
// the file) and drops the reference. A detached or unplugged file answers every call with
// -ENODEV but can always be closed. Each transport owns the Files it opened: one per socket
// connection, one per FUSE open.
#ifndef ACCEL_CORE_FILE_H_
#define ACCEL_CORE_FILE_H_

#include <uapi/accel/accel.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "core/caller.h"

namespace accel::core {

class Device;

class File {
 public:
  File(Device* dev, const Caller& opener, uint64_t client_id);
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Closes the file and frees it. `caller` is whoever closes (may differ from the opener).
  void Close(const Caller& caller);

  Device* device() const { return dev_; }
  void* priv() const { return priv_; }
  void set_priv(void* p) { priv_ = p; }
  const Caller& opener() const { return opener_; }
  uint64_t client_id() const { return client_id_; }

  // Set by the core when a forced unload tore down the driver's per-file state.
  bool detached() const { return detached_.load(std::memory_order_acquire); }
  void set_detached() { detached_.store(true, std::memory_order_release); }

  // A transport interrupts a sleeping call (client gone, FUSE interrupt): device_wait()
  // returns -EINTR.
  void Interrupt();
  bool interrupted() const { return interrupted_.load(std::memory_order_acquire); }
  void ClearInterrupt() { interrupted_.store(false, std::memory_order_release); }

  // RAS events for this file: a bounded queue (ACCEL_RAS_EVENT_QUEUE_LEN). When full, the
  // oldest event is dropped and counted; the count rides on the next event read.
  void PushEvent(const accel_ras_event& ev);
  std::optional<accel_ras_event> PopEvent();
  bool HasEvent() const;
  // Called after an event is queued or the device goes away: a transport's poll wake-up. It
  // runs under the queue's lock and must not call back into this File.
  void SetEventNotifier(std::function<void()> notify);
  void WakePollers();

 private:
  ~File() = default;

  Device* dev_;
  void* priv_ = nullptr;
  Caller opener_;
  uint64_t client_id_;
  std::atomic<bool> detached_{false};
  std::atomic<bool> interrupted_{false};

  mutable std::mutex events_mu_;
  std::deque<accel_ras_event> events_;
  uint32_t events_lost_ = 0;
  std::function<void()> event_notifier_;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_FILE_H_
