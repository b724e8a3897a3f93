// socket_bench.cc - VERSION through libaccel and acceld, beside the bare socket round trip.
//
// DOC: what is measured
//
// Every call through libaccel is one SOCK_SEQPACKET round trip to acceld, another process.
// The question is how much libaccel and the daemon add to what the kernel charges for that
// round trip, so each result sits beside the same traffic with nothing on top:
//
//   Libaccel/VERSION          accel_ioctl(h, ACCEL_IOCTL_VERSION, &v) against acceld
//                             (--load dummy, in a temporary ACCEL_RUNTIME_DIR), with
//                             ACCEL_TRANSPORT=socket: libaccel would otherwise pick the FUSE
//                             node, which fuse_node_bench measures
//   PingPong/bare             send 24+192 bytes to a forked echo process, receive 24+192 back:
//                             the same frames, the same process boundary, no protocol
//   PingPong/passcred         the same, with SO_PASSCRED on the echo side as acceld sets it
//                             (the kernel then attaches credentials to every message)
//   Floor/ioctl_FIONREAD_pipe one real kernel ioctl: what a kernel accel node would cost at
//                             least
//
// Children (acceld, the echo peers) are ChildProcesses: they die with this process however it
// ends.
#include <accel/libaccel.h>
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "child_process.h"
#include "daemon_process.h"
#include "floor_bench.h"

namespace {

using accel::bench::ChildProcess;
using accel::bench::DaemonProcess;

// A VERSION frame on the wire, either way: the 24-byte header of docs/wire-protocol.md, then
// struct accel_version.
constexpr size_t kWireHeaderBytes = 24;
constexpr size_t kVersionFrameBytes = kWireHeaderBytes + sizeof(accel_version);

// acceld receives into a buffer of the maximum frame plus one byte; so does the echo peer.
constexpr size_t kMaxFrame = 65536 + 1;

// The echo peer's loop: every frame goes straight back. Runs in the forked child, so it uses
// only system calls and a static buffer (no allocation after fork()).
int EchoLoop(int fd) {
  static uint8_t buf[kMaxFrame];
  alignas(cmsghdr) static char control[CMSG_SPACE(sizeof(ucred))];
  for (;;) {
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;  // as acceld: room for SCM_CREDENTIALS
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;  // the benchmark closed its end
    if (send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) return 1;
  }
}

// A forked process echoing frames on one end of a SOCK_SEQPACKET socketpair.
class EchoPeer {
 public:
  explicit EchoPeer(bool pass_credentials) : EchoPeer(SocketPair(pass_credentials)) {}
  ~EchoPeer() {
    close(fd_);
    process_.Stop();
  }
  EchoPeer(const EchoPeer&) = delete;
  EchoPeer& operator=(const EchoPeer&) = delete;

  int fd() const { return fd_; }
  uint64_t CpuNanoseconds() const { return process_.CpuNanoseconds(); }

 private:
  // {ours, the peer's}. SO_PASSCRED goes on the receiving end, as acceld sets it on its own.
  static std::array<int, 2> SocketPair(bool pass_credentials) {
    std::array<int, 2> sv{};
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv.data()) != 0) {
      std::perror("socketpair");
      std::abort();
    }
    const int one = 1;
    if (pass_credentials) setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    return sv;
  }
  explicit EchoPeer(std::array<int, 2> sv)
      : fd_(sv[0]), process_(ChildProcess::Start([sv] {
          close(sv[0]);
          return EchoLoop(sv[1]);
        })) {
    close(sv[1]);
  }

  int fd_;
  ChildProcess process_;
};

// The peer's CPU time per round trip, beside the CPU column (this thread's share): together
// they say where a round trip's CPU goes.
void ReportPeerCpu(benchmark::State& state, uint64_t before_ns, uint64_t after_ns) {
  state.counters["peer_cpu_ns"] = benchmark::Counter(static_cast<double>(after_ns - before_ns),
                                                     benchmark::Counter::kAvgIterations);
}

void BM_PingPong(benchmark::State& state, EchoPeer* peer) {
  uint8_t out[kVersionFrameBytes] = {1, 2, 3};
  uint8_t in[kMaxFrame];
  const uint64_t peer_before = peer->CpuNanoseconds();
  for (auto _ : state) {
    if (send(peer->fd(), out, sizeof out, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof out) ||
        recv(peer->fd(), in, sizeof in, 0) != static_cast<ssize_t>(sizeof out)) {
      state.SkipWithError("echo round trip failed");
      break;
    }
  }
  ReportPeerCpu(state, peer_before, peer->CpuNanoseconds());
  state.SetItemsProcessed(state.iterations());
}

void BM_LibaccelVersion(benchmark::State& state, const DaemonProcess* daemon) {
  accel_handle* h = nullptr;
  if (int rc = accel_open("accel0", &h); rc != 0) {
    state.SkipWithError(accel_strerror(rc));
    return;
  }
  if (accel_transport(h) != ACCEL_TRANSPORT_SOCKET) {
    accel_close(h);
    state.SkipWithError("libaccel did not use the socket");
    return;
  }
  accel_version v{};
  const uint64_t peer_before = daemon->CpuNanoseconds();
  for (auto _ : state) {
    if (accel_ioctl(h, ACCEL_IOCTL_VERSION, &v) != 0) {
      state.SkipWithError("accel_ioctl(VERSION) failed");
      break;
    }
    benchmark::DoNotOptimize(v);
  }
  ReportPeerCpu(state, peer_before, daemon->CpuNanoseconds());
  if (std::strcmp(v.name, "dummy") != 0) state.SkipWithError("VERSION did not say dummy");
  accel_close(h);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // This benchmark is about the socket; without this, libaccel opens acceld's FUSE node.
  setenv("ACCEL_TRANSPORT", "socket", 1);
  // Children are forked here, on the main thread, before the library starts any thread.
  std::string why;
  std::unique_ptr<DaemonProcess> daemon =
      DaemonProcess::Start(ACCELD_PATH, "dummy", "accel0", &why);
  if (!daemon) {
    std::fprintf(stderr, "socket_bench: %s\n", why.c_str());
    return 1;
  }
  EchoPeer bare(false), passcred(true);
  benchmark::RegisterBenchmark("Libaccel/VERSION", BM_LibaccelVersion, daemon.get());
  benchmark::RegisterBenchmark("PingPong/bare", BM_PingPong, &bare);
  benchmark::RegisterBenchmark("PingPong/passcred", BM_PingPong, &passcred);
  benchmark::RegisterBenchmark("Floor/ioctl_FIONREAD_pipe", accel::bench::BM_FionreadPipe);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!daemon->Stop()) {
    std::fprintf(stderr, "socket_bench: acceld did not exit cleanly on SIGTERM\n");
    return 1;
  }
  return 0;
}
