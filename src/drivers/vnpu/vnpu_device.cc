// vnpu_device.cc - see vnpu_device.h. The ioctls are in vnpu_ioctls.cc.
#include "drivers/vnpu/vnpu_device.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <sstream>

namespace accel::vnpu {
namespace {

const char* const kComponents[VNPU_NUM_COMPONENTS] = {"hbm0", "sram", "pcie", "fw", "compute"};

constexpr uint32_t kVendorId = 0x1d0f;  // an emulated device; ids are only labels here
constexpr uint32_t kDeviceId = 0x7e51;

// Driver error codes kept in RAS events (the `code` field).
constexpr uint32_t kCodeEccCorrected = 0x0101;
constexpr uint32_t kCodeEccPoison = 0x0102;
constexpr uint32_t kCodeLinkReplay = 0x0201;
constexpr uint32_t kCodeLinkDown = 0x0202;
constexpr uint32_t kCodeFwCrash = 0x0301;
constexpr uint32_t kCodeFwHeartbeat = 0x0302;
constexpr uint32_t kCodeEngineHang = 0x0401;

constexpr auto kHelloTimeout = std::chrono::seconds(10);
constexpr auto kBlobTimeout = std::chrono::seconds(3);

// A stable serial without a state file: the machine's id and the device's index. The RAS
// store keys persistent counters by it, so it must survive restarts of acceld.
std::string MakeSerial(uint32_t index) {
  std::string id;
  std::ifstream("/etc/machine-id") >> id;
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  char buf[32];
  snprintf(buf, sizeof(buf), "VNPU-%08X-%02u", h, index);
  return buf;
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status))
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "stopped";
}

uint64_t RealtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

VnpuDevice::VnpuDevice(VnpuDriver* driver, uint32_t index)
    : driver_(driver),
      index_(index),
      serial_(MakeSerial(index)),
      bus_("platform:vnpu." + std::to_string(index)),
      memory_(std::make_shared<DeviceMemory>(driver->config.memory)) {}

VnpuDevice::~VnpuDevice() {
  {
    std::lock_guard lock(fw_mu_);
    stopping_ = true;
  }
  fw_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  if (scheduler_) scheduler_->Stop();
  StopFirmware();
}

int VnpuDevice::Init() {
  SchedulerCallbacks cb;
  cb.on_complete = [this](const JobPtr& j, uint32_t s, uint64_t ns) { OnJobComplete(j, s, ns); };
  cb.on_hang = [this](uint32_t e, const JobPtr& j, uint64_t ns) { OnHang(e, j, ns); };
  cb.on_engine_reset = [this](uint32_t) { Unwedge(); };
  scheduler_ = std::make_unique<Scheduler>(driver_->config.engines, std::move(cb));
  scheduler_->Start();

  accel_device_info info{};
  info.serial = serial_.c_str();
  info.bus = bus_.c_str();
  info.vendor_id = kVendorId;
  info.device_id = kDeviceId;
  // The firmware's CBOR blobs are carried as they are (RAW queries); the core decodes them.
  info.ras_passthrough = driver_->config.firmware ? static_cast<uint32_t>(ACCEL_CAP_RAS_CBOR) : 0;
  info.num_ras_components = VNPU_NUM_COMPONENTS;
  info.ras_components = kComponents;
  // Created before the firmware starts, so that its threads only ever see dev_ set; published
  // (registered) after the firmware said hello, so that nobody opens a device without one.
  int rc = ops()->device_create(driver_->host, &info, this, &dev_);
  if (rc < 0) return rc;
  AddAttributes();
  if (driver_->config.firmware) {
    rc = StartFirmware();
    if (rc < 0) return rc;
  }
  supervisor_ = std::thread([this] { SupervisorLoop(); });
  return ops()->device_register(dev_);
}

// ---- files ---------------------------------------------------------------------------------

int VnpuDevice::Open(const accel_call* call, void** file_priv) {
  auto* f = new (std::nothrow) VnpuFile;
  if (f == nullptr) return -ENOMEM;
  f->ctx->pid = call->pid;
  f->ctx->client_id = next_client_.fetch_add(1);
  *file_priv = f;
  return 0;
}

