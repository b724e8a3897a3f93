// cpu_features.cc - see cpu_features.h.
#include "drivers/vnpu/kernels/cpu_features.h"

namespace accel::vnpu::kernels::internal {

bool CpuHas(CpuFeature feature) {
#ifdef ACCEL_VNPU_X86
  // Idempotent; needed when this runs before the compiler's own constructor has (from another
  // static initialiser).
  __builtin_cpu_init();
  switch (feature) {
    case CpuFeature::kSse42:
      return __builtin_cpu_supports("sse4.2");
    case CpuFeature::kAvx2Fma:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
#endif
  (void)feature;
  return false;
}

}  // namespace accel::vnpu::kernels::internal
