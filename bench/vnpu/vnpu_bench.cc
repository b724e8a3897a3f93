// vnpu_bench.cc - vnpu through acceld, each result beside the same work without the daemon.
//
// DOC: what is measured
//
// One acceld child (`--load 'vnpu engines=2' --no-fuse`, a fresh ACCEL_RUNTIME_DIR, its
// vnpu-fw) serves accel0; one file is opened over the socket and one NORMAL command queue
// created for every benchmark.
//
//   Gemm/vnpu/1024           SUBMIT of a 1024x1024x1024 fp32 GEMM on BOs mapped with
//                            accel_vnpu_bo_map (alpha 1, beta 0), then WAIT on its fence
//   Gemm/in_process/1024     kernels::Gemm on page-aligned buffers of the same size, here
//   Nop/ioctl                256 SUBMITs of VNPU_OP_NOP (one ioctl each), one WAIT on the last
//   Nop/ring_poll/*          256 NOP entries through the user-mode ring, VNPU_RING_POLL mode
//   Nop/ring_doorbell/*      the same without POLL: every submission batch rings the doorbell
//                            (client_spins: the client polls the completions, yielding between
//                            rounds; client_sleeps: after a short spin it sleeps in
//                            accel_vnpu_ring_wait, which asks acceld for the completion eventfd)
//   Nop/bare_ring            the floor: the same ring layout (160-byte submissions, 32-byte
//                            completions, release/acquire indices) in this process, a consumer
//                            thread spinning on the submission tail (yielding now and then, as
//                            the client does) and completing every entry
//   Bo/create_destroy        BO_CREATE (4 KiB) + BO_DESTROY, two round trips
//   Bo/bare_memfd            what acceld does for them, here: memfd_create, ftruncate,
//                            F_ADD_SEALS, mmap, munmap, close
//   Fence/submit_wait        SUBMIT a NOP, then WAIT on its fence: two round trips
//   Floor/get_param          GET_PARAM: one round trip through the same socket
//
// An iteration of every Nop benchmark is 256 jobs (items_per_second is jobs/s). The rings have
// 1024 submission entries and are kept full: after each batch the client reaps until at most
// 768 jobs are outstanding. The bare ring's producer is the client_spins loop. Every
// completion is checked (result 0, status SUCCESS).
//
// Ratios as counters, each baseline measured inside the same benchmark (same load):
//   Gemm/vnpu       inproc_ms, overhead_pct = (vnpu / in-process - 1) * 100, the in-process
//                   GEMM run between iterations with the timer paused (one untimed GEMM each
//                   first, so that page faults stay out)
//   Nop/ring_*      rate_vs_bare, rate_vs_ioctl = ring jobs/s over the bare ring's and the
//                   ioctl path's (the targets are >= 0.5 and >= 20), both timed right after
//                   the loop for a quarter of its time (20..250 ms); their jobs/s beside
//   Bo/create_destroy   time_vs_bare; Fence/submit_wait   time_vs_floor (per op, the same way)
// Benchmarks talking to acceld also report peer_cpu_ns, acceld's CPU (all threads) per
// iteration, and Nop/bare_ring its consumer thread's. Cross-process benchmarks use real time.
// Speed is never asserted: a failed call or a wrong result is an error, a slow one is not.
#include <accel/libaccel.h>
#include <accel/libaccel_vnpu.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <uapi/accel/vnpu.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "daemon_process.h"
#include "drivers/vnpu/kernels/kernels.h"
#include "vnpu_client.h"

