// cpu_features.h - which of the instruction-set extensions the kernels' fast paths need this
// CPU (and OS) can run.
//
// Gemm and Crc32c each have a path for an x86 extension and a portable one. They ask here,
// not the compiler's builtins, so that the probing and its x86-only #if stand in one place.
//
//   bool Supported(GemmPath p) { return p == GemmPath::kPortable || CpuHas(CpuFeature::kAvx2Fma); }
#ifndef ACCEL_DRIVERS_VNPU_KERNELS_CPU_FEATURES_H_
#define ACCEL_DRIVERS_VNPU_KERNELS_CPU_FEATURES_H_

// Defined where the x86 paths are compiled in (with target attributes, so no -m flags).
#if defined(__x86_64__)
#define ACCEL_VNPU_X86 1
#endif

namespace accel::vnpu::kernels::internal {

enum class CpuFeature {
  kSse42,    // crc32 (Crc32cPath::kSse42)
  kAvx2Fma,  // AVX2 and FMA together (GemmPath::kAvx2Fma)
};

// Whether this CPU runs every instruction `feature` names; always false off x86-64.
bool CpuHas(CpuFeature feature);

}  // namespace accel::vnpu::kernels::internal

#endif  // ACCEL_DRIVERS_VNPU_KERNELS_CPU_FEATURES_H_
