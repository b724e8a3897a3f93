// vnpu_driver.cc - vnpu's entry table: an emulated accelerator that runs real compute jobs.
//
// DOC: overview
//
// `accelctl load vnpu [count=N engines=N memory=SIZE ...]` (vnpu_config.h) creates N devices,
// each with its engines, its device memory and its firmware process (vnpu-fw, found beside the
// plugin as plugins are found). Everything here is the C boundary: each hook and ioctl turns
// the opaque call into the VnpuDevice behind it (vnpu_device.h) and returns a negative errno;
// no exception crosses back into the core.
#include <accel/driver_abi.h>
#include <uapi/accel/vnpu.h>

#include <pwd.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <new>
#include <string>
#include <vector>

#include "drivers/vnpu/vnpu_device.h"

namespace accel::vnpu {
namespace {

struct DriverState {
  VnpuDriver driver;
  std::vector<VnpuDevice*> devices;  // owned by the core once created (device_release frees)
};

VnpuDevice* DeviceOf(const accel_call* call) {
  return static_cast<VnpuDevice*>(call->dev_priv);
}

// Every ioctl goes through one trampoline per command: the struct type is the command's.
template <typename Arg, int (VnpuDevice::*Method)(const accel_call*, Arg*)>
int Handler(const accel_call* call, void* data) noexcept {
  try {
    return (DeviceOf(call)->*Method)(call, static_cast<Arg*>(data));
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  } catch (...) {
    return -EIO;  // never across the C boundary
  }
}

const accel_ioctl_desc kIoctls[] = {
    {VNPU_IOCTL_GET_PARAM, 0, 0, 0, Handler<vnpu_get_param, &VnpuDevice::GetParam>},
    {VNPU_IOCTL_BO_CREATE, 0, 0, 0, Handler<vnpu_bo_create, &VnpuDevice::BoCreate>},
    {VNPU_IOCTL_BO_INFO, 0, 0, 0, Handler<vnpu_bo_info, &VnpuDevice::BoInfo>},
    {VNPU_IOCTL_BO_DESTROY, 0, 0, 0, Handler<vnpu_bo_destroy, &VnpuDevice::BoDestroy>},
    {VNPU_IOCTL_BO_EXPORT, 0, 0, 0, Handler<vnpu_bo_export, &VnpuDevice::BoExport>},
    {VNPU_IOCTL_CMDQ_CREATE, 0, 0, 0, Handler<vnpu_cmdq_create, &VnpuDevice::CmdqCreate>},
    {VNPU_IOCTL_CMDQ_DESTROY, 0, 0, 0, Handler<vnpu_cmdq_destroy, &VnpuDevice::CmdqDestroy>},
    {VNPU_IOCTL_SUBMIT, 0, 0, 0, Handler<vnpu_submit, &VnpuDevice::Submit>},
    {VNPU_IOCTL_WAIT, 0, ACCEL_IOCTL_MAY_SLEEP, 0, Handler<vnpu_wait, &VnpuDevice::Wait>},
    // Waits for the firmware's blob, so it may sleep too.
    {VNPU_IOCTL_INJECT_FAULT, 0, ACCEL_IOCTL_ROOT_ONLY | ACCEL_IOCTL_MAY_SLEEP, 0,
     Handler<vnpu_inject_fault, &VnpuDevice::InjectFault>},
    {VNPU_IOCTL_RING_CREATE, 0, 0, 0, Handler<vnpu_ring_create, &VnpuDevice::RingCreate>},
    {VNPU_IOCTL_RING_DESTROY, 0, 0, 0, Handler<vnpu_ring_destroy, &VnpuDevice::RingDestroy>},
};

int Load(accel_host* host, const accel_host_ops* ops, const char* args, void** priv) noexcept {
  // vnpu needs the host ops that came with it (install_fd ... find_helper).
  if (ops->struct_size < offsetof(accel_host_ops, find_helper) + sizeof(ops->find_helper)) {
    ops->log(host, ACCEL_LOG_ERROR, "core too old for vnpu (no find_helper)");
    return -ENOTSUP;
  }
  auto* state = new (std::nothrow) DriverState;
  if (state == nullptr) return -ENOMEM;
  state->driver.host = host;
  state->driver.ops = ops;
  std::string why;
  if (int rc = ParseVnpuConfig(args, &state->driver.config, &why); rc < 0) {
    ops->log(host, ACCEL_LOG_ERROR, why.c_str());
    delete state;
    return rc;
  }
  if (state->driver.config.firmware) {
    char path[4096];
    int rc = ops->find_helper(host, "vnpu-fw", path, sizeof(path));
    if (rc < 0) {
      ops->log(host, ACCEL_LOG_ERROR,
               "vnpu-fw not found beside the driver plugins (or load with firmware=none)");
      delete state;
      return rc;
    }
    state->driver.fw_path = path;
    // As root, the firmware runs as fw_user (sandbox.h); as anyone else it is unprivileged
    // already and keeps the daemon's user.
    if (geteuid() == 0 && state->driver.config.fw_user != "root") {
      std::vector<char> buf(16384);
      passwd pw{};
      passwd* found = nullptr;
      if (getpwnam_r(state->driver.config.fw_user.c_str(), &pw, buf.data(), buf.size(), &found) !=
              0 ||
          found == nullptr) {
        ops->log(host, ACCEL_LOG_ERROR,
                 ("fw_user " + state->driver.config.fw_user +
                  ": no such user (pass fw_user=USER, an unprivileged user for vnpu-fw)")
                     .c_str());
        delete state;
        return -ENOENT;
      }
      state->driver.fw_run_as = fwlink::RunAs{pw.pw_uid, pw.pw_gid};
    }
  }
  try {
    for (uint32_t i = 0; i < state->driver.config.count; ++i) {
      auto* d = new VnpuDevice(&state->driver, i);
      int rc = d->Init();
      if (d->dev() == nullptr) {
        delete d;  // never reached the core
        delete state;
        return rc < 0 ? rc : -EIO;
      }
      state->devices.push_back(d);
      if (rc < 0) {
        // The core unplugs and releases what was created (device_release frees each device).
        delete state;
        return rc;
      }
    }
  } catch (const std::bad_alloc&) {
    delete state;
    return -ENOMEM;
  }
  *priv = state;
  return 0;
}

void Unload(void* priv) noexcept {
  delete static_cast<DriverState*>(priv);
}

int Open(const accel_call* call, void** file_priv) noexcept {
  return DeviceOf(call)->Open(call, file_priv);
}

void Postclose(const accel_call* call) noexcept {
  DeviceOf(call)->Postclose(call);
}

void DeviceRelease(void* dev_priv) noexcept {
  delete static_cast<VnpuDevice*>(dev_priv);
}

int64_t RasInject(const accel_call* call, uint32_t component, uint32_t severity, uint32_t count,
                  int has_address, uint64_t address) noexcept {
  if (component >= VNPU_NUM_COMPONENTS || severity >= ACCEL_RAS_SEV_COUNT) return -EINVAL;
  return DeviceOf(call)->RasInject(call, component, severity, count, has_address != 0, address);
}

int Reset(void* dev_priv) noexcept {
  return static_cast<VnpuDevice*>(dev_priv)->Reset();
}

int64_t FileRw(const accel_call* call, uint64_t offset, void* buf, uint32_t len,
               int write) noexcept {
  return DeviceOf(call)->FileRw(call, offset, buf, len, write != 0);
}

int FileUsage(const accel_call* call, char* buf, uint32_t size) noexcept {
  return DeviceOf(call)->FileUsage(call, buf, size);
}

const accel_driver kDriver = {
    .abi_version = ACCEL_DRIVER_ABI_VERSION,
    .struct_size = sizeof(accel_driver),
    .name = "vnpu",
    .desc = "emulated compute accelerator (CPU engines, firmware over rpmsg)",
    .date = "20261125",
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
    .ras_query = nullptr,  // the core encodes every format from the model
    .ras_clear = nullptr,
    .ras_inject = RasInject,
    .reset = Reset,
    .file_rw = FileRw,
    .file_usage = FileUsage,
};

}  // namespace
}  // namespace accel::vnpu

extern "C" __attribute__((visibility("default"))) const accel_driver* accel_driver_entry_v1() {
  return &accel::vnpu::kDriver;
}
