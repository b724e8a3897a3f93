// ras_observer.h - what the core tells the RAS services about (persistence, actions, watchers).
//
// The core keeps each device's RAS state (ras::DeviceRasState) and does no I/O. The daemon
// installs one RasObserver on the registry; it restores persisted state when a device is
// registered, queues recorded events for the store, runs threshold actions on a thread of its
// own, and fans events out to subscribers. Calls come from reporting threads (a driver's
// handler, a firmware thread): implementations queue and return, they never block.
#ifndef ACCEL_CORE_RAS_OBSERVER_H_
#define ACCEL_CORE_RAS_OBSERVER_H_

#include <accel/result.h>

#include <cstdint>

#include "ras/state/device_ras_state.h"

namespace accel::core {

class Device;

class RasObserver {
 public:
  virtual ~RasObserver() = default;
  // Between reserving the minor and publishing it: nobody can open the device yet.
  virtual void OnDeviceRegistered(Device& dev) = 0;
  // Events logged and thresholds crossed. Returns a ticket for WaitDurable (0: nothing queued).
  virtual uint64_t OnRasRecorded(Device& dev, const ras::RecordResult& recorded) = 0;
  // Retired pages were listed (Device::RasRetirePage) or changed state (after a reset).
  // Returns a ticket for WaitDurable, as OnRasRecorded does (0: nothing queued).
  virtual uint64_t OnPagesChanged(Device& dev, const std::vector<ras::RetiredPage>& pages) = 0;
  // Blocks until everything up to `ticket` is durable: an acknowledged event.
  virtual Result<void> WaitDurable(uint64_t ticket) = 0;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_RAS_OBSERVER_H_
