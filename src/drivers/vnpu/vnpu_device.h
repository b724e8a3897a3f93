// vnpu_device.h - one emulated accelerator: memory, engines, firmware, faults, recovery.
//
// DOC: what a vnpu device is made of
//
//   DeviceMemory   the address space and limit BOs are carved from; poisoned pages
//   Scheduler      engines (threads) running jobs by priority, and the hang watchdog
//   firmware       vnpu-fw, a process of its own behind virtqueues + rpmsg (fwlink/): it sends
//                  a heartbeat and its RAS state as CBOR, which the driver hands to the core
//                  untouched (pass-through); the core decodes it for every other format
//   supervisor     a thread that watches the heartbeat and runs recoveries
//   VnpuFile       per open file: handles of BOs, queues, rings, and the FileContext its jobs
//                  share (fences, usage)
//
// DOC: recovery
//
// A firmware crash (its process exits), a lost heartbeat or a fatal link error is a device
// failure: the supervisor logs a fatal RAS event, leaves a devcoredump, marks the device
// wedged, and resets it through the core (host op device_reset -> the driver's reset hook ->
// Reset()), so that the core also retires pending pages. Reset() pauses the scheduler (jobs
// queued or running end ABORTED), restarts the firmware, waits for its HELLO and resumes.
// Then the device is no longer wedged. A hung engine is smaller: only that engine is reset
// (scheduler.h), with its own event, devcoredump and wedged/recovered pair.
#ifndef ACCEL_DRIVERS_VNPU_VNPU_DEVICE_H_
#define ACCEL_DRIVERS_VNPU_VNPU_DEVICE_H_

#include <accel/driver_abi.h>
#include <uapi/accel/vnpu.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "drivers/vnpu/buffer_object.h"
#include "drivers/vnpu/device_memory.h"
#include "drivers/vnpu/fwlink/firmware_process.h"
#include "drivers/vnpu/job.h"
#include "drivers/vnpu/scheduler.h"
#include "drivers/vnpu/user_ring.h"
#include "drivers/vnpu/vnpu_config.h"

namespace accel::vnpu {

struct VnpuDriver {
  accel_host* host = nullptr;
  const accel_host_ops* ops = nullptr;
  VnpuConfig config;
  std::string fw_path;  // vnpu-fw, when config.firmware
  // Whom vnpu-fw runs as (config.fw_user, resolved at load when acceld is root).
  std::optional<fwlink::RunAs> fw_run_as;
  void Log(int level, const std::string& msg) const { ops->log(host, level, msg.c_str()); }
};

struct CommandQueue {
  uint32_t priority = VNPU_PRIORITY_NORMAL;
};

// Per open file (the driver's file_priv).
struct VnpuFile {
  std::mutex mu;
  std::map<uint32_t, std::shared_ptr<BufferObject>> bos;
  std::map<uint32_t, CommandQueue> cmdqs;
  std::map<uint32_t, std::shared_ptr<UserRing>> rings;
  uint32_t next_bo = 1, next_cmdq = 1, next_ring = 1;
  uint64_t bo_bytes = 0;
  std::shared_ptr<FileContext> ctx = std::make_shared<FileContext>();

  std::shared_ptr<BufferObject> FindBo(uint32_t handle) {  // mu held
    auto it = bos.find(handle);
    return it == bos.end() ? nullptr : it->second;
  }
};

class VnpuDevice {
 public:
  VnpuDevice(VnpuDriver* driver, uint32_t index);
  ~VnpuDevice();

  // Creates and registers the accel device, starts engines and firmware.
  int Init();

  // Driver hooks.
  int Open(const accel_call* call, void** file_priv);
  void Postclose(const accel_call* call);
  int64_t FileRw(const accel_call* call, uint64_t offset, void* buf, uint32_t len, bool write);
  int FileUsage(const accel_call* call, char* buf, uint32_t size);
  // A RAS fault of INJECT_FAULT, through the core's device_ras_inject (one inject entry).
  int64_t InjectThroughCore(const accel_call* call, uint32_t component, uint32_t severity,
                            bool has_address, uint64_t address);
  int64_t RasInject(const accel_call* call, uint32_t component, uint32_t severity, uint32_t count,
                    bool has_address, uint64_t address);
  int Reset();

