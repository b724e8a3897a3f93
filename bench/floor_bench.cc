// floor_bench.cc - see floor_bench.h.
#include "floor_bench.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace accel::bench {

void BM_FionreadPipe(benchmark::State& state) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return state.SkipWithError("pipe2 failed");
  for (auto _ : state) {
    int n = 0;
    if (ioctl(p[0], FIONREAD, &n) != 0) {
      state.SkipWithError("ioctl(FIONREAD) failed");
      break;
    }
    benchmark::DoNotOptimize(n);
  }
  close(p[0]);
  close(p[1]);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace accel::bench