void VnpuDevice::Postclose(const accel_call* call) {
  auto* f = static_cast<VnpuFile*>(call->file_priv);
  std::map<uint32_t, std::shared_ptr<UserRing>> rings;
  {
    std::lock_guard lock(f->mu);
    rings.swap(f->rings);
  }
  for (auto& [id, ring] : rings) ring->Stop();
  f->ctx->closed = true;
  // Jobs not started are dropped (as a DRM file's are); running ones finish on their own and
  // keep what they use alive through their references.
  const FileContext* ctx = f->ctx.get();
  scheduler_->AbortQueued([ctx](const Job& j) { return j.owner.get() == ctx; });
  delete f;
}

int64_t VnpuDevice::FileRw(const accel_call* call, uint64_t offset, void* buf, uint32_t len,
                           bool write) {
  auto* f = static_cast<VnpuFile*>(call->file_priv);
  const uint64_t handle = offset >> VNPU_BO_OFFSET_SHIFT;
  const uint64_t pos = offset & ((uint64_t{1} << VNPU_BO_OFFSET_SHIFT) - 1);
  std::shared_ptr<BufferObject> bo;
  {
    std::lock_guard lock(f->mu);
    if (handle <= UINT32_MAX) bo = f->FindBo(static_cast<uint32_t>(handle));
  }
  if (!bo) return -EINVAL;
  if (pos >= bo->size()) return 0;  // end of the object
  const uint64_t n = std::min<uint64_t>(len, bo->size() - pos);
  // Reading poisoned memory is an uncorrectable error for the reader, as on real hardware.
  if (!write && bo->Poisoned(pos, n)) return -EIO;
  if (write)
    std::memcpy(bo->data() + pos, buf, n);
  else
    std::memcpy(buf, bo->data() + pos, n);
  return static_cast<int64_t>(n);
}

int VnpuDevice::FileUsage(const accel_call* call, char* buf, uint32_t size) {
  auto* f = static_cast<VnpuFile*>(call->file_priv);
  uint64_t bytes;
  size_t bo_count;
  {
    std::lock_guard lock(f->mu);
    bytes = f->bo_bytes;
    bo_count = f->bos.size();
  }
  const uint64_t busy = f->ctx->busy_ns.load() + scheduler_->RunningNsOf(f->ctx.get());
  int n = snprintf(buf, size,
                   "drm-engine-compute:\t%llu ns\n"
                   "drm-engine-capacity-compute:\t%u\n"
                   "drm-total-device:\t%llu KiB\n"
                   "drm-resident-device:\t%llu KiB\n"
                   "vnpu-buffer-objects:\t%zu\n"
                   "vnpu-jobs-completed:\t%llu\n"
                   "vnpu-jobs-in-flight:\t%u\n",
                   static_cast<unsigned long long>(busy), scheduler_->engines(),
                   static_cast<unsigned long long>(bytes / 1024),
                   static_cast<unsigned long long>(bytes / 1024), bo_count,
                   static_cast<unsigned long long>(f->ctx->jobs_done.load()),
                   f->ctx->fences.in_flight());
  if (n < 0) return -EINVAL;
  return static_cast<int>(std::min<uint32_t>(static_cast<uint32_t>(n), size ? size - 1 : 0));
}

// ---- jobs ------------------------------------------------------------------------------------

int VnpuDevice::QueueJob(VnpuFile* file, uint32_t cmdq_id, const JobRequest& req,
                         std::shared_ptr<UserRing> ring, uint64_t user_data, uint64_t* fence) {
  auto job = std::make_shared<Job>();
  {
    std::lock_guard lock(file->mu);
    auto q = file->cmdqs.find(cmdq_id);
    if (q == file->cmdqs.end()) return -ENOENT;
    job->priority = q->second.priority;
    int rc = ValidateJob(
        req, [file](uint32_t h) { return file->FindBo(h); }, job.get());
    if (rc < 0) return rc;
  }
  if (job->opcode == VNPU_OP_NOP && !ring) {
    // Nothing to run: the job ends at submission, as the ring's NOPs do. (Jobs of one queue
    // are not ordered across engines anyway, so no later job could have been waited for.)
    Result<uint64_t> f = file->ctx->fences.IssueSignaled(VNPU_JOB_SUCCESS);
    if (!f) return f.error();
    file->ctx->jobs_done.fetch_add(1, std::memory_order_relaxed);
    *fence = *f;
    return 0;
  }
  const uint32_t timeout_ms = req.timeout_ms ? req.timeout_ms : driver_->config.job_timeout_ms;
  job->timeout_ns = uint64_t{timeout_ms} * 1000000;
  job->cmdq_id = cmdq_id;
  job->owner = file->ctx;
  job->ring = std::move(ring);
  job->user_data = user_data;
  Result<uint64_t> f = file->ctx->fences.Issue();
  if (!f) return f.error();
  job->fence = *f;
  *fence = *f;
  scheduler_->Push(std::move(job));
  return 0;
}

