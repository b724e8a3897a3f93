// gemm.cc - Gemm: C = alpha * A * B + beta * C, blocked for the caches, with a portable
// micro-kernel and an AVX2/FMA one chosen at run time.
//
// DOC: blocking (the GotoBLAS / BLIS loop nest)
//
//   for jc over N, kNc at a time
//     for pc over K, kKc at a time
//       pack B[pc.., jc..] (kc x nc) into Nr-wide column panels      stays in L2/L3
//       for ic over M, kMc at a time
//         pack A[ic.., pc..] (mc x kc) into Mr-tall row panels       stays in L2
//         for jr over the B panels                                   one panel (kc x Nr) in L1
//           for ir over the A panels
//             micro-kernel: the Mr x Nr tile of C at (ic+ir, jc+jr), kc steps deep, in registers
//
// Packing copies each block once into exactly the order the micro-kernel reads it, so that its
// loads are sequential, and zero-pads the edges, so that the micro-kernel always computes a full
// tile; only the write-back of an edge tile is partial. A is packed m*k*ceil(n/kNc) floats in
// all, B k*n: next to 2*m*n*k flops, negligible once the sizes reach a few dozen.
//
// beta is applied by the first K block (pc == 0), later K blocks add onto C (beta 1); with beta
// == 0 the first block stores without reading C. alpha scales each block's product at
// write-back (folded into packed A it would round differently from the reference).
//
// cancel is polled before each B panel and each A block: at most kMc * kKc * kNc * 2 flops
// (150 MFLOP, a few milliseconds) apart.
#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "drivers/vnpu/kernels/cpu_features.h"
#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"

#ifdef ACCEL_VNPU_X86
#include <immintrin.h>
#endif

namespace accel::vnpu::kernels {
namespace {

using internal::Cancelled;
using internal::GemmPath;

// Block sizes, in floats. kKc: one B micro-panel (kKc x 16 floats, 16 KiB) fills half of L1.
// kMc: the packed A block (kMc x kKc, 144 KiB) stays in L2 while every B panel streams past it.
// kNc: the packed B panel (kKc x kNc, 2 MiB) is reused by every A block of one K step.
constexpr size_t kKc = 256;
constexpr size_t kMc = 144;
constexpr size_t kNc = 2048;

// Operands of one call; leading dimensions are k for A and n for B and C.
struct Operands {
  const float* a;
  const float* b;
  float* c;
  size_t m, n, k;
  float alpha, beta;
};

// A micro-kernel: the Mr x Nr product of one packed A panel (kc steps of Mr floats) and one
// packed B panel (kc steps of Nr floats), stored into the mr x nr top-left corner of the tile at
// c (row stride ldc) as c = alpha * product + beta * c; beta == 0 does not read c.
using MicroKernel = void (*)(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                             float alpha, float beta, size_t mr, size_t nr);

size_t RoundUp(size_t x, size_t to) {
  return (x + to - 1) / to * to;
}

// Packing storage, 64-byte aligned (whole cache lines, aligned vector loads). Empty (data() ==
// nullptr) when the allocation failed.
class PackBuffer {
 public:
  explicit PackBuffer(size_t floats)
      : p_(static_cast<float*>(std::aligned_alloc(64, RoundUp(floats * sizeof(float), 64)))) {}
  ~PackBuffer() { std::free(p_); }
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  float* data() const { return p_; }

