// dummy_driver.cc - the reference accel driver: N devices, the generic commands, RAS errors
// it can be told to raise, and one blocking command.
//
// DOC: what it shows
//
// Everything a driver does is here in its smallest form: a C entry table, load() creating
// and registering devices through the host ops, per-file state from open()/postclose(), a
// driver ioctl table (one root-only command, one that sleeps), device_release() after
// unplug, and RAS in both of the ways the RFC asked for:
//
//   - by default the driver handles RAS itself: an injected error is reported to the core
//     (device_ras_report), which counts, logs, persists and encodes it in every format;
//   - with passthrough=1 the driver only carries its "firmware's" blobs: the firmware keeps
//     its own counters and sends them as CBOR (what Zephyr firmware speaks); the driver hands
//     each blob to the core untouched (device_ras_firmware_blob), RAW queries return it byte
//     for byte, and the core decodes it into the model for every other format.
//
// And the recovery and sharing paths a real device needs (dummy.h): sealed memfds handed to
// the caller (install_fd), a per-file buffer at a fake offset (file_rw), its usage as DRM fdinfo
// (file_usage), and on request a wedged state, a devcoredump, a retired page or a reset.
//
// Load arguments: count=N (1..64, default 1), passthrough=0|1 (default 0), helper=NAME (find
// the helper program NAME with find_helper() and log where it is; load fails without it).
#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "ras/codecs/cbor/cbor_codec.h"
#include "ras/model.h"

namespace {

constexpr int kMaxDevices = 64;

struct DummyDriver;

struct DummyDevice {
  DummyDriver* driver = nullptr;
  accel_device* dev = nullptr;
  uint32_t index = 0;
  std::string serial, bus;
  std::atomic<uint64_t> event_seqno{0};
  // passthrough=1: the firmware's own counters, since it (re)started.
  std::mutex fw_mu;
  uint64_t fw_counters[ACCEL_DUMMY_NUM_COMPONENTS][ACCEL_RAS_SEV_COUNT] = {};
  // device/label: a name an operator gives the device (root writes it), empty at first.
  std::mutex label_mu;
  std::string label;
};

struct DummyDriver {
  const accel_host_ops* ops = nullptr;
  accel_host* host = nullptr;
  bool passthrough = false;
  std::vector<DummyDevice*> devices;
};

struct DummyFile {
  uint64_t opened_seqno = 0;
  std::atomic<uint64_t> busy_ns{0};  // the compute engine's time for this file (SUBMIT)
  std::mutex buffer_mu;              // file_rw may run on several threads at once
  std::vector<uint8_t> buffer;       // ACCEL_DUMMY_BUFFER_SIZE once first written
};

struct LoadArgs {
  int count = 1;
  bool passthrough = false;
  std::string helper;
};

// "count=3 passthrough=1 helper=NAME". Unknown keys and bad values are -EINVAL.
int ParseArgs(const char* args, LoadArgs* out) {
  std::string s = args ? args : "";
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find_first_of(" ,", pos);
    if (end == std::string::npos) end = s.size();
    std::string kv = s.substr(pos, end - pos);
    pos = end + 1;
    if (kv.empty()) continue;
    if (kv == "passthrough=1" || kv == "passthrough=0") {
      out->passthrough = kv.back() == '1';
      continue;
    }
    if (kv.rfind("helper=", 0) == 0 && kv.size() > 7) {
      out->helper = kv.substr(7);
      continue;
    }
    if (kv.rfind("count=", 0) != 0) return -EINVAL;
    char* tail = nullptr;
    long n = std::strtol(kv.c_str() + 6, &tail, 10);
    if (*tail != '\0' || n < 1 || n > kMaxDevices) return -EINVAL;
    out->count = static_cast<int>(n);
  }
  return 0;
}

// KEY_VAL_32 component numbers, in the order of ACCEL_DUMMY_COMPONENT_*.
const char* const kComponents[ACCEL_DUMMY_NUM_COMPONENTS] = {"hbm0", "sram", "pcie", "fw",
                                                             "compute"};

constexpr size_t kMaxLabel = 64;

