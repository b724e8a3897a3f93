// minor.h - an accel minor: the N of accelN, pointing at its device.
//
// DRM keeps a struct drm_minor per node type (primary, render, accel); accel devices have one
// minor of type accel. The registry's MinorAllocator maps N -> Minor; the Minor exists from
// Register() to Unplug().
#ifndef ACCEL_CORE_MINOR_H_
#define ACCEL_CORE_MINOR_H_

#include <cstdint>

namespace accel::core {

class Device;

enum class MinorType : uint8_t { kAccel };

struct Minor {
  MinorType type = MinorType::kAccel;
  uint32_t index = 0;
  Device* device = nullptr;
};

}  // namespace accel::core

#endif  // ACCEL_CORE_MINOR_H_
