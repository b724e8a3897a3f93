// floor_bench.h - the floor every round-trip benchmark is shown against: one real kernel
// ioctl (FIONREAD on a pipe; on /dev/null it would only be an error path).
#ifndef ACCEL_BENCH_FLOOR_BENCH_H_
#define ACCEL_BENCH_FLOOR_BENCH_H_

#include <benchmark/benchmark.h>

namespace accel::bench {

void BM_FionreadPipe(benchmark::State& state);

}  // namespace accel::bench

#endif  // ACCEL_BENCH_FLOOR_BENCH_H_