int ShowText(const std::string& text, char* buf, uint32_t size) {
  const uint32_t n = std::min<uint32_t>(size, static_cast<uint32_t>(text.size()));
  std::memcpy(buf, text.data(), n);
  return static_cast<int>(n);
}

int ShowPassthrough(void* dev_priv, void*, char* buf, uint32_t size) {
  return ShowText(static_cast<DummyDevice*>(dev_priv)->driver->passthrough ? "1\n" : "0\n", buf,
                  size);
}

int ShowLabel(void* dev_priv, void*, char* buf, uint32_t size) {
  auto* d = static_cast<DummyDevice*>(dev_priv);
  std::lock_guard lock(d->label_mu);
  return ShowText(d->label + "\n", buf, size);
}

// One line of printable text; `echo NAME > label` leaves a newline, which is not kept.
int StoreLabel(void* dev_priv, void*, const char* buf, uint32_t len) {
  std::string text(buf, len);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() > kMaxLabel) return -EINVAL;
  for (char c : text)
    if (c < 0x20 || c == 0x7f) return -EINVAL;
  auto* d = static_cast<DummyDevice*>(dev_priv);
  std::lock_guard lock(d->label_mu);
  d->label = std::move(text);
  return 0;
}

// device/passthrough (read-only) and device/label (root-writable), on a core that has the op.
int AddAttributes(DummyDriver* drv, DummyDevice* d) {
  const accel_host_ops* o = drv->ops;
  if (o->struct_size <
      offsetof(accel_host_ops, device_add_attribute) + sizeof(o->device_add_attribute))
    return 0;
  accel_device_attribute a{};
  a.struct_size = sizeof(a);
  a.mode = ACCEL_ATTR_RO;
  a.path = "passthrough";
  a.show = ShowPassthrough;
  if (int rc = o->device_add_attribute(d->dev, &a); rc < 0) return rc;
  a.mode = ACCEL_ATTR_RW;
  a.path = "label";
  a.show = ShowLabel;
  a.store = StoreLabel;
  return o->device_add_attribute(d->dev, &a);
}

int CreateDevice(DummyDriver* drv, uint32_t index) {
  auto* d = new (std::nothrow) DummyDevice;
  if (d == nullptr) return -ENOMEM;
  d->driver = drv;
  d->index = index;
  d->serial = "DUMMY-" + std::to_string(10000 + index).substr(1);
  d->bus = "platform:dummy." + std::to_string(index);
  accel_device_info info{};
  info.serial = d->serial.c_str();
  info.bus = d->bus.c_str();
  // No ras_formats: the core offers every installed codec's format, encoded from what the
  // driver reports.
  info.ras_passthrough = drv->passthrough ? static_cast<uint32_t>(ACCEL_CAP_RAS_CBOR) : 0;
  info.num_ras_components = ACCEL_DUMMY_NUM_COMPONENTS;
  info.ras_components = kComponents;
  int rc = drv->ops->device_create(drv->host, &info, d, &d->dev);
  if (rc < 0) {
    delete d;
    return rc;
  }
  drv->devices.push_back(d);
  if (rc = AddAttributes(drv, d); rc < 0) return rc;
  return drv->ops->device_register(d->dev);
}

void Unload(void* priv) noexcept {
  delete static_cast<DummyDriver*>(priv);
}

// True when the core has the host ops that arrived with vnpu (install_fd ... find_helper).
bool HasRecoveryOps(const accel_host_ops* ops) {
  return ops->struct_size >= offsetof(accel_host_ops, find_helper) + sizeof(ops->find_helper);
}

// helper=NAME: where the core finds NAME, as a driver finds the program it spawns (vnpu-fw).
int FindHelper(accel_host* host, const accel_host_ops* ops, const std::string& name) {
  if (!HasRecoveryOps(ops)) return -EOPNOTSUPP;
  char path[4096];
  const int rc = ops->find_helper(host, name.c_str(), path, sizeof(path));
  if (rc < 0) {
    ops->log(host, ACCEL_LOG_ERROR, ("no helper program '" + name + "': " + strerror(-rc)).c_str());
    return rc;
  }
  ops->log(host, ACCEL_LOG_INFO, ("helper " + name + " at " + path).c_str());
  return 0;
}