  // ioctls (vnpu_ioctls.cc).
  int GetParam(const accel_call* call, vnpu_get_param* arg);
  int BoCreate(const accel_call* call, vnpu_bo_create* arg);
  int BoInfo(const accel_call* call, vnpu_bo_info* arg);
  int BoDestroy(const accel_call* call, vnpu_bo_destroy* arg);
  int BoExport(const accel_call* call, vnpu_bo_export* arg);
  int CmdqCreate(const accel_call* call, vnpu_cmdq_create* arg);
  int CmdqDestroy(const accel_call* call, vnpu_cmdq_destroy* arg);
  int Submit(const accel_call* call, vnpu_submit* arg);
  int Wait(const accel_call* call, vnpu_wait* arg);
  int InjectFault(const accel_call* call, vnpu_inject_fault* arg);
  int RingCreate(const accel_call* call, vnpu_ring_create* arg);
  int RingDestroy(const accel_call* call, vnpu_ring_destroy* arg);

  accel_device* dev() const { return dev_; }

 private:
  const accel_host_ops* ops() const { return driver_->ops; }
  // Checks and queues one job of `file`; *fence set on success. Shared by SUBMIT and rings.
  int QueueJob(VnpuFile* file, uint32_t cmdq_id, const JobRequest& req,
               std::shared_ptr<UserRing> ring, uint64_t user_data, uint64_t* fence);
  void OnJobComplete(const JobPtr& job, uint32_t status, uint64_t busy_ns);
  void OnHang(uint32_t engine, const JobPtr& job, uint64_t ran_ns);

  // RAS: an event reported by the driver itself (not through the firmware).
  int64_t Report(uint32_t component, uint32_t severity, uint32_t code, const std::string& msg,
                 bool has_address = false, uint64_t address = 0, uint32_t count = 1);
  // A hardware error the firmware accounts and reports in its next blob; waits (bounded) for
  // that blob so that the event is in the core's model when this returns. Without a running
  // firmware the driver reports it itself.
  int64_t RaiseThroughFirmware(uint32_t component, uint32_t severity, uint32_t count, uint32_t code,
                               const std::string& msg, bool has_address, uint64_t address);
  int64_t EccError(bool correctable, uint64_t device_address, uint32_t count);

  void Wedge(const std::string& why);
  void Unwedge();
  void Coredump(const std::string& reason);

  // device/firmware_state and device/resets in the sys tree (device_add_attribute).
  void AddAttributes();
  std::string FirmwareState();

  // Firmware.
  int StartFirmware();  // starts vnpu-fw and waits for HELLO
  void StopFirmware();
  // Under fw_mu_: ends the current firmware's generation (its callbacks are ignored from now
  // on, its blob counts start over) and returns the new one's number.
  uint64_t NewFirmwareGeneration();
  void SupervisorLoop();
  // Asks the supervisor for a recovery (device failure `why`); returns at once.
  void RequestRecovery(const std::string& why);

  VnpuDriver* driver_;
  uint32_t index_;
  std::string serial_, bus_;
  accel_device* dev_ = nullptr;
  std::shared_ptr<DeviceMemory> memory_;
  std::unique_ptr<Scheduler> scheduler_;
  std::atomic<uint64_t> reset_count_{0};

  // Wedged state: nested holders (a hang during a reset), one transition each way.
  std::mutex wedge_mu_;
  uint32_t wedge_depth_ = 0;

  // Firmware and supervisor. fw_mu_ guards fw_ and the fields after it.
  std::mutex fw_mu_;
  std::condition_variable fw_cv_;
  std::unique_ptr<fwlink::FirmwareProcess> fw_;
  uint64_t fw_generation_ = 0;  // bumped per start; callbacks of older ones are ignored
  bool fw_hello_ = false;
  fw::Hello hello_{};
  // Of the current firmware: the messages it answers with a RAS blob (the link's first RAS
  // request, then each fault) and the blobs received. Answers come one each, in order, so the
  // n-th such message is accounted once n blobs came (RaiseThroughFirmware).
  uint64_t blob_requests_ = 1;
  uint64_t blobs_ = 0;
  std::atomic<uint64_t> last_heartbeat_ns_{0};
  std::atomic<uint32_t> last_heartbeat_seq_{0};
  std::deque<std::string> recoveries_;  // requested, not yet run
  bool stopping_ = false;
  std::thread supervisor_;
  std::mutex reset_mu_;  // one reset at a time

  std::atomic<uint32_t> next_client_{1};

  // Rings per user over all files (VNPU_RING_MAX_PER_UID): each ring holds a charge that
  // gives its count back when the ring object dies, which jobs in flight may delay past the
  // file; the table is shared with the charges so that it outlives the device if need be.
  struct RingCharges {
    std::mutex mu;
    std::map<uint32_t, uint32_t> by_uid;
  };
  std::shared_ptr<RingCharges> ring_charges_ = std::make_shared<RingCharges>();
};

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_VNPU_DEVICE_H_
