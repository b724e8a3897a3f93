// bench_mounts.h - FUSE mount points the benchmarks create, and how none of them outlives a run.
//
// DOC: why this exists
//
// fuse_node_bench mounts two FUSE file systems (acceld's device tree and the bare server), each
// served by a child process under a temporary directory named accel-bench-*. A server that
// exits cleanly unmounts; one that is SIGKILLed leaves its mount behind, and every stat() of it
// then fails with ENOTCONN ("Transport endpoint is not connected"). So:
//
//   - servers get SIGTERM (not SIGKILL) when the benchmark dies, and unmount on their own;
//   - the benchmark detaches each mount point it knows about when it tears a server down,
//     and again from an atexit() handler (exit() skips destructors);
//   - at start-up it detaches any leftover accel-bench-* mount whose server is gone (a run
//     killed hard). Mounts of other live runs answer stat() and are left alone.
//
//   DetachStaleBenchMounts();        // once, in main()
//   DetachOnExit("/tmp/accel-bench-fuse-XXXX");
#ifndef ACCEL_BENCH_BENCH_MOUNTS_H_
#define ACCEL_BENCH_BENCH_MOUNTS_H_

#include <string>

namespace accel::bench {

// Directories made for benchmarks start with this, under the temporary directory.
inline constexpr char kBenchDirPrefix[] = "accel-bench-";

// A new directory TMPDIR/accel-bench-<tag>XXXXXX, or "" with errno set.
std::string MakeBenchDir(const std::string& tag);

// umount2(dir, MNT_DETACH); true when something was mounted there. Not being a mount point
// (EINVAL) or not existing is not an error: callers detach "just in case".
bool DetachMount(const std::string& dir);

// Detaches every mount under TMPDIR/accel-bench-* whose server is gone. Returns how many.
int DetachStaleBenchMounts();

// Registers `dir` to be detached by an atexit() handler (up to 8 directories).
void DetachOnExit(const std::string& dir);
// Forgets `dir` again, after its owner detached it itself.
void ForgetOnExit(const std::string& dir);

}  // namespace accel::bench

#endif  // ACCEL_BENCH_BENCH_MOUNTS_H_
