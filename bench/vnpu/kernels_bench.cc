// kernels_bench.cc - vnpu's GEMM and CRC-32C kernels beside the plain references.
//
// DOC: what is measured
//
//   Gemm/blocked/N       Gemm (kernels.h): N x N x N, alpha 1, beta 0, on the path the CPU
//                        selects (AVX2/FMA here)
//   Gemm/portable/N      the same blocking with the portable micro-kernel (kernels_internal.h)
//   Gemm/naive/N         reference::Gemm, the triple loop summing in double; its counter
//                        `blocked_speedup` is its own CPU time per call over Gemm's, the latter
//                        timed (best of 3) in the same benchmark right after its loop
//   Crc32c/sse42/1MiB    the crc32 instruction path, three streams
//   Crc32c/slicing8/1MiB the table fallback
//
// For GEMM items are flops (2 N^3 per call, so items_per_second is FLOP/s) and bytes are the
// operands read and written once (4 (N^2 + N^2 + N^2)). For CRC-32C bytes are the input. Paths
// this CPU cannot run are not registered. Gemm/naive runs at 256 and 512 only: at 1024 one
// call takes ~5 s of CPU, however short --benchmark_min_time is.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"
#include "drivers/vnpu/kernels/kernels_reference.h"

namespace {

namespace kernels = accel::vnpu::kernels;
using kernels::internal::Crc32cPath;
using kernels::internal::GemmPath;

// Square operands with values in [-1, 1), fixed seed.
struct GemmOperands {
  explicit GemmOperands(uint32_t n) : n(n), a(size_t{n} * n), b(a.size()), c(a.size()) {
    std::mt19937 gen(n);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float& x : a) x = dist(gen);
    for (float& x : b) x = dist(gen);
  }
  uint32_t n;
  std::vector<float> a, b, c;
};

void SetGemmCounters(benchmark::State& state, uint32_t n) {
  const auto calls = static_cast<int64_t>(state.iterations());
  state.SetItemsProcessed(calls * 2 * int64_t{n} * n * n);
  state.SetBytesProcessed(calls * 3 * int64_t{n} * n * static_cast<int64_t>(sizeof(float)));
}

void BM_GemmPath(benchmark::State& state, GemmPath path, uint32_t n) {
  GemmOperands op(n);
  for (auto _ : state) {
    const int rc = kernels::internal::GemmOnPath(path, op.a.data(), op.b.data(), op.c.data(), n, n,
                                                 n, 1.0f, 0.0f, nullptr);
    if (rc != 0) state.SkipWithError("GemmOnPath failed");
    benchmark::ClobberMemory();
  }
  SetGemmCounters(state, n);
}

void BM_GemmBlocked(benchmark::State& state, uint32_t n) {
  GemmOperands op(n);
  for (auto _ : state) {
    if (kernels::Gemm(op.a.data(), op.b.data(), op.c.data(), n, n, n, 1.0f, 0.0f, nullptr) != 0) {
      state.SkipWithError("Gemm failed");
    }
    benchmark::ClobberMemory();
  }
  SetGemmCounters(state, n);
}

// CPU time of the calling thread: the speedup stays meaningful when other processes share the
// cores (wall time would count their turns too).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_GemmNaive(benchmark::State& state, uint32_t n) {
  GemmOperands op(n);
  const double start = ThreadCpuSeconds();
  for (auto _ : state) {
    kernels::reference::Gemm(op.a.data(), op.b.data(), op.c.data(), n, n, n, 1.0f, 0.0f);
    benchmark::ClobberMemory();
  }
  const double naive = (ThreadCpuSeconds() - start) / static_cast<double>(state.iterations());
  double blocked = 1e9;
  for (int i = 0; i < 3; ++i) {
    const double t0 = ThreadCpuSeconds();
    kernels::Gemm(op.a.data(), op.b.data(), op.c.data(), n, n, n, 1.0f, 0.0f, nullptr);
    blocked = std::min(blocked, ThreadCpuSeconds() - t0);
  }
  SetGemmCounters(state, n);
  state.counters["blocked_speedup"] = naive / blocked;
}

void BM_Crc32c(benchmark::State& state, Crc32cPath path) {
  std::vector<uint8_t> data(size_t{1} << 20);
  std::mt19937 gen(1);
  for (uint8_t& x : data) x = static_cast<uint8_t>(gen());
  uint32_t crc = 0;
  for (auto _ : state) {
    crc = kernels::internal::Crc32cUpdate(path, crc, data.data(), data.size());
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}

void RegisterAll() {
  for (uint32_t n : {256u, 512u, 1024u}) {
    const std::string size = "/" + std::to_string(n);
    benchmark::RegisterBenchmark(("Gemm/blocked" + size).c_str(), BM_GemmBlocked, n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Gemm/portable" + size).c_str(), BM_GemmPath, GemmPath::kPortable,
                                 n)
        ->Unit(benchmark::kMillisecond);
    // The triple loop at 1024 takes ~5 s of CPU per call; 512 shows the same ratio in 0.6 s,
    // which keeps bench_smoke short.
    if (n <= 512)
      benchmark::RegisterBenchmark(("Gemm/naive" + size).c_str(), BM_GemmNaive, n)
          ->Unit(benchmark::kMillisecond);
  }
  if (kernels::internal::Supported(Crc32cPath::kSse42)) {
    benchmark::RegisterBenchmark("Crc32c/sse42/1MiB", BM_Crc32c, Crc32cPath::kSse42);
  }
  benchmark::RegisterBenchmark("Crc32c/slicing8/1MiB", BM_Crc32c, Crc32cPath::kSlicing8);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