 private:
  float* p_;
};

// Packs the mc x kc block at a (row stride lda) as ceil(mc / Mr) panels, each kc steps of Mr
// floats (one column of the panel's rows per step), rows past mc zero.
template <size_t Mr>
void PackA(const float* a, size_t lda, size_t mc, size_t kc, float* dst) {
  for (size_t i0 = 0; i0 < mc; i0 += Mr) {
    const float* src = a + i0 * lda;
    const size_t rows = std::min(Mr, mc - i0);
    for (size_t p = 0; p < kc; ++p) {
      for (size_t i = 0; i < Mr; ++i) dst[i] = i < rows ? src[i * lda + p] : 0.0f;
      dst += Mr;
    }
  }
}

// Packs the kc x nc block at b (row stride ldb) as ceil(nc / Nr) panels, each kc steps of Nr
// floats (one row of the panel's columns per step), columns past nc zero.
template <size_t Nr>
void PackB(const float* b, size_t ldb, size_t kc, size_t nc, float* dst) {
  for (size_t j0 = 0; j0 < nc; j0 += Nr) {
    const size_t cols = std::min(Nr, nc - j0);
    for (size_t p = 0; p < kc; ++p) {
      const float* src = b + p * ldb + j0;
      if (cols == Nr) {
        std::copy(src, src + Nr, dst);
      } else {
        std::copy(src, src + cols, dst);
        std::fill(dst + cols, dst + Nr, 0.0f);
      }
      dst += Nr;
    }
  }
}

// Stores nr elements of one row of a tile: row = alpha * t + beta * row. Full rows take the
// constant-length loops, which the compiler vectorises.
template <size_t Nr>
void WriteRow(const float* t, float* row, float alpha, float beta, size_t nr) {
  if (nr == Nr) {
    if (beta == 0.0f) {
      for (size_t j = 0; j < Nr; ++j) row[j] = alpha * t[j];
    } else {
      for (size_t j = 0; j < Nr; ++j) row[j] = alpha * t[j] + beta * row[j];
    }
  } else if (beta == 0.0f) {
    for (size_t j = 0; j < nr; ++j) row[j] = alpha * t[j];
  } else {
    for (size_t j = 0; j < nr; ++j) row[j] = alpha * t[j] + beta * row[j];
  }
}

// The portable micro-kernel: 4 x 16, two rows at a time so that the 2 x 16 accumulators of the
// inner loop fit in registers even with SSE2's sixteen 4-wide ones; the compiler vectorises the
// loop over j. GCC at -O2 keeps r0 and r1 in memory unless that loop is unrolled before its
// scalar replacement runs, hence the pragma; clang vectorises the loop as written and would not
// once it were unrolled. Row pairs wholly past mr (zero padding) are skipped.
#if defined(__GNUC__) && !defined(__clang__)
#define ACCEL_VNPU_GCC_UNROLL _Pragma("GCC unroll 16")
#else
#define ACCEL_VNPU_GCC_UNROLL
#endif
constexpr size_t kPortableMr = 4;
constexpr size_t kPortableNr = 16;

void PortableMicroKernel(size_t kc, const float* a, const float* b, float* c, size_t ldc,
                         float alpha, float beta, size_t mr, size_t nr) {
  for (size_t i = 0; i < mr; i += 2) {
    float r0[kPortableNr] = {};
    float r1[kPortableNr] = {};
    const float* ap = a + i;
    const float* bp = b;
    for (size_t p = 0; p < kc; ++p, ap += kPortableMr, bp += kPortableNr) {
      const float a0 = ap[0];
      const float a1 = ap[1];
      ACCEL_VNPU_GCC_UNROLL
      for (size_t j = 0; j < kPortableNr; ++j) {
        r0[j] += a0 * bp[j];
        r1[j] += a1 * bp[j];
      }
    }
    WriteRow<kPortableNr>(r0, c + i * ldc, alpha, beta, nr);
    if (i + 1 < mr) WriteRow<kPortableNr>(r1, c + (i + 1) * ldc, alpha, beta, nr);
  }
}

#ifdef ACCEL_VNPU_X86
// The AVX2/FMA micro-kernel: 6 x 16, twelve ymm accumulators, two for the B row and one for the
// broadcast A element: 15 of the 16 registers. Each step is 2 loads, 6 broadcasts and 12 FMAs.
constexpr size_t kAvxMr = 6;
constexpr size_t kAvxNr = 16;

__attribute__((target("avx2,fma"))) void Avx2MicroKernel(size_t kc, const float* a, const float* b,
                                                         float* c, size_t ldc, float alpha,
                                                         float beta, size_t mr, size_t nr) {
  // Named accumulators, not an array: compilers keep an array indexed in a loop in memory
  // unless they happen to unroll that loop first (GCC at -O2 does not).
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (size_t p = 0; p < kc; ++p, a += kAvxMr, b += kAvxNr) {
    const __m256 b0 = _mm256_load_ps(b);  // packed panels are 64-byte aligned
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 ai = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
  }
  const __m256 acc[kAvxMr][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                                 {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 va = _mm256_set1_ps(alpha);
  if (mr == kAvxMr && nr == kAvxNr) {
    const __m256 vb = _mm256_set1_ps(beta);
    for (size_t i = 0; i < kAvxMr; ++i, c += ldc) {
      __m256 lo = _mm256_mul_ps(va, acc[i][0]);
      __m256 hi = _mm256_mul_ps(va, acc[i][1]);
      if (beta != 0.0f) {
        lo = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), lo);
        hi = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + 8), hi);
      }
      _mm256_storeu_ps(c, lo);
      _mm256_storeu_ps(c + 8, hi);
    }
    return;
  }
  alignas(32) float row[kAvxNr];
  for (size_t i = 0; i < mr; ++i, c += ldc) {
    _mm256_store_ps(row, acc[i][0]);
    _mm256_store_ps(row + 8, acc[i][1]);
    WriteRow<kAvxNr>(row, c, alpha, beta, nr);
  }
}
#endif  // ACCEL_VNPU_X86

