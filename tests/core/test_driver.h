// test_driver.h - a second, in-process driver for core tests: commands shaped to exercise
// each dispatcher rule (a struct that grew, a root-only command, a sleeping command, an error
// that returns data, copy_to_user, install_fd) and every hook (reset, file_rw, file_usage).
// It is a real driver table, bound without dlopen.
#ifndef ACCEL_TESTS_CORE_TEST_DRIVER_H_
#define ACCEL_TESTS_CORE_TEST_DRIVER_H_

#include <accel/driver_abi.h>
#include <uapi/accel/accel.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"

namespace accel::testing {

// Version 1 of ECHO carried only a and b (8 bytes); version 2 added sum.
struct test_echo {
  __u32 a;
  __u32 b;
  __u64 sum;
};
struct test_echo_v1 {
  __u32 a;
  __u32 b;
};
struct test_sleep {
  __u32 timeout_ms;
  __u32 pad;
};
struct test_nospc {
  __u32 needed;
  __u32 pad;
};
struct test_copy {
  __u64 ptr;
  __u32 len;
  __u32 pad;
};

#define TEST_IOCTL_ECHO ACCEL_IOWR(0x40, struct accel::testing::test_echo)
#define TEST_IOCTL_ROOT ACCEL_IO(0x41)
#define TEST_IOCTL_SLEEP ACCEL_IOW(0x42, struct accel::testing::test_sleep)
#define TEST_IOCTL_NOSPC ACCEL_IOWR(0x43, struct accel::testing::test_nospc)
// install_fd(call, fd, offset) from inside a command; the host op's return is the command's.
struct test_install_fd {
  __s32 fd;
  __u32 offset;
  __s32 slot;  // where offsets usually point: the transport writes the caller's number here
  __u32 pad;
};

#define TEST_IOCTL_COPY ACCEL_IOW(0x44, struct accel::testing::test_copy)
#define TEST_IOCTL_INSTALL_FD ACCEL_IOWR(0x45, struct accel::testing::test_install_fd)
// Records the first word of the struct it was handed in TestState().scribble_seen, then
// overwrites the struct with 0x5c bytes: which way data moved shows in both.
struct test_scribble {
  __u64 word;
};
#define TEST_IOCTL_SCRIBBLE_IN ACCEL_IOW(0x46, struct accel::testing::test_scribble)
#define TEST_IOCTL_SCRIBBLE_OUT ACCEL_IOR(0x47, struct accel::testing::test_scribble)

// file_rw: each open file has kTestRwSize bytes at fake offset kTestRwOffset.
inline constexpr uint64_t kTestRwOffset = uint64_t{1} << 32;
inline constexpr uint32_t kTestRwSize = 64;
// file_usage writes this (with a blank line and no final newline, which the core must repair).
inline constexpr char kTestUsage[] = "drm-engine-test:\t1234 ns\n\ndrm-total-test:\t4 KiB";

// Observable state of the test driver, shared by all its devices.
struct TestDriverState {
  std::atomic<int> opens{0};
  std::atomic<int> postcloses{0};
  std::atomic<int> releases{0};
  std::atomic<int> sleepers{0};  // calls inside SLEEP right now
  std::atomic<uint64_t> scribble_seen{0};
  std::atomic<bool> wake_flag{false};
  std::atomic<int> unloads{0};
  std::atomic<int> resets{0};
  std::atomic<int> reset_rc{0};  // what the reset hook returns
};

TestDriverState& TestState();
const accel_driver* TestDriverTable();
// What the core handed the test driver at load (valid while it is loaded).
const accel_host_ops* TestHostOps();
accel_host* TestHost();

// Binds the test driver to `reg` with load args ("count=N"), with `search_path` as the
// directories find_helper() searches (ModuleLoader's job for a real plugin). Fails the test on
// error. `table` replaces TestDriverTable() (a copy with other strings; it must outlive `reg`).
void LoadTestDriver(core::Registry& reg, const std::string& args = "count=1",
                    std::vector<std::string> search_path = {}, const accel_driver* table = nullptr);

}  // namespace accel::testing

#endif  // ACCEL_TESTS_CORE_TEST_DRIVER_H_