void VnpuDevice::OnJobComplete(const JobPtr& job, uint32_t status, uint64_t busy_ns) {
  FileContext& owner = *job->owner;
  owner.busy_ns.fetch_add(busy_ns, std::memory_order_relaxed);
  owner.jobs_done.fetch_add(1, std::memory_order_relaxed);
  owner.fences.Signal(job->fence, status);
  if (job->ring) job->ring->Complete(job->user_data, job->fence, status);
  if (dev_) ops()->device_wake_all(dev_);
}

void VnpuDevice::OnHang(uint32_t engine, const JobPtr& job, uint64_t ran_ns) {
  std::ostringstream why;
  why << "engine " << engine << " hang: job (fence " << job->fence << ", client "
      << (job->owner ? job->owner->client_id : 0) << ") ran " << ran_ns / 1000000 << " ms, timeout "
      << job->timeout_ns / 1000000 << " ms; engine reset";
  Wedge(why.str());
  Coredump(why.str());
  Report(VNPU_COMPONENT_COMPUTE, ACCEL_RAS_SEV_UNCORRECTED, kCodeEngineHang, why.str());
  driver_->Log(ACCEL_LOG_WARN, serial_ + ": " + why.str());
}

// ---- RAS -------------------------------------------------------------------------------------

int64_t VnpuDevice::Report(uint32_t component, uint32_t severity, uint32_t code,
                           const std::string& msg, bool has_address, uint64_t address,
                           uint32_t count) {
  if (!dev_) return -ENODEV;
  accel_ras_report r{};
  r.struct_size = sizeof(r);
  r.component = component;
  r.severity = severity;
  r.code = code;
  r.count = count;
  r.flags = has_address ? ACCEL_RAS_REPORT_ADDRESS : 0;
  r.address = address;
  r.message = msg.c_str();
  return ops()->device_ras_report(dev_, &r);
}

int64_t VnpuDevice::RaiseThroughFirmware(uint32_t component, uint32_t severity, uint32_t count,
                                         uint32_t code, const std::string& msg, bool has_address,
                                         uint64_t address) {
  std::unique_lock lock(fw_mu_);
  if (!fw_ || !fw_hello_) {
    lock.unlock();
    // No firmware to account it: the driver reports the error itself, as one event that
    // stands for `count` errors (one event each would let RAS_INJECT's count of up to 2^32
    // keep acceld busy for hours).
    return Report(component, severity, code, msg, has_address, address, count);
  }
  fw::Fault fault{};
  fault.type = fw::kFault;
  fault.component = component;
  fault.severity = severity;
  fault.count = count;
  fault.code = code;
  fault.flags = has_address ? fw::kFaultHasAddress : 0;
  fault.address = address;
  snprintf(fault.message, sizeof(fault.message), "%s", msg.c_str());
  // Judged here, once: the firmware would refuse it anyway, but the caller learns why now.
  Result<fwlink::CheckedFault> checked = fwlink::CheckFault(fault);
  if (!checked) return checked.error();
  Result<void> sent = fw_->SendFault(*checked);
  if (!sent) return sent.error();
  const uint64_t generation = fw_generation_;
  const uint64_t mine = ++blob_requests_;
  // The firmware answers this fault with its mine-th blob; once it is merged the event is in
  // the core's model. A firmware that dies first (or is reset) never accounts it: the driver
  // then reports it itself, so that an error acknowledged to the caller is never lost (issue
  // 12 B: acknowledging on the next firmware's first blob lost events across kill -9s).
  if (!fw_cv_.wait_for(lock, kBlobTimeout,
                       [&] { return stopping_ || fw_generation_ != generation || blobs_ >= mine; }))
    return -ETIMEDOUT;
  if (fw_generation_ == generation && blobs_ >= mine) return 0;
  if (stopping_) return -ENODEV;
  lock.unlock();
  return Report(component, severity, code, msg + " (firmware gone)", has_address, address, count);
}

