// fuse_node_bench.cc - ioctl, open and RAS payloads through acceld's FUSE nodes, beside the same
// FUSE traffic served by a server that does nothing.
//
// DOC: what is measured
//
// A FUSE node costs every call a round trip through the kernel to acceld. The question is how
// much acceld (FUSE glue, core::Dispatch, staging) adds to what the kernel and libfuse charge
// for that round trip, so each result sits beside the same requests answered by
// BareFuseServer (bare_fuse_server.h), a forked libfuse server with the same mount options and
// loop but no logic:
//
//   Node/VERSION                  ioctl(ACCEL_IOCTL_VERSION) on RUNTIME_DIR/dev/accel/accel0
//                                 (acceld --load dummy)
//   Bare/ioctl_IOR192             the same command (a 192-byte _IOR) on the bare server's file
//   Floor/ioctl_FIONREAD_pipe     one real kernel ioctl: what a kernel accel node costs at least
//   Node/open_close               open(O_RDWR) + close of accel0 (LOOKUP, GETATTR, OPEN,
//   Bare/open_close               RELEASE...), beside the same on the bare file
//   Node/RAS_QUERY+pread/N        ioctl(RAS_QUERY, KEY_VAL_32) staging N bytes, then
//                                 pread(N, 0) of them (acceld --load 'benchpayload size=N')
//   Bare/pread/N                  one pread of N bytes (zeros) from the bare file
//   Bare/ioctl+pread/N            the same two round trips on the bare file: a 32-byte _IOWR
//                                 echoed, then the pread
//
// peer_cpu_ns is the server's CPU time per iteration (all of its threads); the CPU column is
// the benchmark thread's. Servers are child processes that unmount and die with this one
// (bench_mounts.h).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bare_fuse_server.h"
#include "bench_mounts.h"
#include "daemon_process.h"
#include "floor_bench.h"

namespace {

using accel::bench::BareFuseServer;
using accel::bench::DaemonProcess;

constexpr uint32_t kPayloadSizes[] = {4096, 65536};

// A file to benchmark against and the process that serves it.
struct Target {
  std::string path;
  std::function<uint64_t()> peer_cpu_ns;
};

// "open PATH: strerror(errno)", for SkipWithError.
std::string OpenFailure(const std::string& path) {
  return "open " + path + ": " + std::strerror(errno);
}

// An fd that closes itself; invalid (< 0) if open() failed.
class Fd {
 public:
  explicit Fd(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CLOEXEC)) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The server's CPU time per iteration, beside the CPU column (this thread's share).
class PeerCpu {
 public:
  explicit PeerCpu(const Target& t) : target_(t), before_(t.peer_cpu_ns()) {}
  void Report(benchmark::State& state) const {
    state.counters["peer_cpu_ns"] = benchmark::Counter(
        static_cast<double>(target_.peer_cpu_ns() - before_), benchmark::Counter::kAvgIterations);
  }

 private:
  const Target& target_;
  uint64_t before_;
};

// The 192-byte _IOR VERSION; from acceld the reply must name the dummy driver.
void BM_IoctlVersion(benchmark::State& state, const Target& t, const char* expect_name) {
  Fd fd(t.path);
  if (fd.get() < 0) return state.SkipWithError(OpenFailure(t.path).c_str());
  accel_version v{};
  PeerCpu peer(t);
  for (auto _ : state) {
    if (ioctl(fd.get(), ACCEL_IOCTL_VERSION, &v) < 0) {
      state.SkipWithError("ioctl(VERSION) failed");
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  peer.Report(state);
  if (expect_name && std::strcmp(v.name, expect_name) != 0)
    state.SkipWithError("VERSION did not name the expected driver");
  state.SetItemsProcessed(state.iterations());
}

void BM_OpenClose(benchmark::State& state, const Target& t) {
  PeerCpu peer(t);
  for (auto _ : state) {
    const int fd = open(t.path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 || close(fd) != 0) {
      state.SkipWithError(OpenFailure(t.path).c_str());
      break;
    }
  }
  peer.Report(state);
  state.SetItemsProcessed(state.iterations());
}

// One pread of exactly `size` bytes at offset 0.
bool PreadAll(int fd, std::vector<uint8_t>& buf, uint32_t size) {
  return pread(fd, buf.data(), size, 0) == static_cast<ssize_t>(size);
}

// RAS_QUERY stages the payload in the open file (the ioctl returns its size); pread fetches it.
void BM_RasQueryPread(benchmark::State& state, const Target& t, uint32_t size) {
  Fd fd(t.path);
  if (fd.get() < 0) return state.SkipWithError(OpenFailure(t.path).c_str());
  std::vector<uint8_t> buf(size);
  PeerCpu peer(t);
  for (auto _ : state) {
    accel_ras_query q{};
    q.format = ACCEL_RAS_FMT_KEY_VAL_32;
    q.ptr = reinterpret_cast<uintptr_t>(buf.data());  // only has to be non-zero over FUSE
    q.size = size;
    if (ioctl(fd.get(), ACCEL_IOCTL_RAS_QUERY, &q) != static_cast<int>(size) || q.len != size ||
        !PreadAll(fd.get(), buf, size)) {
      state.SkipWithError("RAS_QUERY + pread did not return the payload");
      break;
    }
  }
  peer.Report(state);
  benchmark::DoNotOptimize(buf.data());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * size);
}

// The bare server's share: `with_ioctl` adds the 32-byte _IOWR round trip RAS_QUERY makes.
void BM_BarePread(benchmark::State& state, const Target& t, uint32_t size, bool with_ioctl) {
  Fd fd(t.path);
  if (fd.get() < 0) return state.SkipWithError(OpenFailure(t.path).c_str());
  std::vector<uint8_t> buf(size);
  accel_ras_query q{};
  PeerCpu peer(t);
  for (auto _ : state) {
    if ((with_ioctl && ioctl(fd.get(), ACCEL_IOCTL_RAS_QUERY, &q) != 0) ||
        !PreadAll(fd.get(), buf, size)) {
      state.SkipWithError("bare ioctl/pread failed");
      break;
    }
  }
  peer.Report(state);
  benchmark::DoNotOptimize(buf.data());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * size);
}

