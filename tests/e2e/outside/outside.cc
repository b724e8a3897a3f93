// The C++ wrapper, used from a CMake project outside the accel tree via find_package(accel).
#include <uapi/accel/accel.h>
#include <accel/accel.hpp>

#include <cstdio>
#include <cstring>

int main() {
  accel::Result<accel::Device> dev = accel::Device::Open("accel0");
  if (!dev) {
    std::fprintf(stderr, "open: %s\n", accel_strerror(dev.error()));
    return 1;
  }
  accel_get_cap cap{ACCEL_CAP_RAS_FORMATS, 0};
  if (int rc = dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap); rc < 0) {
    std::fprintf(stderr, "GET_CAP: %s\n", accel_strerror(rc));
    return 1;
  }
  std::printf("c++: accel%u ras formats 0x%llx\n", dev->minor(),
              static_cast<unsigned long long>(cap.value));
  return (cap.value & ACCEL_CAP_RAS_KEY_VAL_32) != 0 ? 0 : 1;  // the dummy offers every format
}
