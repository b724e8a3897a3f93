// dummy_driver.cc - the reference accel driver: N devices, the generic commands, RAS counters
// it can be told to bump, and one blocking command.
//
// DOC: what it shows
//
// Everything a driver does is here in its smallest form: a C entry table, load() creating
// and registering devices through the host ops, per-file state from open()/postclose(), a
// driver ioctl table (one root-only command, one that sleeps), device_release() after
// unplug, and RAS answered in KEY_VAL_32. Load arguments: count=N (1..64, default 1).
//
// Counters are per device and per (component, severity); the volatile ones count since
// registration, the aggregate ones would be persisted by the RAS store (a separate issue),
// so for now they equal the volatile ones.
#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {

constexpr int kMaxDevices = 64;

struct DummyDriver;

struct DummyDevice {
  DummyDriver* driver = nullptr;
  accel_device* dev = nullptr;
  uint32_t index = 0;
  std::string serial, bus;
  std::atomic<uint64_t> counters[ACCEL_DUMMY_NUM_COMPONENTS][ACCEL_RAS_SEV_COUNT] = {};
  std::atomic<uint64_t> event_seqno{0};
};

struct DummyDriver {
  const accel_host_ops* ops = nullptr;
  accel_host* host = nullptr;
  std::vector<DummyDevice*> devices;
};

struct DummyFile {
  uint64_t opened_seqno = 0;
};

// "count=3" -> 3. Unknown keys and bad values are -EINVAL.
int ParseArgs(const char* args, int* count) {
  *count = 1;
  std::string s = args ? args : "";
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find_first_of(" ,", pos);
    if (end == std::string::npos) end = s.size();
    std::string kv = s.substr(pos, end - pos);
    pos = end + 1;
    if (kv.empty()) continue;
    if (kv.rfind("count=", 0) != 0) return -EINVAL;
    char* tail = nullptr;
    long n = std::strtol(kv.c_str() + 6, &tail, 10);
    if (*tail != '\0' || n < 1 || n > kMaxDevices) return -EINVAL;
    *count = static_cast<int>(n);
  }
  return 0;
}

// KEY_VAL_32 component numbers, in the order of ACCEL_DUMMY_COMPONENT_*.
const char* const kComponents[ACCEL_DUMMY_NUM_COMPONENTS] = {"hbm0", "sram", "pcie", "fw",
                                                             "compute"};

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
  info.ras_formats = ACCEL_CAP_RAS_KEY_VAL_32;
  info.num_ras_components = ACCEL_DUMMY_NUM_COMPONENTS;
  info.ras_components = kComponents;
  int rc = drv->ops->device_create(drv->host, &info, d, &d->dev);
  if (rc < 0) {
    delete d;
    return rc;
  }
  drv->devices.push_back(d);
  return drv->ops->device_register(d->dev);
}

void Unload(void* priv) noexcept {
  delete static_cast<DummyDriver*>(priv);
}

int Load(accel_host* host, const accel_host_ops* ops, const char* args, void** priv) noexcept {
  int count = 0;
  if (ParseArgs(args, &count) < 0) {
    ops->log(host, ACCEL_LOG_ERROR, "bad arguments: expected count=N with 1 <= N <= 64");
    return -EINVAL;
  }
  auto* drv = new (std::nothrow) DummyDriver;
  if (drv == nullptr) return -ENOMEM;
  drv->ops = ops;
  drv->host = host;
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

int RasInject(const accel_call* call, void* data) noexcept {
  auto* in = static_cast<accel_dummy_ras_inject*>(data);
  if (in->component >= ACCEL_DUMMY_NUM_COMPONENTS || in->severity >= ACCEL_RAS_SEV_COUNT ||
      in->count == 0 || in->pad != 0)
    return -EINVAL;
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  d->counters[in->component][in->severity].fetch_add(in->count);
  accel_ras_event_info ev{in->component, in->severity, /*code=*/0x1000 + in->severity, in->count,
                          "injected by RAS_INJECT"};
  d->driver->ops->device_ras_event(call->dev, &ev);
  d->event_seqno.fetch_add(1);
  d->driver->ops->device_wake_all(call->dev);
  return 0;
}

int RasClear(void* dev_priv) noexcept {
  auto* d = static_cast<DummyDevice*>(dev_priv);
  for (auto& component : d->counters)
    for (auto& counter : component) counter.store(0);
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

// KEY_VAL_32: one pair per (component, severity, volatile|aggregate), saturated at 2^32-1.
int RasQuery(const accel_call* call, uint32_t format, uint32_t flags, void* buf, uint32_t size,
             uint32_t* len, uint32_t* schema) noexcept {
  if (format != ACCEL_RAS_FMT_KEY_VAL_32 || flags != 0) return -EOPNOTSUPP;
  auto* d = static_cast<DummyDevice*>(call->dev_priv);
  constexpr uint32_t kPairs = ACCEL_DUMMY_NUM_COMPONENTS * ACCEL_RAS_SEV_COUNT * 2;
  *len = kPairs * sizeof(accel_ras_kv32);
  *schema = ACCEL_RAS_SCHEMA_NATIVE;
  if (size < *len) return -ENOSPC;
  auto* out = static_cast<accel_ras_kv32*>(buf);
  uint32_t i = 0;
  for (uint32_t c = 0; c < ACCEL_DUMMY_NUM_COMPONENTS; ++c) {
    for (uint32_t s = 0; s < ACCEL_RAS_SEV_COUNT; ++s) {
      uint64_t v = d->counters[c][s].load();
      uint32_t v32 = v > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(v);
      out[i++] = {ACCEL_RAS_KV32_KEY(c, s, ACCEL_RAS_CTR_VOLATILE), v32};
      out[i++] = {ACCEL_RAS_KV32_KEY(c, s, ACCEL_RAS_CTR_AGGREGATE), v32};
    }
  }
  return 0;
}

const accel_ioctl_desc kIoctls[] = {
    {ACCEL_IOCTL_DUMMY_RAS_INJECT, 0, ACCEL_IOCTL_ROOT_ONLY, 0, RasInject},
    {ACCEL_IOCTL_DUMMY_WAIT_EVENT, 0, ACCEL_IOCTL_MAY_SLEEP, 0, WaitEvent},
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
    .ras_query = RasQuery,
    .ras_clear = RasClear,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const accel_driver* accel_driver_entry_v1() {
  return &kDriver;
}