namespace {

using accel::bench::DaemonProcess;
using accel::testing::FloatBits;
using accel::testing::MappedBo;
using accel::testing::VnpuClient;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kGemmN = 1024;
constexpr int kGemmIterations = 5;       // ~0.1 s each
constexpr uint32_t kBatch = 256;         // jobs per iteration of every Nop benchmark
constexpr uint32_t kRingEntries = 1024;  // submission entries (the completion ring has 2x)
constexpr uint64_t kBoSize = 4096;
constexpr int kEmptyReapsBeforeSleep = 256;

// What every benchmark shares: the daemon, one open file, one command queue.
struct Bench {
  DaemonProcess* daemon = nullptr;
  VnpuClient client;
  uint32_t cmdq = 0;
};

double Ns(Clock::duration d) {
  return std::chrono::duration<double, std::nano>(d).count();
}

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

uint32_t LoadAcquire(const uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void StoreRelease(uint32_t* p, uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

// acceld's CPU per iteration, beside this thread's CPU column.
void ReportPeerCpu(benchmark::State& state, uint64_t before_ns, uint64_t after_ns) {
  state.counters["peer_cpu_ns"] = benchmark::Counter(static_cast<double>(after_ns - before_ns),
                                                     benchmark::Counter::kAvgIterations);
}

// A baseline timed after a benchmark's loop gets a quarter of the loop's time, 20..250 ms.
Clock::duration BaselineBudget(Clock::duration loop) {
  return std::clamp<Clock::duration>(loop / 4, std::chrono::milliseconds(20),
                                     std::chrono::milliseconds(250));
}

// Runs `batch` (`ops` operations; false on failure) until `budget` has passed, at least once.
// Nanoseconds per operation, or -1 after a failure.
template <typename Batch>
double NsPerOp(Clock::duration budget, uint64_t ops, Batch&& batch) {
  uint64_t done = 0;
  const Clock::time_point start = Clock::now();
  Clock::duration spent{};
  do {
    if (!batch()) return -1;
    done += ops;
    spent = Clock::now() - start;
  } while (spent < budget);
  return Ns(spent) / static_cast<double>(done);
}

// WAIT for one fence, forever; its status, or 0 (PENDING) when the ioctl failed.
uint32_t WaitFence(VnpuClient& c, uint64_t fence) {
  vnpu_wait w{};
  w.fences[0] = fence;
  w.num_fences = 1;
  w.timeout_ns = -1;
  return accel_ioctl(c.handle(), VNPU_IOCTL_WAIT, &w) == 0 ? w.status[0] : VNPU_JOB_PENDING;
}

// kBatch NOPs through SUBMIT, then one WAIT on the last fence.
bool IoctlNopBatch(Bench* b) {
  uint64_t fence = 0;
  for (uint32_t i = 0; i < kBatch; ++i)
    if (b->client.Submit(b->cmdq, VNPU_OP_NOP, {}, {}, &fence) != 0) return false;
  return WaitFence(b->client, fence) == VNPU_JOB_SUCCESS;
}

// ---- rings -----------------------------------------------------------------------------------

// The client side of acceld's user-mode ring (libaccel_vnpu.h). A client that waits for
// completions either keeps polling (`sleep` false: it yields the CPU between rounds, as the
// bare ring's producer does) or, after a short spin, sleeps in accel_vnpu_ring_wait().
class VnpuRing {
 public:
  ~VnpuRing() {
    if (ring_) accel_vnpu_ring_destroy(ring_);
  }
  int Create(Bench* b, uint32_t flags, bool sleep) {
    sleep_ = sleep;
    return accel_vnpu_ring_create(b->client.handle(), b->cmdq, kRingEntries, flags, &ring_);
  }
  int Submit(const vnpu_ring_sqe* sqes, uint32_t n) {
    return accel_vnpu_ring_submit(ring_, sqes, n);
  }
  int Reap(vnpu_ring_cqe* out, uint32_t max) { return accel_vnpu_ring_reap(ring_, out, max); }
  // Called when a spin found nothing to reap.
  int Sleep() {
    if (!sleep_) {
      std::this_thread::yield();
      return 0;
    }
    return accel_vnpu_ring_wait(ring_, 1000);
  }
  // Stops acceld's ring thread (a POLL ring must not spin through the baselines).
  int Destroy() {
    const int rc = accel_vnpu_ring_destroy(ring_);
    ring_ = nullptr;
    return rc;
  }

 private:
  accel_vnpu_ring* ring_ = nullptr;
  bool sleep_ = false;
};

// The floor: uapi's ring layout in this process, completed by a thread that never sleeps. The
// producer's side is libaccel's without its locks; the consumer snapshots each 160-byte entry
// and releases both indices per entry, as acceld's ring thread does. It lives for one
// benchmark run, so that its spinning thread never competes with another benchmark.
class BareRing {
 public:
  BareRing() {
    const uint64_t sqe_offset = 256;
    const uint64_t cqe_offset = (sqe_offset + kRingEntries * sizeof(vnpu_ring_sqe) + 63) & ~63ull;
    size_ = (cqe_offset + 2 * kRingEntries * sizeof(vnpu_ring_cqe) + 4095) & ~4095ull;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("mmap");
      std::abort();
    }
    map_ = static_cast<uint8_t*>(p);
    layout_ = reinterpret_cast<vnpu_ring_layout*>(map_);
    layout_->sq.mask = kRingEntries - 1;
    layout_->cq.mask = 2 * kRingEntries - 1;
    layout_->sq_entries = kRingEntries;
    layout_->cq_entries = 2 * kRingEntries;
    sqes_ = reinterpret_cast<vnpu_ring_sqe*>(map_ + sqe_offset);
    cqes_ = reinterpret_cast<vnpu_ring_cqe*>(map_ + cqe_offset);
    consumer_ = std::thread([this] { Consume(); });
  }
  ~BareRing() {
    stop_.store(true, std::memory_order_relaxed);
    consumer_.join();
    munmap(map_, size_);
  }
  BareRing(const BareRing&) = delete;
  BareRing& operator=(const BareRing&) = delete;

  int Submit(const vnpu_ring_sqe* sqes, uint32_t n) {
    vnpu_ring_indices& sq = layout_->sq;
    const uint32_t tail = sq.tail;  // only this thread writes it
    const uint32_t room = kRingEntries - (tail - LoadAcquire(&sq.head));
    const uint32_t queued = n < room ? n : room;
    for (uint32_t i = 0; i < queued; ++i)
      std::memcpy(&sqes_[(tail + i) & (kRingEntries - 1)], &sqes[i], sizeof(vnpu_ring_sqe));
    StoreRelease(&sq.tail, tail + queued);
    return static_cast<int>(queued);
  }
  int Reap(vnpu_ring_cqe* out, uint32_t max) {
    vnpu_ring_indices& cq = layout_->cq;
    const uint32_t head = cq.head;  // only this thread writes it
    const uint32_t ready = LoadAcquire(&cq.tail) - head;
    const uint32_t n = ready < max ? ready : max;
    for (uint32_t i = 0; i < n; ++i)
      std::memcpy(&out[i], &cqes_[(head + i) & (2 * kRingEntries - 1)], sizeof(vnpu_ring_cqe));
    StoreRelease(&cq.head, head + n);
    return static_cast<int>(n);
  }
  // Nothing to sleep on (the consumer never stops): lets a descheduled consumer run.
  int Sleep() {
    std::this_thread::yield();
    return 0;
  }
  // The consumer thread's CPU time so far.
  uint64_t ConsumerCpuNanoseconds() {
    clockid_t id;
    timespec ts{};
    if (pthread_getcpuclockid(consumer_.native_handle(), &id) != 0 || clock_gettime(id, &ts) != 0)
      return 0;
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  }

 private:
  void Consume() {
    vnpu_ring_indices& sq = layout_->sq;
    vnpu_ring_indices& cq = layout_->cq;
    uint32_t head = 0, cq_tail = 0;
    uint64_t fence = 0;
    int empty = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
      if (LoadAcquire(&sq.tail) == head || cq_tail - LoadAcquire(&cq.head) >= 2 * kRingEntries) {
        // As the client does: spin, but let a descheduled producer have the CPU now and then.
        if (++empty < kEmptyReapsBeforeSleep) {
          CpuRelax();
        } else {
          empty = 0;
          std::this_thread::yield();
        }
        continue;
      }
      empty = 0;
      vnpu_ring_sqe sqe;
      std::memcpy(&sqe, &sqes_[head & (kRingEntries - 1)], sizeof(sqe));  // one snapshot
      benchmark::DoNotOptimize(sqe);  // the whole entry, as the device reads it
      StoreRelease(&sq.head, ++head);
      vnpu_ring_cqe cqe{};
      cqe.user_data = sqe.user_data;
      cqe.fence = ++fence;
      cqe.result = sqe.opcode == VNPU_OP_NOP ? 0 : -EINVAL;
      cqe.status = VNPU_JOB_SUCCESS;
      cqes_[cq_tail & (2 * kRingEntries - 1)] = cqe;
      StoreRelease(&cq.tail, ++cq_tail);
    }
  }

  uint8_t* map_ = nullptr;
  uint64_t size_ = 0;
  vnpu_ring_layout* layout_ = nullptr;
  vnpu_ring_sqe* sqes_ = nullptr;
  vnpu_ring_cqe* cqes_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread consumer_;
};

// Keeps a ring full of NOPs: RunBatch() queues kBatch entries (reaping while the ring is full),
// then reaps until at most kRingEntries - kBatch jobs are outstanding. Every completion is
// checked; error() says what went wrong after a false.
template <typename Ring>
class NopPipeline {
 public:
  explicit NopPipeline(Ring* ring) : ring_(ring) {
    for (vnpu_ring_sqe& s : sqes_) s.opcode = VNPU_OP_NOP;
  }
  bool RunBatch() {
    for (uint32_t i = 0; i < kBatch; ++i) sqes_[i].user_data = submitted_ + i + 1;
    uint32_t sent = 0;
    while (sent < kBatch) {
      const int n = ring_->Submit(sqes_.data() + sent, kBatch - sent);
      if (n < 0) return Fail("ring submit failed");
      sent += static_cast<uint32_t>(n);
      if (n == 0 && !ReapUntil(reaped_ + 1)) return false;  // full: make room
    }
    submitted_ += kBatch;
    const uint64_t keep = kRingEntries - kBatch;
    return ReapUntil(submitted_ > keep ? submitted_ - keep : 0);
  }
  bool Drain() { return ReapUntil(submitted_); }
  uint64_t reaped() const { return reaped_; }
  const char* error() const { return error_; }