int64_t VnpuDevice::EccError(bool correctable, uint64_t address, uint32_t count) {
  if (!memory_->Contains(address)) return -EINVAL;
  if (correctable) {
    // A single-bit error is corrected on the fly: the data is intact, the error is counted.
    return RaiseThroughFirmware(VNPU_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED, count,
                                kCodeEccCorrected, "single-bit ECC error corrected", true, address);
  }
  // Poison: jobs touching the page fail from now on; the page goes to the retired list
  // (pending until the next device reset) and never backs a new BO again.
  memory_->Poison(address);
  const uint64_t page = address & ~(kPageSize - 1);
  if (ops()->struct_size >= offsetof(accel_host_ops, device_ras_retire_page) + sizeof(void*))
    (void)ops()->device_ras_retire_page(dev_, page, ACCEL_RAS_SEV_UNCORRECTED);
  return RaiseThroughFirmware(VNPU_COMPONENT_HBM0, ACCEL_RAS_SEV_UNCORRECTED, count, kCodeEccPoison,
                              "uncorrectable ECC error: page poisoned", true, address);
}

int64_t VnpuDevice::RasInject(const accel_call* call, uint32_t component, uint32_t severity,
                              uint32_t count, bool has_address, uint64_t address) {
  (void)call;
  switch (component) {
    case VNPU_COMPONENT_HBM0:
      if (severity == ACCEL_RAS_SEV_CORRECTED || severity == ACCEL_RAS_SEV_UNCORRECTED) {
        // Without an address: the first page of device memory.
        return EccError(severity == ACCEL_RAS_SEV_CORRECTED,
                        has_address ? address : DeviceMemory::kBase, count);
      }
      break;
    case VNPU_COMPONENT_COMPUTE:
      if (severity == ACCEL_RAS_SEV_UNCORRECTED) return scheduler_->HangNextJob(0);
      break;
    case VNPU_COMPONENT_FW:
      if (severity == ACCEL_RAS_SEV_FATAL) {
        std::lock_guard lock(fw_mu_);
        if (!fw_) return -EOPNOTSUPP;
        Result<void> killed = fw_->Kill(SIGKILL);
        return killed ? 0 : killed.error();
      }
      break;
    case VNPU_COMPONENT_PCIE:
      if (severity == ACCEL_RAS_SEV_FATAL) {
        int64_t rc =
            RaiseThroughFirmware(component, severity, 1, kCodeLinkDown, "PCIe link down", false, 0);
        RequestRecovery("PCIe link down");
        return rc;
      }
      return RaiseThroughFirmware(component, severity, count, kCodeLinkReplay,
                                  "PCIe link error (replay)", has_address, address);
    default:
      break;
  }
  // Anything else: the firmware counts it as it is.
  return RaiseThroughFirmware(component, severity, count, 0x0f00 | severity, "injected",
                              has_address, address);
}

void VnpuDevice::Wedge(const std::string& why) {
  std::lock_guard lock(wedge_mu_);
  if (wedge_depth_++ == 0 && dev_) ops()->device_set_wedged(dev_, 1, why.c_str());
}

void VnpuDevice::Unwedge() {
  std::lock_guard lock(wedge_mu_);
  if (wedge_depth_ > 0 && --wedge_depth_ == 0 && dev_) ops()->device_set_wedged(dev_, 0, nullptr);
}

void VnpuDevice::Coredump(const std::string& reason) {
  if (!dev_) return;
  std::ostringstream out;
  out << "**** vnpu devcoredump ****\n"
      << "reason: " << reason << "\n"
      << "time: " << RealtimeNs() << " ns (CLOCK_REALTIME)\n"
      << "device: serial " << serial_ << ", bus " << bus_ << ", resets " << reset_count_.load()
      << "\n"
      << "memory: " << memory_->used() << " of " << memory_->size() << " bytes in use, "
      << memory_->poisoned_pages() << " poisoned pages\n";
  {
    std::lock_guard lock(fw_mu_);
    out << "firmware: ";
    if (fw_) {
      out << "pid " << fw_->pid() << ", version " << hello_.major << "." << hello_.minor << "."
          << hello_.patch << ", generation " << fw_generation_;
    } else {
      out << "not running";
    }
    const uint64_t last = last_heartbeat_ns_.load();
    out << ", last heartbeat seq " << last_heartbeat_seq_.load();
    if (last) out << ", " << (MonotonicNs() - last) / 1000000 << " ms ago";
    out << "\n";
  }
  out << "queued jobs: " << scheduler_->queued() << "\n";
  for (const std::string& line : scheduler_->DescribeEngines()) out << line << "\n";
  const std::string text = out.str();
  ops()->device_coredump(dev_, text.data(), static_cast<uint32_t>(text.size()));
}