// Every process this benchmark talks to. Members are destroyed in reverse: daemons, then bare.
struct Servers {
  std::unique_ptr<BareFuseServer> bare;
  std::unique_ptr<DaemonProcess> dummy;
  std::vector<std::unique_ptr<DaemonProcess>> payload;  // one per kPayloadSizes entry
};

std::unique_ptr<DaemonProcess> StartDaemon(const std::string& load, std::string* why) {
  std::unique_ptr<DaemonProcess> d =
      DaemonProcess::Start(ACCELD_PATH, load, "accel0", why, {"--driver-path", BENCH_DRIVER_DIR});
  if (d && !d->WaitForNode("accel0", why)) d.reset();
  if (!d) *why = "acceld --load '" + load + "': " + *why;
  return d;
}

// Forks every server. Called before any thread exists: the children use malloc and threads.
bool StartServers(Servers& s, std::string* why) {
  s.bare = BareFuseServer::Start(why);
  if (!s.bare) return false;
  s.dummy = StartDaemon("dummy", why);
  if (!s.dummy) return false;
  for (uint32_t size : kPayloadSizes) {
    s.payload.push_back(StartDaemon("benchpayload size=" + std::to_string(size), why));
    if (!s.payload.back()) return false;
  }
  return true;
}

Target NodeOf(const DaemonProcess* d) {
  return {d->NodePath("accel0"), [d] { return d->CpuNanoseconds(); }};
}

// RegisterBenchmark() copies its extra arguments, so the Targets may be locals.
void RegisterAll(const Servers& s) {
  const Target bare{s.bare->file_path(), [b = s.bare.get()] { return b->CpuNanoseconds(); }};
  const Target node = NodeOf(s.dummy.get());
  std::vector<Target> payload_nodes;
  for (const auto& d : s.payload) payload_nodes.push_back(NodeOf(d.get()));

  benchmark::RegisterBenchmark("Node/VERSION", BM_IoctlVersion, node, "dummy");
  benchmark::RegisterBenchmark("Bare/ioctl_IOR192", BM_IoctlVersion, bare, nullptr);
  benchmark::RegisterBenchmark("Floor/ioctl_FIONREAD_pipe", accel::bench::BM_FionreadPipe);
  benchmark::RegisterBenchmark("Node/open_close", BM_OpenClose, node);
  benchmark::RegisterBenchmark("Bare/open_close", BM_OpenClose, bare);
  for (size_t i = 0; i < std::size(kPayloadSizes); ++i) {
    const uint32_t n = kPayloadSizes[i];
    const std::string suffix = "/" + std::to_string(n);
    benchmark::RegisterBenchmark(("Node/RAS_QUERY+pread" + suffix).c_str(), BM_RasQueryPread,
                                 payload_nodes[i], n);
    benchmark::RegisterBenchmark(("Bare/pread" + suffix).c_str(), BM_BarePread, bare, n, false);
    benchmark::RegisterBenchmark(("Bare/ioctl+pread" + suffix).c_str(), BM_BarePread, bare, n,
                                 true);
  }
}

// Clean shutdown is part of the contract: a server that does not exit 0 on SIGTERM is a bug.
bool StopServers(Servers& s) {
  bool clean = true;
  for (auto& d : s.payload) clean = d->Stop() && clean;
  clean = s.dummy->Stop() && clean;
  return s.bare->Stop() && clean;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Without FUSE there is nothing to measure; say so rather than fail the smoke test.
  if (access("/dev/fuse", R_OK | W_OK) != 0) {
    std::fprintf(stderr, "fuse_node_bench: skipped: /dev/fuse is not usable here\n");
    return 0;
  }
  accel::bench::DetachStaleBenchMounts();  // what a run killed with SIGKILL left behind
  Servers servers;
  std::string why;
  if (!StartServers(servers, &why)) {
    std::fprintf(stderr, "fuse_node_bench: %s\n", why.c_str());
    return 1;
  }
  RegisterAll(servers);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!StopServers(servers)) {
    std::fprintf(stderr, "fuse_node_bench: a server did not exit cleanly on SIGTERM\n");
    return 1;
  }
  return 0;
}