 private:
  bool Fail(const char* why) {
    error_ = why;
    return false;
  }
  // Reaps whatever is there, and more until `target` completions were reaped in all.
  bool ReapUntil(uint64_t target) {
    int empty = 0;
    for (;;) {
      const int n = ring_->Reap(cqes_.data(), kBatch);
      if (n < 0) return Fail("ring reap failed");
      for (int i = 0; i < n; ++i)
        if (cqes_[i].result != 0 || cqes_[i].status != VNPU_JOB_SUCCESS)
          return Fail("a NOP completed with an error");
      reaped_ += static_cast<uint64_t>(n);
      if (reaped_ >= target) return true;
      if (n > 0) {
        empty = 0;
      } else if (++empty < kEmptyReapsBeforeSleep) {
        CpuRelax();
      } else {
        empty = 0;
        if (ring_->Sleep() != 0) return Fail("no completion within 1 s");
      }
    }
  }

  Ring* ring_;
  std::array<vnpu_ring_sqe, kBatch> sqes_{};
  std::array<vnpu_ring_cqe, kBatch> cqes_{};
  uint64_t submitted_ = 0, reaped_ = 0;
  const char* error_ = nullptr;
};

// Jobs per second of the bare ring, kept full for `budget`; -1 on failure.
double BareRingJobsPerSecond(Clock::duration budget) {
  BareRing ring;
  NopPipeline<BareRing> pipe(&ring);
  const double ns = NsPerOp(budget, kBatch, [&] { return pipe.RunBatch(); });
  if (ns < 0 || !pipe.Drain()) return -1;
  return 1e9 / ns;
}

double IoctlJobsPerSecond(Bench* b, Clock::duration budget) {
  const double ns = NsPerOp(budget, kBatch, [b] { return IoctlNopBatch(b); });
  return ns < 0 ? -1 : 1e9 / ns;
}

// ---- benchmarks ------------------------------------------------------------------------------

// Page-aligned floats, as a BO's mapping is.
struct AlignedFloats {
  explicit AlignedFloats(size_t n)
      : p(static_cast<float*>(std::aligned_alloc(4096, (n * sizeof(float) + 4095) & ~4095ul))) {
    if (p == nullptr) std::abort();
  }
  ~AlignedFloats() { std::free(p); }
  float* p;
};

void FillRandom(float* p, size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) p[i] = dist(gen);
}