int Load(accel_host* host, const accel_host_ops* ops, const char* args, void** priv) noexcept {
  LoadArgs parsed;
  if (ParseArgs(args, &parsed) < 0) {
    ops->log(host, ACCEL_LOG_ERROR,
             "bad arguments: expected count=N (1 <= N <= 64), passthrough=0|1, helper=NAME");
    return -EINVAL;
  }
  const int count = parsed.count;
  const bool passthrough = parsed.passthrough;
  // The RAS host ops arrived with the RAS framework; an older core cannot run this driver.
  if (ops->struct_size <
      offsetof(accel_host_ops, device_ras_firmware_blob) + sizeof(ops->device_ras_firmware_blob)) {
    ops->log(host, ACCEL_LOG_ERROR, "core too old: no device_ras_report");
    return -ENOTSUP;
  }
  if (!parsed.helper.empty()) {
    if (int rc = FindHelper(host, ops, parsed.helper); rc < 0) return rc;
  }
  auto* drv = new (std::nothrow) DummyDriver;
  if (drv == nullptr) return -ENOMEM;
  drv->ops = ops;
  drv->host = host;
  drv->passthrough = passthrough;
  // On failure the core unplugs and releases the devices created so far (device_release
  // frees each DummyDevice); only the driver state is ours to free here.
  for (int i = 0; i < count; ++i) {
    int rc = CreateDevice(drv, static_cast<uint32_t>(i));
    if (rc < 0) {
      delete drv;
      return rc;
    }
  }
  *priv = drv;
  return 0;
}

void DeviceRelease(void* dev_priv) noexcept {
  delete static_cast<DummyDevice*>(dev_priv);
}

int Open(const accel_call* call, void** file_priv) noexcept {
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  auto* f = new (std::nothrow) DummyFile;
  if (f == nullptr) return -ENOMEM;
  f->opened_seqno = d->event_seqno.load();
  *file_priv = f;
  return 0;
}

void Postclose(const accel_call* call) noexcept {
  delete static_cast<DummyFile*>(call->file_priv);
}

// The "firmware" of passthrough=1: its counters, as the CBOR blob it would send.
std::vector<uint8_t> FirmwareBlob(DummyDevice* d) {
  accel::ras::Snapshot fw;
  fw.device.name = "fw";
  fw.device.driver = "dummy-fw";
  fw.device.serial = d->serial;
  fw.timestamp_ns = 0;  // the firmware has no wall clock; the core stamps the events
  std::lock_guard lock(d->fw_mu);
  for (uint32_t c = 0; c < ACCEL_DUMMY_NUM_COMPONENTS; ++c) {
    fw.components.push_back({kComponents[c], accel::ras::Health::kOk});
    for (uint32_t s = 0; s < ACCEL_RAS_SEV_COUNT; ++s)
      fw.counters.push_back({c, s, d->fw_counters[c][s], d->fw_counters[c][s]});
  }
  accel::Result<std::vector<uint8_t>> blob = accel::ras::CborCodec().encode(fw);
  return blob ? std::move(*blob) : std::vector<uint8_t>{};
}

// Raises `count` errors of `severity` on `component`, as the hardware would have.
int64_t RaiseError(DummyDevice* d, uint32_t component, uint32_t severity, uint32_t count,
                   bool has_address, uint64_t address) {
  const accel_host_ops* ops = d->driver->ops;
  int64_t seqno = 0;
  if (d->driver->passthrough) {
    {
      std::lock_guard lock(d->fw_mu);
      d->fw_counters[component][severity] += count;
    }
    std::vector<uint8_t> blob = FirmwareBlob(d);
    int rc = ops->device_ras_firmware_blob(d->dev, ACCEL_RAS_FMT_CBOR, blob.data(),
                                           static_cast<uint32_t>(blob.size()));
    if (rc < 0) return rc;
  } else {
    accel_ras_report r{};
    r.struct_size = sizeof(r);
    r.component = component;
    r.severity = severity;
    r.code = 0x1000 + severity;
    r.count = count;
    r.flags = has_address ? ACCEL_RAS_REPORT_ADDRESS : 0;
    r.address = address;
    r.message = "injected";
    seqno = ops->device_ras_report(d->dev, &r);
    if (seqno < 0) return seqno;
  }
  d->event_seqno.fetch_add(1);
  ops->device_wake_all(d->dev);
  return seqno;
}