// The loop nest of the DOC comment around one micro-kernel.
template <size_t Mr, size_t Nr, MicroKernel kKernel>
int Blocked(const Operands& g, const std::atomic<bool>* cancel) {
  static_assert(kMc % Mr == 0 && kNc % Nr == 0, "blocks hold whole panels");
  const PackBuffer a_pack(RoundUp(std::min(g.m, kMc), Mr) * std::min(g.k, kKc));
  const PackBuffer b_pack(RoundUp(std::min(g.n, kNc), Nr) * std::min(g.k, kKc));
  if (a_pack.data() == nullptr || b_pack.data() == nullptr) return -ENOMEM;
  for (size_t jc = 0; jc < g.n; jc += kNc) {
    const size_t nc = std::min(kNc, g.n - jc);
    for (size_t pc = 0; pc < g.k; pc += kKc) {
      const size_t kc = std::min(kKc, g.k - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;
      if (Cancelled(cancel)) return -ECANCELED;
      PackB<Nr>(g.b + pc * g.n + jc, g.n, kc, nc, b_pack.data());
      for (size_t ic = 0; ic < g.m; ic += kMc) {
        const size_t mc = std::min(kMc, g.m - ic);
        if (ic != 0 && Cancelled(cancel)) return -ECANCELED;
        PackA<Mr>(g.a + ic * g.k + pc, g.k, mc, kc, a_pack.data());
        for (size_t jr = 0; jr < nc; jr += Nr) {
          for (size_t ir = 0; ir < mc; ir += Mr) {
            kKernel(kc, a_pack.data() + ir * kc, b_pack.data() + jr * kc,
                    g.c + (ic + ir) * g.n + jc + jr, g.n, g.alpha, beta, std::min(Mr, mc - ir),
                    std::min(Nr, nc - jr));
          }
        }
      }
    }
  }
  return 0;
}

// C = beta * C, for k == 0 or alpha == 0, where A * B does not matter (BLAS reads neither).
int ScaleC(float* c, size_t count, float beta, const std::atomic<bool>* cancel) {
  constexpr size_t kChunk = size_t{1} << 20;  // 4 MiB of floats between polls
  for (size_t i = 0; i < count; i += kChunk) {
    if (i != 0 && Cancelled(cancel)) return -ECANCELED;
    float* p = c + i;
    const size_t len = std::min(kChunk, count - i);
    if (beta == 0.0f) {
      std::fill(p, p + len, 0.0f);
    } else if (beta != 1.0f) {
      for (size_t j = 0; j < len; ++j) p[j] *= beta;
    }
  }
  return 0;
}

}  // namespace

namespace internal {

bool Supported(GemmPath path) {
  return path == GemmPath::kPortable || CpuHas(CpuFeature::kAvx2Fma);
}

GemmPath BestGemmPath() {
  static const GemmPath best =
      Supported(GemmPath::kAvx2Fma) ? GemmPath::kAvx2Fma : GemmPath::kPortable;
  return best;
}

int GemmOnPath(GemmPath path, const float* a, const float* b, float* c, uint32_t m, uint32_t n,
               uint32_t k, float alpha, float beta, const std::atomic<bool>* cancel) {
  if (Cancelled(cancel)) return -ECANCELED;
  if (m == 0 || n == 0) return 0;
  if (k == 0 || alpha == 0.0f) return ScaleC(c, size_t{m} * n, beta, cancel);
  const Operands g{a, b, c, m, n, k, alpha, beta};
#ifdef ACCEL_VNPU_X86
  if (path == GemmPath::kAvx2Fma) return Blocked<kAvxMr, kAvxNr, Avx2MicroKernel>(g, cancel);
#endif
  (void)path;
  return Blocked<kPortableMr, kPortableNr, PortableMicroKernel>(g, cancel);
}

}  // namespace internal

int Gemm(const float* a, const float* b, float* c, uint32_t m, uint32_t n, uint32_t k, float alpha,
         float beta, const std::atomic<bool>* cancel) {
  return internal::GemmOnPath(internal::BestGemmPath(), a, b, c, m, n, k, alpha, beta, cancel);
}

}  // namespace accel::vnpu::kernels