bool InProcessGemm(const AlignedFloats& a, const AlignedFloats& b, AlignedFloats* c) {
  const int rc =
      accel::vnpu::kernels::Gemm(a.p, b.p, c->p, kGemmN, kGemmN, kGemmN, 1.0f, 0.0f, nullptr);
  benchmark::ClobberMemory();
  return rc == 0;
}

void SetGemmItems(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 2 * int64_t{kGemmN} * kGemmN *
                          kGemmN);  // FLOP/s
}

void BM_GemmVnpu(benchmark::State& state, Bench* b) {
  const size_t n = size_t{kGemmN} * kGemmN;
  MappedBo a, bm, c;
  if (a.Create(b->client, n * 4) != 0 || bm.Create(b->client, n * 4) != 0 ||
      c.Create(b->client, n * 4) != 0) {
    state.SkipWithError("BO create/map failed");
    return;
  }
  AlignedFloats ia(n), ib(n), ic(n);
  FillRandom(a.data<float>(), n, 1);
  FillRandom(bm.data<float>(), n, 2);
  std::memcpy(ia.p, a.data(), n * 4);
  std::memcpy(ib.p, bm.data(), n * 4);
  auto gemm = [&] {
    uint64_t fence = 0;
    return b->client.Submit(
               b->cmdq, VNPU_OP_GEMM, {a.handle(), bm.handle(), c.handle()},
               {kGemmN, kGemmN, kGemmN, FloatBits(1.0f) | (FloatBits(0.0f) << 32), 0, 0, 0},
               &fence) == 0 &&
           WaitFence(b->client, fence) == VNPU_JOB_SUCCESS;
  };
  // Untimed first calls: both sides fault their output pages in here, not in the loop.
  if (!gemm() || !InProcessGemm(ia, ib, &ic)) {
    state.SkipWithError("the first GEMM failed");
    return;
  }
  double vnpu_ns = 0, inproc_ns = 0;
  const uint64_t peer_before = b->daemon->CpuNanoseconds();
  for (auto _ : state) {
    const Clock::time_point t0 = Clock::now();
    if (!gemm()) {
      state.SkipWithError("GEMM through vnpu failed");
      break;
    }
    vnpu_ns += Ns(Clock::now() - t0);
    state.PauseTiming();
    const Clock::time_point t1 = Clock::now();
    if (!InProcessGemm(ia, ib, &ic)) state.SkipWithError("in-process Gemm failed");
    inproc_ns += Ns(Clock::now() - t1);
    state.ResumeTiming();
  }
  ReportPeerCpu(state, peer_before, b->daemon->CpuNanoseconds());
  // Same kernel, same inputs: the device's C must be the in-process one.
  for (size_t i = 0; i < n; i += 4099) {
    if (std::fabs(c.data<float>()[i] - ic.p[i]) > 1e-3f * (1.0f + std::fabs(ic.p[i]))) {
      state.SkipWithError("vnpu's C differs from the in-process GEMM's");
      break;
    }
  }
  SetGemmItems(state);
  if (state.iterations() > 0 && inproc_ns > 0) {
    state.counters["inproc_ms"] = inproc_ns / static_cast<double>(state.iterations()) / 1e6;
    state.counters["overhead_pct"] = (vnpu_ns / inproc_ns - 1.0) * 100.0;
  }
  for (MappedBo* bo : {&a, &bm, &c}) b->client.BoDestroy(bo->handle());
}

