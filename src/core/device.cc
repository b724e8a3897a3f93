// device.cc - device lifetime, enter/exit and sleeping; see device.h. The RAS methods are in
// device_ras.cc.
#include "core/device.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

#include "core/driver.h"
#include "core/file.h"
#include "core/registry.h"
#include "ras/codec_table.h"

namespace accel::core {

namespace {

// What GET_CAP(RAS_FORMATS) says: every format of the installed codecs (the framework encodes
// any of them from the device's RAS state, and a driver's ras_query hands it what it does not
// answer with -EOPNOTSUPP), plus the formats a driver with its own ras_query answers beyond
// them. A driver never lists the codecs by hand, so a new codec reaches every device.
uint64_t DeviceRasFormats(const Driver& driver, const accel_device_info& info) {
  uint64_t formats = ras::InstalledFormats();
  if (driver.table().ras_query != nullptr) formats |= info.ras_formats;
  return formats & ~(uint64_t{1} << ACCEL_RAS_FMT_RESERVED_6);
}

}  // namespace

Device* Device::Create(Driver* driver, const accel_device_info& info, void* dev_priv) {
  Device* d = new Device;
  d->driver_ = driver;
  d->driver_name_ = driver->name();
  d->registry_ = driver->registry();
  d->priv_ = dev_priv;
  d->serial_ = info.serial ? info.serial : "";
  d->bus_ = info.bus ? info.bus : "";
  d->vendor_id_ = info.vendor_id;
  d->device_id_ = info.device_id;
  d->ras_formats_ = DeviceRasFormats(*driver, info);
  d->ras_passthrough_ = info.ras_passthrough;
  for (uint32_t i = 0;
       info.ras_components && i < info.num_ras_components && i < ras::kMaxComponents; ++i)
    d->ras_components_.emplace_back(info.ras_components[i] ? info.ras_components[i] : "");
  std::vector<std::string> names;
  for (uint32_t i = 0; i < d->ras_components_.size(); ++i) names.push_back(d->RasComponentName(i));
  d->ras_ = std::make_unique<ras::DeviceRasState>(std::move(names));
  d->perms_ = driver->registry()->default_permissions();
  AddIdentityAttributes(*d);
  driver->AddDevice(d);
  return d;
}

void Device::Put() {
  if (refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

Result<uint32_t> Device::Register() {
  {
    std::lock_guard lock(mu_);
    if (registered_ || unplugged()) return Err(EBUSY);
  }
  Result<uint32_t> minor = registry_->PublishDevice(this);
  if (!minor) return minor;
  std::lock_guard lock(mu_);
  registered_ = true;
  return minor;
}

void Device::Unplug() {
  if (unplugged_.exchange(true, std::memory_order_seq_cst)) return;
  // No new lookups first, so nobody opens what is going away.
  bool was_registered;
  {
    std::lock_guard lock(mu_);
    was_registered = registered_;
    registered_ = false;
  }
  if (was_registered) registry_->UnpublishDevice(minor_);
  {
    std::lock_guard lock(files_mu_);
    for (File* f : files_) f->WakePollers();  // poll(2) reports POLLHUP now
  }
  std::unique_lock lock(mu_);
  wait_cv_.notify_all();
  drained_cv_.wait(lock, [this] { return inflight_.load(std::memory_order_seq_cst) == 0; });
}

void Device::Release() {
  Unplug();
  if (released_.exchange(true)) return;
  Caller core_caller;  // uid 0: the core itself
  {
    std::lock_guard lock(files_mu_);
    for (File* f : files_) {
      if (driver_->table().postclose && !f->detached()) {
        accel_call call = MakeCall(f, core_caller);
        driver_->table().postclose(&call);
      }
      f->set_detached();
    }
  }
  if (driver_->table().device_release) driver_->table().device_release(priv_);
  driver_->RemoveDevice(this);
  Put();  // the driver's reference from Create()
}

accel_call Device::MakeCall(File* file, const Caller& caller) const {
  accel_call call{};
  call.dev = const_cast<Device*>(this)->handle();
  call.file = reinterpret_cast<accel_file*>(file);
  call.dev_priv = priv_;
  call.file_priv = file ? file->priv() : nullptr;
  call.uid = caller.uid;
  call.gid = caller.gid;
  call.pid = caller.pid;
  return call;
}

Result<File*> Device::Open(const Caller& caller) {
  if (!Enter()) return Err(ENODEV);
  static std::atomic<uint64_t> next_client_id{1};
  File* file = new File(this, caller, next_client_id.fetch_add(1));  // takes a device ref
  if (driver_->table().open) {
    accel_call call = MakeCall(file, caller);
    void* priv = nullptr;
    int rc = driver_->table().open(&call, &priv);
    if (rc < 0) {
      file->set_detached();  // no postclose for an open that failed
      Exit();
      file->Close(caller);
      return Errno{rc};
    }
    file->set_priv(priv);
  }
  {
    std::lock_guard lock(files_mu_);
    files_.push_back(file);
  }
  Exit();
  return file;
}

void Device::CloseFile(File* file, const Caller& caller) {
  std::lock_guard lock(files_mu_);
  auto it = std::find(files_.begin(), files_.end(), file);
  if (it != files_.end()) files_.erase(it);
  // A detached file's driver state is already gone (forced unload; the module may be closed).
  if (!file->detached() && driver_->table().postclose) {
    accel_call call = MakeCall(file, caller);
    driver_->table().postclose(&call);
  }
  file->set_detached();
}

size_t Device::open_count() const {
  std::lock_guard lock(files_mu_);
  return files_.size();
}

NodePermissions Device::permissions() const {
  std::lock_guard lock(mu_);
  return perms_;
}

void Device::set_permissions(const NodePermissions& p) {
  std::lock_guard lock(mu_);
  perms_ = p;
}

int Device::Wait(const accel_call& call, int (*cond)(void*), void* arg, int64_t timeout_ns) {
  File* file = reinterpret_cast<File*>(call.file);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  std::unique_lock lock(mu_);
  for (;;) {
    if (unplugged()) return -ENODEV;
    if (file && file->interrupted()) return -EINTR;
    if (cond(arg)) return 0;
    if (timeout_ns < 0) {
      wait_cv_.wait(lock);
    } else if (wait_cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      if (unplugged()) return -ENODEV;
      return cond(arg) ? 0 : -ETIME;
    }
  }
}

bool Device::IsRegistered() const {
  std::lock_guard lock(mu_);
  return registered_;
}

bool Device::SetWedged(bool wedged, std::string why) {
  if (!wedged) why.clear();
  // The attribute is one line ("1 <reason>"); a reason must not be able to add lines.
  std::replace_if(
      why.begin(), why.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (why.size() > kMaxWedgedReason) why.resize(kMaxWedgedReason);
  std::lock_guard lock(recovery_mu_);
  const bool changed = wedged_ != wedged;
  wedged_ = wedged;
  wedged_reason_ = std::move(why);
  // Told under the lock, so that monitors see transitions in the order they happened.
  if (changed && IsRegistered()) registry_->NotifyWedged(*this, wedged);
  return changed;
}

Device::WedgedState Device::wedged() const {
  std::lock_guard lock(recovery_mu_);
  return {wedged_, wedged_reason_};
}

void Device::SetCoredump(const void* data, size_t len) {
  auto dump = std::make_shared<Coredump>();
  const auto* p = static_cast<const uint8_t*>(data);
  dump->data.assign(p, p + std::min(len, kMaxCoredump));
  dump->original_size = len;
  dump->timestamp_ns = ras::NowNs();
  std::lock_guard lock(recovery_mu_);
  coredump_ = std::move(dump);
}

std::shared_ptr<const Device::Coredump> Device::coredump() const {
  std::lock_guard lock(recovery_mu_);
  return coredump_;
}

void Device::DismissCoredump() {
  std::shared_ptr<const Coredump> gone;  // freed after the lock, not under it
  std::lock_guard lock(recovery_mu_);
  gone = std::move(coredump_);
}

std::string Device::UsageBlock(File& file, const Caller& viewer) const {
  std::string block = "drm-driver:\t" + driver_name_ + "\n";
  block += "drm-client-id:\t" + std::to_string(file.client_id()) + "\n";
  if (!bus_.empty()) block += "drm-pdev:\t" + bus_ + "\n";
  block += "accel-pid:\t" + std::to_string(file.opener().pid) + "\n";
  block += "accel-uid:\t" + std::to_string(file.opener().uid) + "\n";
  auto usage = driver_->file_usage_hook();
  if (usage == nullptr) return block;
  char buf[kMaxUsageText];
  const accel_call call = MakeCall(&file, viewer);
  const int n = usage(&call, buf, sizeof(buf));
  if (n <= 0) return block;
  // The driver's lines as it wrote them, except what would break the block apart: NULs and
  // empty lines (a blank line ends a block), and a missing final newline.
  const std::string_view text(buf, strnlen(buf, std::min<size_t>(n, sizeof(buf) - 1)));
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    if (nl > pos) block.append(text.substr(pos, nl - pos)).push_back('\n');
    pos = nl + 1;
  }
  return block;
}

Result<std::vector<std::string>> Device::ClientUsage(const Caller& viewer) {
  if (!Enter()) return Err(ENODEV);
  std::vector<std::string> blocks;
  {
    std::lock_guard lock(files_mu_);
    for (File* f : files_) {
      if (f->detached() || (!viewer.IsRoot() && f->opener().uid != viewer.uid)) continue;
      blocks.push_back(UsageBlock(*f, viewer));
    }
  }
  Exit();
  return blocks;
}

Result<uint32_t> Device::FileReadWrite(File& file, const Caller& caller, uint64_t offset, void* buf,
                                       uint32_t len, bool write) {
  if (offset < kFileRwBegin || offset >= kFileRwEnd) return Err(EINVAL);
  // Enter() first: after a forced unload the Driver object itself may be gone.
  if (file.detached() || !Enter()) return Err(ENODEV);
  auto rw = driver_->file_rw_hook();
  if (rw == nullptr) {
    Exit();
    return Err(EINVAL);  // as the ABI says: no objects at fake offsets
  }
  const accel_call call = MakeCall(&file, caller);
  const int64_t n = rw(&call, offset, buf, len, write ? 1 : 0);
  Exit();
  if (n < 0) return Errno{static_cast<int>(n)};
  if (n > len) return Err(EIO);  // a driver claiming more than it was given is broken
  return static_cast<uint32_t>(n);
}

void Device::WakeAll() {
  std::lock_guard lock(mu_);
  wait_cv_.notify_all();
}

}  // namespace accel::core