// ACCEL_IOCTL_DUMMY_RAS_INJECT, the seed's driver-specific command: the same injection as the
// generic one, so it goes through the core's one entry (range checks, durability), which
// calls GenericRasInject below.
int RasInject(const accel_call* call, void* data) noexcept {
  auto* in = static_cast<accel_dummy_ras_inject*>(data);
  if (in->pad != 0) return -EINVAL;
  const accel_host_ops* ops = static_cast<DummyDevice*>(call->dev_priv)->driver->ops;
  if (ops->struct_size < offsetof(accel_host_ops, device_ras_inject) + sizeof(void*))
    return -EOPNOTSUPP;
  const int64_t rc = ops->device_ras_inject(call, in->component, in->severity, in->count, 0, 0);
  return rc < 0 ? static_cast<int>(rc) : 0;
}

// The ras_inject hook: the core has checked component, severity and count.
int64_t GenericRasInject(const accel_call* call, uint32_t component, uint32_t severity,
                         uint32_t count, int has_address, uint64_t address) noexcept {
  return RaiseError(static_cast<DummyDevice*>(call->dev_priv), component, severity, count,
                    has_address != 0, address);
}

// The firmware keeps its counters across a clear of the core's; only a reset restarts it.
int RasClear(void*) noexcept {
  return 0;
}

// A device reset: the firmware restarts with its counters at zero.
int Reset(void* dev_priv) noexcept {
  auto* d = static_cast<DummyDevice*>(dev_priv);
  std::lock_guard lock(d->fw_mu);
  for (auto& component : d->fw_counters)
    for (auto& counter : component) counter = 0;
  d->driver->ops->log(d->driver->host, ACCEL_LOG_INFO, ("reset " + d->serial).c_str());
  return 0;
}

struct WaitArgs {
  DummyDevice* dev;
  uint64_t seen;
};

int EventArrived(void* arg) noexcept {
  auto* w = static_cast<WaitArgs*>(arg);
  return w->dev->event_seqno.load() != w->seen;
}

int WaitEvent(const accel_call* call, void* data) noexcept {
  auto* w = static_cast<accel_dummy_wait_event*>(data);
  if (w->pad != 0) return -EINVAL;
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  WaitArgs args{d, w->seqno};
  int rc = d->driver->ops->device_wait(call, EventArrived, &args,
                                       static_cast<int64_t>(w->timeout_ms) * 1000000);
  w->seqno = d->event_seqno.load();
  return rc;
}

// ---- sharing: exported memfds, the per-file buffer, usage ----------------------------------