void BM_GemmInProcess(benchmark::State& state) {
  const size_t n = size_t{kGemmN} * kGemmN;
  AlignedFloats a(n), bm(n), c(n);
  FillRandom(a.p, n, 1);
  FillRandom(bm.p, n, 2);
  if (!InProcessGemm(a, bm, &c)) state.SkipWithError("Gemm failed");  // faults C in
  for (auto _ : state) {
    if (!InProcessGemm(a, bm, &c)) {
      state.SkipWithError("Gemm failed");
      break;
    }
  }
  SetGemmItems(state);
}

void BM_NopRing(benchmark::State& state, Bench* b, uint32_t flags, bool sleep) {
  VnpuRing ring;
  if (int rc = ring.Create(b, flags, sleep); rc != 0) {
    state.SkipWithError(accel_strerror(rc));
    return;
  }
  NopPipeline<VnpuRing> pipe(&ring);
  const uint64_t peer_before = b->daemon->CpuNanoseconds();
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    if (!pipe.RunBatch()) {
      state.SkipWithError(pipe.error());
      break;
    }
  }
  const Clock::duration loop = Clock::now() - start;
  const uint64_t reaped = pipe.reaped();  // jobs completed and seen inside the timed loop
  ReportPeerCpu(state, peer_before, b->daemon->CpuNanoseconds());
  if (!pipe.Drain() || ring.Destroy() != 0) {
    state.SkipWithError("draining or destroying the ring failed");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(reaped));
  if (reaped == 0) return;
  const double ring_rate = static_cast<double>(reaped) / (Ns(loop) / 1e9);
  const double bare = BareRingJobsPerSecond(BaselineBudget(loop));
  const double ioctl = IoctlJobsPerSecond(b, BaselineBudget(loop));
  if (bare <= 0 || ioctl <= 0) {
    state.SkipWithError("a baseline failed");
    return;
  }
  state.counters["bare_jobs_per_s"] = bare;
  state.counters["ioctl_jobs_per_s"] = ioctl;
  state.counters["rate_vs_bare"] = ring_rate / bare;
  state.counters["rate_vs_ioctl"] = ring_rate / ioctl;
}

