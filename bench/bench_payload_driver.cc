// bench_payload_driver.cc - a benchmark-only driver whose RAS_QUERY returns N bytes.
//
// DOC: what it is for
//
// fuse_node_bench measures RAS_QUERY + pread() through a FUSE node against a plain pread() of
// the same size from the bare FUSE server. The dummy driver's payload is fixed (50 pairs,
// 400 bytes), so this driver's payload size is a load argument instead:
//
//   acceld --driver-path BUILD/bench/drivers --load 'benchpayload size=4096'
//
// size=N (a multiple of 8, 8..1 MiB, default 4096) makes one device whose KEY_VAL_32 answer is
// N/8 pairs, built once at load time, so a query costs one memcpy in the driver and the
// measurement is the transport's. The device has one component, "bench"; pair i has severity
// i % 5 and counter id i / 5 and value i. Nothing else: no driver ioctls, no per-file state.
//
// Not installed: CMake builds it into BUILD/bench/drivers, away from the plugin directory.
#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {

constexpr uint32_t kDefaultSize = 4096;
constexpr uint32_t kMaxSize = 1u << 20;  // the core's RAS payload limit
const char* const kComponents[] = {"bench"};

struct PayloadDevice {
  accel_device* dev = nullptr;
  std::vector<accel_ras_kv32> pairs;
};

struct PayloadDriver {
  PayloadDevice* device = nullptr;  // owned by the core once created; freed in DeviceRelease
};

// "size=4096" -> 4096. Anything else is -EINVAL.
int ParseArgs(const char* args, uint32_t* size) {
  *size = kDefaultSize;
  const std::string s = args ? args : "";
  if (s.empty()) return 0;
  if (s.rfind("size=", 0) != 0) return -EINVAL;
  char* tail = nullptr;
  const unsigned long n = std::strtoul(s.c_str() + 5, &tail, 10);
  if (*tail != '\0' || n < sizeof(accel_ras_kv32) || n > kMaxSize ||
      n % sizeof(accel_ras_kv32) != 0)
    return -EINVAL;
  *size = static_cast<uint32_t>(n);
  return 0;
}

std::vector<accel_ras_kv32> MakePairs(uint32_t size) {
  std::vector<accel_ras_kv32> pairs(size / sizeof(accel_ras_kv32));
  for (uint32_t i = 0; i < pairs.size(); ++i) {
    pairs[i] = {ACCEL_RAS_KV32_KEY(0, i % ACCEL_RAS_SEV_COUNT, i / ACCEL_RAS_SEV_COUNT), i};
  }
  return pairs;
}

int CreateDevice(accel_host* host, const accel_host_ops* ops, uint32_t size, PayloadDevice** out) {
  auto* d = new (std::nothrow) PayloadDevice;
  if (d == nullptr) return -ENOMEM;
  d->pairs = MakePairs(size);
  accel_device_info info{};
  info.serial = "BENCHPAYLOAD-0";
  info.bus = "platform:benchpayload.0";
  info.ras_formats = ACCEL_CAP_RAS_KEY_VAL_32;
  info.num_ras_components = 1;
  info.ras_components = kComponents;
  if (int rc = ops->device_create(host, &info, d, &d->dev); rc < 0) {
    delete d;
    return rc;
  }
  *out = d;
  // A failed register leaves the device to the core, which releases it (DeviceRelease).
  return ops->device_register(d->dev);
}

int Load(accel_host* host, const accel_host_ops* ops, const char* args, void** priv) noexcept {
  uint32_t size = 0;
  if (ParseArgs(args, &size) < 0) {
    ops->log(host, ACCEL_LOG_ERROR, "bad arguments: expected size=N, N a multiple of 8 <= 1 MiB");
    return -EINVAL;
  }
  auto* drv = new (std::nothrow) PayloadDriver;
  if (drv == nullptr) return -ENOMEM;
  if (int rc = CreateDevice(host, ops, size, &drv->device); rc < 0) {
    delete drv;
    return rc;
  }
  *priv = drv;
  return 0;
}

void Unload(void* priv) noexcept {
  delete static_cast<PayloadDriver*>(priv);
}

void DeviceRelease(void* dev_priv) noexcept {
  delete static_cast<PayloadDevice*>(dev_priv);
}

int RasQuery(const accel_call* call, uint32_t format, uint32_t flags, void* buf, uint32_t size,
             uint32_t* len, uint32_t* schema) noexcept {
  if (format != ACCEL_RAS_FMT_KEY_VAL_32 || flags != 0) return -EOPNOTSUPP;
  const auto* d = static_cast<const PayloadDevice*>(call->dev_priv);
  *len = static_cast<uint32_t>(d->pairs.size() * sizeof(accel_ras_kv32));
  *schema = ACCEL_RAS_SCHEMA_NATIVE;
  if (size < *len) return -ENOSPC;
  std::memcpy(buf, d->pairs.data(), *len);
  return 0;
}

const accel_driver kDriver = {
    .abi_version = ACCEL_DRIVER_ABI_VERSION,
    .struct_size = sizeof(accel_driver),
    .name = "benchpayload",
    .desc = "benchmark driver: a RAS payload of a chosen size",
    .date = "20261125",
    .major = 1,
    .minor = 0,
    .patchlevel = 0,
    .num_ioctls = 0,
    .ioctls = nullptr,
    .load = Load,
    .unload = Unload,
    .open = nullptr,
    .postclose = nullptr,
    .device_release = DeviceRelease,
    .ras_query = RasQuery,
    .ras_clear = nullptr,
    .ras_inject = nullptr,
    .reset = nullptr,
    .file_rw = nullptr,
    .file_usage = nullptr,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const accel_driver* accel_driver_entry_v1() {
  return &kDriver;
}