// ---- attributes ------------------------------------------------------------------------------

namespace {

int ShowText(const std::string& text, char* buf, uint32_t size) {
  const uint32_t n = std::min<uint32_t>(size, static_cast<uint32_t>(text.size()));
  std::memcpy(buf, text.data(), n);
  return static_cast<int>(n);
}

}  // namespace

// "none" (loaded with firmware=none), "starting" (no HELLO yet), "running MAJOR.MINOR.PATCH",
// or "stopped" (between a crash and the restart of a recovery).
std::string VnpuDevice::FirmwareState() {
  if (!driver_->config.firmware) return "none\n";
  std::lock_guard lock(fw_mu_);
  if (!fw_) return "stopped\n";
  if (!fw_hello_) return "starting\n";
  return "running " + std::to_string(hello_.major) + "." + std::to_string(hello_.minor) + "." +
         std::to_string(hello_.patch) + "\n";
}

void VnpuDevice::AddAttributes() {
  const accel_host_ops* o = ops();
  if (o->struct_size <
      offsetof(accel_host_ops, device_add_attribute) + sizeof(o->device_add_attribute))
    return;  // an older core: the tree shows the core's attributes only
  accel_device_attribute a{};
  a.struct_size = sizeof(a);
  a.mode = ACCEL_ATTR_RO;
  a.path = "firmware_state";
  a.show = [](void* priv, void*, char* buf, uint32_t size) {
    return ShowText(static_cast<VnpuDevice*>(priv)->FirmwareState(), buf, size);
  };
  if (int rc = o->device_add_attribute(dev_, &a); rc < 0)
    o->log(driver_->host, ACCEL_LOG_WARN, "no firmware_state attribute");
  a.path = "resets";
  a.show = [](void* priv, void*, char* buf, uint32_t size) {
    auto* d = static_cast<VnpuDevice*>(priv);
    return ShowText(std::to_string(d->reset_count_.load()) + "\n", buf, size);
  };
  if (int rc = o->device_add_attribute(dev_, &a); rc < 0)
    o->log(driver_->host, ACCEL_LOG_WARN, "no resets attribute");
}

// ---- firmware and recovery -------------------------------------------------------------------

int VnpuDevice::StartFirmware() {
  uint64_t generation;
  {
    std::lock_guard lock(fw_mu_);
    generation = NewFirmwareGeneration();
  }
  fwlink::FirmwareOptions opts;
  opts.heartbeat_ms = driver_->config.heartbeat_ms;
  opts.serial = serial_;
  opts.run_as = driver_->fw_run_as;
  fwlink::FirmwareCallbacks cb;
  auto current = [this, generation] { return fw_generation_ == generation; };  // fw_mu_ held
  cb.on_hello = [this, current](const fw::Hello& h) {
    std::lock_guard lock(fw_mu_);
    if (!current()) return;
    hello_ = h;
    fw_hello_ = true;
    last_heartbeat_ns_ = MonotonicNs();
    fw_cv_.notify_all();
  };
  cb.on_heartbeat = [this, generation](uint32_t seq, uint64_t) {
    if (fw_generation_ != generation) return;  // a benign race: a stale beat only delays
    last_heartbeat_ns_ = MonotonicNs();
    last_heartbeat_seq_ = seq;
  };
  cb.on_ras_blob = [this, current](uint32_t format, std::span<const uint8_t> blob) {
    {
      // A blob of a firmware that is gone is dropped: a fault it had not answered when its
      // generation ended is reported by the driver instead (RaiseThroughFirmware), once.
      std::lock_guard lock(fw_mu_);
      if (!current()) return;
    }
    if (dev_)
      (void)ops()->device_ras_firmware_blob(dev_, format, blob.data(),
                                            static_cast<uint32_t>(blob.size()));
    std::lock_guard lock(fw_mu_);
    if (!current()) return;
    ++blobs_;
    fw_cv_.notify_all();
  };
  cb.on_exit = [this, current](int status) {
    {
      std::lock_guard lock(fw_mu_);
      if (!current() || stopping_) return;
    }
    RequestRecovery("firmware " + DescribeExit(status));
  };
  Result<std::unique_ptr<fwlink::FirmwareProcess>> p =
      fwlink::FirmwareProcess::Start(driver_->fw_path, opts, std::move(cb));
  if (!p) {
    driver_->Log(ACCEL_LOG_ERROR,
                 "cannot start " + driver_->fw_path + ": " + std::strerror(-p.error()));
    return p.error();
  }
  std::unique_lock lock(fw_mu_);
  fw_ = std::move(*p);
  if (!fw_cv_.wait_for(lock, kHelloTimeout, [&] { return fw_hello_ || stopping_; })) {
    driver_->Log(ACCEL_LOG_ERROR, "vnpu-fw did not say hello");
    return -ETIMEDOUT;
  }
  return 0;
}