void BM_NopBareRing(benchmark::State& state) {
  BareRing ring;
  NopPipeline<BareRing> pipe(&ring);
  const uint64_t consumer_before = ring.ConsumerCpuNanoseconds();
  for (auto _ : state) {
    if (!pipe.RunBatch()) {
      state.SkipWithError(pipe.error());
      break;
    }
  }
  ReportPeerCpu(state, consumer_before, ring.ConsumerCpuNanoseconds());
  state.SetItemsProcessed(static_cast<int64_t>(pipe.reaped()));
  if (!pipe.Drain()) state.SkipWithError(pipe.error());
}

// What acceld does for BO_CREATE and BO_DESTROY of a 4 KiB BO, without the daemon.
bool BareBoCreateDestroy() {
  const int fd = memfd_create("vnpu-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return false;
  bool ok = ftruncate(fd, kBoSize) == 0 &&
            fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0;
  void* p = ok ? mmap(nullptr, kBoSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  ok = p != MAP_FAILED && munmap(p, kBoSize) == 0;
  close(fd);
  return ok;
}

// `op` once per iteration (false: it failed; `items` items each). With a daemon, its CPU is
// reported; with a `baseline`, that is timed right after the loop and reported as <name>_ns
// and time_vs_<name> (the time per op over the baseline's).
struct PerOp {
  const char* what = nullptr;
  std::function<bool()> op = nullptr;
  DaemonProcess* daemon = nullptr;
  const char* baseline_name = nullptr;
  std::function<bool()> baseline = nullptr;
  int64_t items = 1;
  benchmark::TimeUnit unit = benchmark::kNanosecond;
};

void BM_PerOp(benchmark::State& state, const PerOp* p) {
  const uint64_t peer_before = p->daemon ? p->daemon->CpuNanoseconds() : 0;
  const Clock::time_point start = Clock::now();
  for (auto _ : state) {
    if (!p->op()) {
      state.SkipWithError(p->what);
      break;
    }
  }
  const Clock::duration loop = Clock::now() - start;
  if (p->daemon) ReportPeerCpu(state, peer_before, p->daemon->CpuNanoseconds());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * p->items);
  if (!p->baseline || state.iterations() == 0) return;
  const double base_ns = NsPerOp(BaselineBudget(loop), 1, p->baseline);
  if (base_ns < 0) {
    state.SkipWithError("the baseline failed");
    return;
  }
  const double ns = Ns(loop) / static_cast<double>(state.iterations());
  state.counters[std::string(p->baseline_name) + "_ns"] = base_ns;
  state.counters[std::string("time_vs_") + p->baseline_name] = ns / base_ns;
}

// The PerOp benchmarks, kept alive until the run ends.
std::vector<std::unique_ptr<PerOp>> per_ops;

void RegisterPerOp(const char* name, PerOp p) {
  per_ops.push_back(std::make_unique<PerOp>(std::move(p)));
  benchmark::RegisterBenchmark(name, BM_PerOp, per_ops.back().get())
      ->UseRealTime()
      ->Unit(per_ops.back()->unit);
}

void Register(Bench* b) {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("Gemm/vnpu/1024", BM_GemmVnpu, b)
      ->UseRealTime()
      ->Iterations(kGemmIterations)
      ->Unit(benchmark::kMillisecond);
  RegisterBenchmark("Gemm/in_process/1024", BM_GemmInProcess)
      ->UseRealTime()
      ->Iterations(kGemmIterations)
      ->Unit(benchmark::kMillisecond);

  // Nop: an iteration is kBatch jobs.
  RegisterPerOp("Nop/ioctl", {.what = "SUBMIT/WAIT of a NOP failed",
                              .op = [b] { return IoctlNopBatch(b); },
                              .daemon = b->daemon,
                              .items = kBatch,
                              .unit = benchmark::kMicrosecond});
  for (const auto& [name, flags] :
       {std::pair{"poll", uint32_t{VNPU_RING_POLL}}, std::pair{"doorbell", uint32_t{0}}}) {
    for (bool sleep : {false, true}) {
      const std::string full =
          std::string("Nop/ring_") + name + (sleep ? "/client_sleeps" : "/client_spins");
      RegisterBenchmark(full.c_str(), BM_NopRing, b, flags, sleep)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
  }
  RegisterBenchmark("Nop/bare_ring", BM_NopBareRing)->UseRealTime()->Unit(benchmark::kMicrosecond);

  auto get_param = [b] {
    uint64_t engines = 0;
    return b->client.Param(VNPU_PARAM_NUM_ENGINES, &engines) == 0 && engines == 2;
  };
  auto bo_create_destroy = [b] {
    uint32_t h = 0;
    return b->client.BoCreate(kBoSize, &h) == 0 && b->client.BoDestroy(h) == 0;
  };
  auto submit_wait = [b] {
    uint64_t fence = 0;
    return b->client.Submit(b->cmdq, VNPU_OP_NOP, {}, {}, &fence) == 0 &&
           WaitFence(b->client, fence) == VNPU_JOB_SUCCESS;
  };
  RegisterPerOp("Bo/create_destroy", {.what = "BO_CREATE/BO_DESTROY failed",
                                      .op = bo_create_destroy,
                                      .daemon = b->daemon,
                                      .baseline_name = "bare",
                                      .baseline = BareBoCreateDestroy});
  RegisterPerOp("Bo/bare_memfd", {.what = "memfd/mmap failed", .op = BareBoCreateDestroy});
  RegisterPerOp("Fence/submit_wait", {.what = "SUBMIT + WAIT failed",
                                      .op = submit_wait,
                                      .daemon = b->daemon,
                                      .baseline_name = "floor",
                                      .baseline = get_param});
  RegisterPerOp("Floor/get_param",
                {.what = "GET_PARAM failed", .op = get_param, .daemon = b->daemon});
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Forked on the main thread before any thread starts. --no-fuse: every call here goes
  // through the socket (BO mapping and rings need it), so no FUSE tree is needed.
  std::string why;
  std::unique_ptr<DaemonProcess> daemon =
      DaemonProcess::Start(ACCELD_PATH, "vnpu engines=2", "accel0", &why, {"--no-fuse"});
  if (!daemon) {
    std::fprintf(stderr, "vnpu_bench: %s\n", why.c_str());
    return 1;
  }
  auto bench = std::make_unique<Bench>();
  bench->daemon = daemon.get();
  if (int rc = bench->client.Open("accel0", ACCEL_TRANSPORT_SOCKET); rc != 0) {
    std::fprintf(stderr, "vnpu_bench: open accel0: %s\n", accel_strerror(rc));
    return 1;
  }
  if (bench->client.Param(VNPU_PARAM_NUM_ENGINES) != 2 ||
      !(bench->client.Param(VNPU_PARAM_CAPABILITIES) & VNPU_CAP_USER_RING) ||
      bench->client.CmdqCreate(VNPU_PRIORITY_NORMAL, &bench->cmdq) != 0) {
    std::fprintf(stderr, "vnpu_bench: accel0 is not a 2-engine vnpu with user rings\n");
    return 1;
  }
  Register(bench.get());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  bench.reset();  // closes the file before acceld goes
  if (!daemon->Stop()) {
    std::fprintf(stderr, "vnpu_bench: acceld did not exit cleanly on SIGTERM\n");
    return 1;
  }
  return 0;
}
