// device.h - an accel device: refcounted, registered under a minor, unpluggable.
//
// DOC: lifetime (after drm_dev_alloc/register/unplug/put)
//
//   Create()     refcount 1, owned by the driver that created it; not yet visible.
//   Register()   reserves a minor (accelN), then publishes it: from now on it can be opened.
//   Open()       a File, which holds a reference to the device until it is closed.
//   Unplug()     unpublishes the minor, makes every new call fail with -ENODEV, wakes every
//                sleeper with -ENODEV and returns once the calls in flight have left.
//   Release()    (from the core, after Unplug) runs the driver's device_release and drops
//                the driver's reference; the memory goes when the last File is closed.
//
// Enter()/Exit() bracket every call into driver code, as drm_dev_enter()/drm_dev_exit() do:
// Enter() fails once the device is unplugged, and Unplug() waits for the brackets still open.
// The in-flight count and the unplugged flag form a Dekker pair (both seq_cst): either Enter
// sees the flag, or Unplug sees the count.
//
// DOC: recovery state (after drm_dev_wedged_event and devcoredump)
//
// A driver says its device is wedged (and why) and when it serves again; only a change of
// state tells the registry's monitors. It may leave one devcoredump, kept (bounded) until an
// operator reads and dismisses it or the next dump replaces it. The core keeps both and
// refuses nothing because of them: what a wedged device still answers is the driver's call,
// and VERSION or RAS_QUERY are what an operator needs most then.
#ifndef ACCEL_CORE_DEVICE_H_
#define ACCEL_CORE_DEVICE_H_

#include <accel/driver_abi.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <accel/result.h>
#include "core/caller.h"
#include "core/device_attributes.h"
#include "core/ras_observer.h"
#include "ras/state/device_ras_state.h"

