// accel.hpp - a thin C++ wrapper over libaccel: RAII handles and typed ioctls.
//
//   accel::Result<accel::Device> dev = accel::Device::Open("accel0");
//   if (!dev) return dev.error();                  // negative errno
//   accel_version v{};
//   if (int rc = dev->Ioctl(ACCEL_IOCTL_VERSION, v); rc < 0) ...
//
// No exceptions: every failure is a negative errno, as in the C API.
#ifndef ACCEL_ACCEL_HPP_
#define ACCEL_ACCEL_HPP_

#include <accel/libaccel.h>
#include <accel/result.h>
#include <asm-generic/ioctl.h>

#include <cerrno>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace accel {

class Device {
 public:
  static Result<Device> Open(const std::string& name) {
    accel_handle* h = nullptr;
    int rc = accel_open(name.c_str(), &h);
    if (rc < 0) return Errno{rc};
    return Device(h);
  }
  Device(Device&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Device& operator=(Device&& o) noexcept {
    if (this != &o) {
      if (h_) accel_close(h_);
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device() {
    if (h_) accel_close(h_);
  }

  // A typed ioctl: the struct's size must be the command's (-EINVAL otherwise, said by the
  // dispatcher, which alone applies the size rules).
  template <typename T>
  int Ioctl(unsigned long cmd, T& arg) {
    static_assert(std::is_trivially_copyable_v<T>);
    return accel_ioctl_sized(h_, cmd, &arg, sizeof(T));
  }
  int IoctlRaw(unsigned long cmd, void* arg) { return accel_ioctl(h_, cmd, arg); }

  uint32_t minor() const { return accel_minor(h_); }
  accel_handle* handle() const { return h_; }

 private:
  explicit Device(accel_handle* h) : h_(h) {}
  accel_handle* h_;
};

// Every device acceld serves.
inline Result<std::vector<accel_device_entry>> ListDevices() {
  std::vector<accel_device_entry> v(256);
  int n = accel_list(v.data(), v.size());
  if (n < 0) return Errno{n};
  v.resize(static_cast<size_t>(n) < v.size() ? static_cast<size_t>(n) : v.size());
  return v;
}

// The fdinfo blocks of `device`'s open files (every device's when empty); see accel_clients.
inline Result<std::string> Clients(const std::string& device = "") {
  char* text = nullptr;
  int n = accel_clients(device.empty() ? nullptr : device.c_str(), &text);
  if (n < 0) return Errno{n};
  std::unique_ptr<char, void (*)(void*)> owned(text, accel_free);
  return std::string(owned.get(), static_cast<size_t>(n));
}

}  // namespace accel

#endif  // ACCEL_ACCEL_HPP_