uint64_t VnpuDevice::NewFirmwareGeneration() {
  fw_hello_ = false;
  blob_requests_ = 1;  // FirmwareProcess sends the first RAS request
  blobs_ = 0;
  return ++fw_generation_;
}

void VnpuDevice::StopFirmware() {
  std::unique_ptr<fwlink::FirmwareProcess> old;
  {
    std::lock_guard lock(fw_mu_);
    (void)NewFirmwareGeneration();  // its exit is expected now
    old = std::move(fw_);
  }
  old.reset();  // shuts it down (or kills it) and reaps it, outside the lock its callbacks take
}

void VnpuDevice::RequestRecovery(const std::string& why) {
  {
    std::lock_guard lock(fw_mu_);
    if (stopping_) return;
    recoveries_.push_back(why);
  }
  fw_cv_.notify_all();
}

void VnpuDevice::SupervisorLoop() {
  const auto period = std::chrono::milliseconds(std::max(1u, driver_->config.heartbeat_ms / 2));
  const uint64_t timeout_ns = uint64_t{driver_->config.heartbeat_timeout_ms} * 1000000;
  std::unique_lock lock(fw_mu_);
  while (!stopping_) {
    fw_cv_.wait_for(lock, period, [&] { return stopping_ || !recoveries_.empty(); });
    if (stopping_) break;
    std::string why;
    uint32_t code = kCodeFwCrash;
    uint32_t component = VNPU_COMPONENT_FW;
    if (!recoveries_.empty()) {
      why = recoveries_.front();
      recoveries_.clear();  // one reset answers every failure seen so far
      if (why.find("link") != std::string::npos) {
        component = VNPU_COMPONENT_PCIE;
        code = kCodeLinkDown;
      }
    } else if (fw_ && fw_hello_ && MonotonicNs() - last_heartbeat_ns_.load() > timeout_ns) {
      why = "firmware heartbeat lost (none for " +
            std::to_string((MonotonicNs() - last_heartbeat_ns_.load()) / 1000000) + " ms)";
      code = kCodeFwHeartbeat;
    } else {
      continue;
    }
    lock.unlock();
    driver_->Log(ACCEL_LOG_ERROR, serial_ + ": " + why + "; resetting the device");
    Wedge(why);
    Coredump(why);
    Report(component, ACCEL_RAS_SEV_FATAL, code, why);
    const int rc = ops()->device_reset(dev_);
    if (rc < 0) driver_->Log(ACCEL_LOG_ERROR, serial_ + ": reset failed: " + std::strerror(-rc));
    Unwedge();
    lock.lock();
  }
}

int VnpuDevice::Reset() {
  std::lock_guard reset_lock(reset_mu_);
  // Everything in flight ends ABORTED: their results cannot be trusted across a reset.
  scheduler_->Pause();
  int rc = 0;
  if (driver_->config.firmware) {
    StopFirmware();
    rc = StartFirmware();
  }
  reset_count_.fetch_add(1);
  scheduler_->Resume();
  driver_->Log(ACCEL_LOG_INFO, serial_ + ": reset done");
  return rc;
}

}  // namespace accel::vnpu