namespace accel::core {

class Driver;
class File;
class Registry;

// Who may open a node: mode bits and owner, as udev would set on /dev/accel/accelN.
struct NodePermissions {
  uint32_t mode = 0660;
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class Device {
 public:
  static Device* Create(Driver* driver, const accel_device_info& info, void* dev_priv);

  void Get() { refcount_.fetch_add(1, std::memory_order_relaxed); }
  void Put();

  // Reserves and publishes the minor. -ENOSPC when all are taken, -EBUSY if registered.
  Result<uint32_t> Register();
  // See the DOC above. Idempotent.
  void Unplug();
  // After Unplug: detaches open files (their driver state is torn down now), runs the
  // driver's device_release and drops the driver's reference. For driver unload.
  void Release();

  bool Enter() {
    inflight_.fetch_add(1, std::memory_order_seq_cst);
    if (unplugged_.load(std::memory_order_seq_cst)) {
      Exit();
      return false;
    }
    return true;
  }
  void Exit() {
    if (inflight_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
        unplugged_.load(std::memory_order_seq_cst)) {
      std::lock_guard lock(mu_);
      drained_cv_.notify_all();
    }
  }
  bool unplugged() const { return unplugged_.load(std::memory_order_acquire); }

  // A new open file. -ENODEV after unplug; the driver's open() may fail too.
  Result<File*> Open(const Caller& caller);
  // Called by File::Close: runs postclose unless the file was detached.
  void CloseFile(File* file, const Caller& caller);
  size_t open_count() const;

  // ---- RAS (device_ras.cc): every RAS rule of a device is judged in these methods ----

  // device_ras_event()/device_ras_report(): records the event in the RAS state (counters,
  // log, thresholds), queues it on every open file, tells the RAS observer. Returns the seqno;
  // -EINVAL for a component or severity out of range.
  Result<uint64_t> RasReport(ras::Event ev);
  // device_ras_firmware_blob(): keeps the blob for RAW queries and merges what its codec
  // decodes. -EINVAL when the format is not one of the device's firmware formats.
  Result<void> RasFirmwareBlob(uint32_t format, std::vector<uint8_t> blob);
  // RAS_CLEAR: volatile counters to zero, then the driver's ras_clear hook.
  Result<void> RasClear();
  // RAS_INJECT: the driver's ras_inject hook, as `caller` (privilege is the caller's job);
  // returns the event's seqno (0: the firmware reports it later) once it is durable.
  Result<uint64_t> RasInject(const Caller& caller, File* file, uint32_t component,
                             uint32_t severity, uint32_t count, std::optional<uint64_t> address);
  // A device reset through the driver's reset hook, outside any call; pending pages retire.
  Result<void> RasReset();
  // The one path of page retirement (device_ras_retire_page() and a threshold's retire-page
  // action): lists the 4 KiB page holding `address` as pending (it retires at the next
  // reset) and has the observer persist it, so that RasWaitDurable covers it. `when_ns` is
  // the cause's time (0: now). true when listed now, false when it already was; -ENOSPC when
  // the list is full, -EINVAL for a severity out of range.
  Result<bool> RasRetirePage(uint64_t address, uint32_t severity, uint64_t when_ns = 0);
  // The daemon's setup of a registered device: threshold rules, and what the store kept.
  void RasSetThresholds(std::vector<ras::ThresholdRule> rules);
  void RasRestore(
      const std::vector<std::pair<std::string, std::pair<uint32_t, uint64_t>>>& aggregates,
      const std::vector<ras::RetiredPage>& pages, uint64_t last_seqno);
  // Blocks until the events this device recorded so far are durable (no observer: at once).
  Result<void> RasWaitDurable();
  ras::DeviceIdentity RasIdentity() const;
  ras::Snapshot RasSnapshot() const;
  // Read-only: every change of the RAS state goes through the Ras* methods above.
  const ras::DeviceRasState& ras() const { return *ras_; }
  const std::vector<std::string>& ras_components() const { return ras_components_; }
  // The component's name, or its number as text when the driver named none.
  std::string RasComponentName(uint32_t index) const;

  // device_set_wedged(): records the state; a transition is a kWedged/kRecovered event for
  // the registry's subscribers (once the device is registered). `why` is kept on one line.
  // Returns whether the state changed.
  bool SetWedged(bool wedged, std::string why);
  struct WedgedState {
    bool wedged = false;
    std::string reason;
  };
  WedgedState wedged() const;

  // device_coredump(): keeps a copy of at most kMaxCoredump bytes (the rest is cut off),
  // replacing any earlier dump. Readers share it without copying the whole dump per read.
  static constexpr size_t kMaxCoredump = size_t{16} << 20;
  struct Coredump {
    std::vector<uint8_t> data;
    uint64_t timestamp_ns = 0;   // CLOCK_REALTIME when the driver handed it over
    uint64_t original_size = 0;  // what the driver offered; > data.size() when cut off
  };
  void SetCoredump(const void* data, size_t len);
  std::shared_ptr<const Coredump> coredump() const;
  void DismissCoredump();

  // DRM fdinfo (Documentation/gpu/drm-usage-stats.rst) of the files open on this device that
  // `viewer` may see: root sees all, another user the files it opened (as /proc/PID/fdinfo is
  // readable by the process's owner). One block of "key:\tvalue\n" lines per file: drm-driver,
  // drm-client-id, drm-pdev (when the device has a bus), accel-pid and accel-uid of the opener,
  // then the driver's file_usage lines. -ENODEV once unplugged. The driver's hook runs under
  // the lock that serialises postclose, so file_priv stays valid while it reads it.
  Result<std::vector<std::string>> ClientUsage(const Caller& viewer);

  // pread/pwrite of a FUSE node at a driver's fake offset, in [kFileRwBegin, kFileRwEnd):
  // the driver's file_rw hook for `file`, as `caller`. Returns the bytes moved (0: end of the
  // object). -ENODEV once unplugged or detached; -EINVAL outside the range or without a hook.
  static constexpr uint64_t kFileRwBegin = uint64_t{1} << 32;
  static constexpr uint64_t kFileRwEnd = uint64_t{1} << 62;
  Result<uint32_t> FileReadWrite(File& file, const Caller& caller, uint64_t offset, void* buf,
                                 uint32_t len, bool write);

  // device_wait()/device_wake_all() of the host ops.
  int Wait(const accel_call& call, int (*cond)(void*), void* arg, int64_t timeout_ns);
  void WakeAll();

  // The driver object and its plugin live until the driver is unloaded, which a device may
  // outlive (an open file, a DeviceRef in a queue). So its table and hooks are for code that
  // holds Enter() (every call into the driver does); anything else uses what the device keeps
  // itself: driver_name(), registry().
  Driver* entered_driver() const { return driver_; }
  const std::string& driver_name() const { return driver_name_; }
  Registry* registry() const { return registry_; }
  void* priv() const { return priv_; }
  uint32_t minor() const { return minor_; }
  std::string name() const { return "accel" + std::to_string(minor_); }
  const std::string& serial() const { return serial_; }
  const std::string& bus() const { return bus_; }
  uint32_t vendor_id() const { return vendor_id_; }
  uint32_t device_id() const { return device_id_; }
  uint64_t ras_formats() const { return ras_formats_; }
  // ACCEL_CAP_RAS_* bits of the firmware's blob formats; 0 when the device has none.
  uint32_t ras_passthrough() const { return ras_passthrough_; }
  NodePermissions permissions() const;
  void set_permissions(const NodePermissions& p);
  // The files of class/accel/accelN/device/: the core's identity ones and the driver's.
  DeviceAttributes& attributes() { return attributes_; }

  accel_device* handle() { return reinterpret_cast<accel_device*>(this); }
  static Device* FromHandle(accel_device* h) { return reinterpret_cast<Device*>(h); }
  static const Device* FromHandle(const accel_device* h) {
    return reinterpret_cast<const Device*>(h);
  }

 private:
  friend class Registry;  // sets minor_ between reserving and publishing it
  Device() = default;
  ~Device() = default;
  static constexpr size_t kMaxWedgedReason = 256;
  static constexpr size_t kMaxUsageText = 4096;  // the driver's file_usage buffer

  accel_call MakeCall(File* file, const Caller& caller) const;
  bool IsRegistered() const;
  // One client's fdinfo block; files_mu_ held.
  std::string UsageBlock(File& file, const Caller& viewer) const;
  // Queues recorded events on the open files and tells the observer and monitors.
  void PublishRas(const ras::RecordResult& rec);
  // Keeps the highest durability ticket the observer handed out, for RasWaitDurable.
  void NoteRasTicket(uint64_t ticket);

  std::atomic<int> refcount_{1};
  std::atomic<int64_t> inflight_{0};
  std::atomic<bool> unplugged_{false};
  std::atomic<bool> released_{false};

  Driver* driver_ = nullptr;  // valid while Enter() holds (see entered_driver())
  std::string driver_name_;   // copies of the driver's, kept past its unload
  Registry* registry_ = nullptr;
  void* priv_ = nullptr;
  uint32_t minor_ = UINT32_MAX;
  bool registered_ = false;
  std::string serial_, bus_;
  uint32_t vendor_id_ = 0, device_id_ = 0;
  uint64_t ras_formats_ = 0;
  uint32_t ras_passthrough_ = 0;
  std::vector<std::string> ras_components_;
  std::unique_ptr<ras::DeviceRasState> ras_;
  std::atomic<uint64_t> ras_ticket_{0};  // the observer's ticket of the last recorded event

  mutable std::mutex recovery_mu_;  // guards the three below; held while monitors are told
  bool wedged_ = false;
  std::string wedged_reason_;
  std::shared_ptr<const Coredump> coredump_;

  mutable std::mutex mu_;  // guards perms_, minor_/registered_; pairs with the cvs
  std::condition_variable drained_cv_;
  std::condition_variable wait_cv_;
  // Guards files_ and serialises postclose, which runs under it (a driver's postclose may
  // still wake sleepers: that takes mu_, not this).
  mutable std::mutex files_mu_;
  std::vector<File*> files_;
  NodePermissions perms_;
  DeviceAttributes attributes_;
};

// A counted reference: DeviceRef r(dev) takes one, its destructor drops it.
class DeviceRef {
 public:
  DeviceRef() = default;
  explicit DeviceRef(Device* d) : d_(d) {
    if (d_) d_->Get();
  }
  DeviceRef(DeviceRef&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  DeviceRef& operator=(DeviceRef&& o) noexcept {
    if (this != &o) {
      if (d_) d_->Put();
      d_ = o.d_;
      o.d_ = nullptr;
    }
    return *this;
  }
  DeviceRef(const DeviceRef& o) : DeviceRef(o.d_) {}
  DeviceRef& operator=(const DeviceRef& o) {
    if (this != &o) *this = DeviceRef(o.d_);
    return *this;
  }
  ~DeviceRef() {
    if (d_) d_->Put();
  }
  Device* get() const { return d_; }
  Device* operator->() const { return d_; }
  explicit operator bool() const { return d_ != nullptr; }

 private:
  Device* d_ = nullptr;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_DEVICE_H_
