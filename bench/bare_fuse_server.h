// bare_fuse_server.h - the smallest FUSE server that can answer what an accel node answers.
//
// DOC: what it is for
//
// fuse_node_bench asks how much acceld adds to a FUSE round trip. The kernel's share (the
// request through /dev/fuse, two context switches, the copy of the struct) is the same for any
// server, so the baseline is a server with nothing on top: one regular file, `node`, that
//
//   - answers every ioctl by sending back the bytes it was given (zero-filled up to the size
//     the command's direction and _IOC_SIZE ask for): no table, no dispatch, no allocation;
//   - answers read(2) with zeros;
//   - opens with direct_io and replies with attr/entry timeouts of 0,
//
// and is mounted with the options acceld's dev tree uses (default_permissions, allow_other as
// root), on one /dev/fuse fd read by several threads. It runs libfuse's own multi-threaded loop
// (fuse_session_loop_mt); acceld runs a fixed pool of its own over the same
// fuse_session_receive_buf()/fuse_session_process_buf() calls, so per request the two loops do
// the same work: one read(2) and one writev(2) on /dev/fuse. The servers differ in what they
// do between those.
//
// DOC: lifetime
//
// The server is a forked child (a ChildProcess), so that it is another process as acceld is.
// Start() returns once the file can be opened. Stop() (and the destructor) send SIGTERM: the
// child leaves its loop, unmounts and exits 0; the benchmark then detaches the mount point
// anyway and removes the directory. If the benchmark dies, the child gets SIGTERM from the
// kernel (PR_SET_PDEATHSIG) and unmounts itself; see bench_mounts.h for the rest.
//
//   std::unique_ptr<BareFuseServer> bare = BareFuseServer::Start(&why);
//   int fd = open(bare->file_path().c_str(), O_RDWR);
//   ioctl(fd, ACCEL_IOCTL_VERSION, &v);     // v comes back as it was sent (zeros for _IOR)
#ifndef ACCEL_BENCH_BARE_FUSE_SERVER_H_
#define ACCEL_BENCH_BARE_FUSE_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "child_process.h"

namespace accel::bench {

class BareFuseServer {
 public:
  // Forks the server and waits until it is mounted; nullptr with the reason in *why. Call
  // before any thread is started: the child goes on to use malloc and threads.
  static std::unique_ptr<BareFuseServer> Start(std::string* why);
  ~BareFuseServer();
  BareFuseServer(const BareFuseServer&) = delete;
  BareFuseServer& operator=(const BareFuseServer&) = delete;

  // The one regular file of the mount.
  std::string file_path() const { return dir_ + "/node"; }
  // The server's CPU time so far, all threads (see ChildProcess::CpuNanoseconds).
  uint64_t CpuNanoseconds() const { return process_.CpuNanoseconds(); }
  // Stops the server, unmounts and removes the directory; true when the server exited 0.
  bool Stop();

 private:
  BareFuseServer(std::string dir, ChildProcess process)
      : dir_(std::move(dir)), process_(std::move(process)) {}

  std::string dir_;  // the mount point; empty once removed
  ChildProcess process_;
};

}  // namespace accel::bench

#endif  // ACCEL_BENCH_BARE_FUSE_SERVER_H_