// One sealed memfd of `size` bytes, byte i = (i + k) & 0xff. The descriptor, or -errno.
int MakeExport(uint32_t size, uint32_t k, __u64* ino) {
  const int fd = memfd_create("accel-dummy-export", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  std::vector<uint8_t> bytes(size);
  for (uint32_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i + k);
  struct stat st {};
  // Sealed before anyone else sees it: a client can neither shrink it under the driver
  // (SIGBUS) nor grow it.
  if (pwrite(fd, bytes.data(), size, 0) != static_cast<ssize_t>(size) ||
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0 ||
      fstat(fd, &st) != 0) {
    const int e = errno ? errno : EIO;
    close(fd);
    return -e;
  }
  *ino = st.st_ino;
  return fd;
}

int Export(const accel_call* call, void* data) noexcept {
  auto* ex = static_cast<accel_dummy_export*>(data);
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  if (ex->count == 0 || ex->count > ACCEL_DUMMY_EXPORT_MAX || ex->size == 0 ||
      ex->size > ACCEL_DUMMY_EXPORT_MAX_SIZE || (ex->flags & ~ACCEL_DUMMY_EXPORT_FAIL) ||
      ex->pad != 0)
    return -EINVAL;
  if (!HasRecoveryOps(d->driver->ops)) return -EOPNOTSUPP;
  for (int& fd : ex->fds) fd = -1;
  for (__u64& ino : ex->inos) ino = 0;
  for (uint32_t k = 0; k < ex->count; ++k) {
    const int fd = MakeExport(ex->size, k, &ex->inos[k]);
    if (fd < 0) return fd;
    // The transport duplicates it for the caller; the driver keeps no reference of its own.
    const int rc = d->driver->ops->install_fd(
        call, fd, static_cast<uint32_t>(offsetof(accel_dummy_export, fds) + k * sizeof(__s32)));
    close(fd);
    if (rc < 0) return rc;
  }
  return (ex->flags & ACCEL_DUMMY_EXPORT_FAIL) ? -EIO : 0;
}

int Submit(const accel_call* call, void* data) noexcept {
  auto* sub = static_cast<accel_dummy_submit*>(data);
  if (sub->busy_ns == 0) return -EINVAL;
  static_cast<DummyFile*>(call->file_priv)->busy_ns.fetch_add(sub->busy_ns);
  return 0;
}

// Reads the caller's buffer through copy_from_user a page at a time, as a kernel driver would
// walk a user buffer it does not want to hold whole.
int Digest(const accel_call* call, void* data) noexcept {
  auto* d = static_cast<accel_dummy_digest*>(data);
  if (d->pad != 0 || d->size > ACCEL_DUMMY_DIGEST_MAX) return -EINVAL;
  const accel_host_ops* ops = static_cast<DummyDevice*>(call->dev_priv)->driver->ops;
  if (ops->struct_size < offsetof(accel_host_ops, copy_from_user) + sizeof(ops->copy_from_user))
    return -EOPNOTSUPP;
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64: offset basis, then prime per byte
  uint8_t page[4096];
  for (uint32_t done = 0; done < d->size;) {
    const uint32_t n = std::min<uint32_t>(d->size - done, sizeof(page));
    if (int rc = ops->copy_from_user(call, page, d->ptr + done, n); rc < 0) return rc;
    for (uint32_t i = 0; i < n; ++i) hash = (hash ^ page[i]) * 0x100000001b3ULL;
    done += n;
  }
  d->digest = hash;
  return 0;
}

int64_t FileRw(const accel_call* call, uint64_t offset, void* buf, uint32_t len,
               int write) noexcept {
  auto* f = static_cast<DummyFile*>(call->file_priv);
  if (offset < ACCEL_DUMMY_BUFFER_OFFSET ||
      offset > ACCEL_DUMMY_BUFFER_OFFSET + ACCEL_DUMMY_BUFFER_SIZE)
    return -EINVAL;  // no object there
  const uint64_t pos = offset - ACCEL_DUMMY_BUFFER_OFFSET;
  const auto n = static_cast<uint32_t>(std::min<uint64_t>(len, ACCEL_DUMMY_BUFFER_SIZE - pos));
  if (write && n == 0 && len != 0) return -ENOSPC;  // a write past the end cannot grow it
  std::lock_guard lock(f->buffer_mu);
  if (write && f->buffer.empty()) {  // allocated when first used: most files never are
    try {
      f->buffer.resize(ACCEL_DUMMY_BUFFER_SIZE);
    } catch (const std::bad_alloc&) {
      return -ENOMEM;
    }
  }
  if (write)
    std::memcpy(f->buffer.data() + pos, buf, n);
  else if (f->buffer.empty())
    std::memset(buf, 0, n);
  else
    std::memcpy(buf, f->buffer.data() + pos, n);
  return n;
}

// DRM fdinfo keys (drm-usage-stats.rst); the core adds drm-driver, drm-client-id, drm-pdev.
int FileUsage(const accel_call* call, char* buf, uint32_t size) noexcept {
  auto* f = static_cast<DummyFile*>(call->file_priv);
  size_t kib;
  {
    std::lock_guard lock(f->buffer_mu);
    kib = f->buffer.size() / 1024;
  }
  const int n = std::snprintf(buf, size,
                              "drm-engine-compute:\t%llu ns\n"
                              "drm-total-system:\t%zu KiB\n"
                              "drm-resident-system:\t%zu KiB\n",
                              static_cast<unsigned long long>(f->busy_ns.load()), kib, kib);
  if (n < 0) return -EIO;
  return n < static_cast<int>(size) ? n : static_cast<int>(size) - 1;
}

// ---- recovery: wedged, devcoredump, retired pages, reset -----------------------------------

std::vector<uint8_t> Coredump(const DummyDevice* d, uint32_t size) {
  const std::string head =
      "dummy devcoredump accel" + std::to_string(d->driver->ops->device_minor(d->dev)) + "\n";
  std::vector<uint8_t> dump(head.begin(), head.end());
  for (uint32_t i = 0; dump.size() < size; ++i) dump.push_back(static_cast<uint8_t>(i));
  return dump;
}

int Fault(const accel_call* call, void* data) noexcept {
  auto* f = static_cast<accel_dummy_fault*>(data);
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  const accel_host_ops* ops = d->driver->ops;
  if (!HasRecoveryOps(ops)) return -EOPNOTSUPP;
  switch (f->type) {
    case ACCEL_DUMMY_FAULT_WEDGE: {
      const std::string why(f->reason, strnlen(f->reason, sizeof(f->reason)));
      ops->device_set_wedged(d->dev, 1, why.c_str());
      return 0;
    }
    case ACCEL_DUMMY_FAULT_RECOVER:
      ops->device_set_wedged(d->dev, 0, nullptr);
      return 0;
    case ACCEL_DUMMY_FAULT_COREDUMP: {
      if (f->arg > ACCEL_DUMMY_COREDUMP_MAX) return -EINVAL;
      try {
        const std::vector<uint8_t> dump = Coredump(d, f->arg ? f->arg : 4096);
        ops->device_coredump(d->dev, dump.data(), static_cast<uint32_t>(dump.size()));
      } catch (const std::bad_alloc&) {
        return -ENOMEM;
      }
      return 0;
    }
    case ACCEL_DUMMY_FAULT_RETIRE_PAGE:
      return ops->device_ras_retire_page(d->dev, f->address, f->arg);
    case ACCEL_DUMMY_FAULT_RESET:
      // From inside a call: a recovery thread would do it outside one; the core's bracket
      // (Enter/Exit) nests, so it works either way.
      return ops->device_reset(d->dev);
  }
  return -EINVAL;
}

const accel_ioctl_desc kIoctls[] = {
    {ACCEL_IOCTL_DUMMY_RAS_INJECT, 0, ACCEL_IOCTL_ROOT_ONLY | ACCEL_IOCTL_MAY_SLEEP, 0, RasInject},
    {ACCEL_IOCTL_DUMMY_WAIT_EVENT, 0, ACCEL_IOCTL_MAY_SLEEP, 0, WaitEvent},
    {ACCEL_IOCTL_DUMMY_EXPORT, 0, 0, 0, Export},
    {ACCEL_IOCTL_DUMMY_SUBMIT, 0, 0, 0, Submit},
    {ACCEL_IOCTL_DUMMY_FAULT, 0, ACCEL_IOCTL_ROOT_ONLY, 0, Fault},
    {ACCEL_IOCTL_DUMMY_DIGEST, 0, 0, 0, Digest},
};

const accel_driver kDriver = {
    .abi_version = ACCEL_DRIVER_ABI_VERSION,
    .struct_size = sizeof(accel_driver),
    .name = "dummy",
    .desc = "accel reference driver (no hardware)",
    .date = "20221106",
    .major = 1,
    .minor = 0,
    .patchlevel = 0,
    .num_ioctls = sizeof(kIoctls) / sizeof(kIoctls[0]),
    .ioctls = kIoctls,
    .load = Load,
    .unload = Unload,
    .open = Open,
    .postclose = Postclose,
    .device_release = DeviceRelease,
    .ras_query = nullptr,  // the core's RAS framework encodes every format
    .ras_clear = RasClear,
    .ras_inject = GenericRasInject,
    .reset = Reset,
    .file_rw = FileRw,
    .file_usage = FileUsage,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const accel_driver* accel_driver_entry_v1() {
  return &kDriver;
}
