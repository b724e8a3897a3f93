// Tests of core::Dispatch: the size rules, flags, unknown commands and the generic table,
// against the in-process test driver; and of FindCommand, the lookup a transport may do first.
#include "core/dispatch.h"

#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/file.h"
#include "core/registry.h"
#include "test_driver.h"

namespace accel::core {
namespace {

using testing::test_echo;
using testing::test_echo_v1;

// Builds an ioctl number for nr with an arbitrary size and direction, as a buggy or older
// userspace would.
constexpr uint32_t Cmd(uint32_t dir, uint32_t nr, uint32_t size) {
  return _IOC(dir, ACCEL_IOCTL_BASE, nr, size);
}

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::LoadTestDriver(reg_);
    DeviceRef dev = reg_.Lookup(0);
    ASSERT_TRUE(dev);
    Result<File*> f = dev->Open(root_);
    ASSERT_TRUE(f.ok());
    file_ = *f;
  }
  void TearDown() override {
    if (file_) file_->Close(root_);
  }
  int Call(uint32_t cmd, void* arg, size_t size, const Caller& who) {
    return Dispatch(*file_, who, cmd, arg, size, mem_);
  }
  template <typename T>
  int Call(uint32_t cmd, T& arg, const Caller& who = Caller{}) {
    return Call(cmd, &arg, sizeof(T), who);
  }

  Registry reg_;
  Caller root_{0, 0, 1};
  Caller user_{1000, 1000, 2};
  InProcessMemory mem_;
  File* file_ = nullptr;
};

TEST_F(DispatchTest, VersionReportsTheDriver) {
  accel_version v{};
  ASSERT_EQ(Call(ACCEL_IOCTL_VERSION, v), 0);
  EXPECT_EQ(v.version_major, 2u);
  EXPECT_EQ(v.version_minor, 3u);
  EXPECT_EQ(v.version_patchlevel, 4u);
  EXPECT_STREQ(v.name, "testdrv");
  EXPECT_STREQ(v.date, "20260101");
  EXPECT_STREQ(v.desc, "core test driver");
}

// copy_to_user() that cannot reach the caller, as over a FUSE node: it counts the attempts.
class UnreachableMemory final : public UserMemory {
 public:
  int CopyOut(uint64_t, const void*, uint32_t) override {
    ++copies;
    return 0;
  }
  bool reaches_caller_memory() const override { return false; }
  int copies = 0;
};

uint64_t Addr(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

TEST_F(DispatchTest, DrmVersionFirstTellsTheLengthsThenCopiesTheStrings) {
  accel_drm_version v{};
  v.pad = 0x5a5a;  // handed back untouched, as the kernel copies its padding back
  ASSERT_EQ(Call(ACCEL_IOCTL_DRM_VERSION, v), 0);  // libdrm's first call: no buffers
  EXPECT_EQ(v.version_major, 2);
  EXPECT_EQ(v.version_minor, 3);
  EXPECT_EQ(v.version_patchlevel, 4);
  EXPECT_EQ(v.pad, 0x5a5au);
  EXPECT_EQ(v.name_len, std::strlen("testdrv"));
  EXPECT_EQ(v.date_len, std::strlen("20260101"));
  EXPECT_EQ(v.desc_len, std::strlen("core test driver"));
  EXPECT_EQ(v.name, 0u);

  char name[16], date[16], desc[32];
  std::memset(name, '#', sizeof(name));
  std::memset(date, '#', sizeof(date));
  std::memset(desc, '#', sizeof(desc));
  v.name = Addr(name);
  v.date = Addr(date);
  v.desc = Addr(desc);
  ASSERT_EQ(Call(ACCEL_IOCTL_DRM_VERSION, v), 0);
  EXPECT_EQ(std::string(name, v.name_len), "testdrv");
  EXPECT_EQ(name[v.name_len], '#');  // no NUL: drm_copy_field copies the bytes only
  EXPECT_EQ(std::string(date, v.date_len), "20260101");
  EXPECT_EQ(std::string(desc, v.desc_len), "core test driver");
  EXPECT_EQ(v.name, Addr(name));  // the pointers go back as they came
  EXPECT_EQ(v.date, Addr(date));
  EXPECT_EQ(v.desc, Addr(desc));
}

TEST_F(DispatchTest, DrmVersionTruncatesToTheBufferAndReportsTheTrueLength) {
  char name[3] = {'#', '#', '#'}, desc[4] = {'#', '#', '#', '#'};
  accel_drm_version v{};
  v.name = Addr(name);
  v.name_len = 3;
  v.date_len = 5;  // a length without a buffer: nothing is written anywhere
  v.desc = Addr(desc);
  v.desc_len = 0;  // a buffer without a length: nothing is written to it
  ASSERT_EQ(Call(ACCEL_IOCTL_DRM_VERSION, v), 0);
  EXPECT_EQ(std::string(name, 3), "tes");
  EXPECT_EQ(v.name_len, 7u);
  EXPECT_EQ(v.date_len, 8u);
  EXPECT_EQ(std::string(desc, 4), "####");
  EXPECT_EQ(v.desc_len, 16u);
}

TEST_F(DispatchTest, DrmVersionWritesNothingWhereMemoryIsOutOfReach) {
  UnreachableMemory fuse;
  char name[16] = {};
  accel_drm_version v{};
  v.name = Addr(name);
  v.name_len = sizeof(name);
  ASSERT_EQ(Dispatch(*file_, root_, ACCEL_IOCTL_DRM_VERSION, &v, sizeof(v), fuse), 0);
  EXPECT_EQ(fuse.copies, 0);
  EXPECT_EQ(v.name_len, 7u);  // the lengths are still the true ones
  EXPECT_EQ(v.desc_len, 16u);
  EXPECT_EQ(v.name, Addr(name));
}

TEST_F(DispatchTest, DrmVersionNeverReportsAnEmptyString) {
  accel_driver table = *testing::TestDriverTable();
  table.date = "";
  table.desc = nullptr;
  Registry reg;
  testing::LoadTestDriver(reg, "count=1", {}, &table);
  DeviceRef dev = reg.Lookup(0);
  ASSERT_TRUE(dev);
  Result<File*> f = dev->Open(root_);
  ASSERT_TRUE(f.ok());
  char date[8] = {}, desc[16] = {};
  accel_drm_version v{};
  v.date = Addr(date);
  v.date_len = sizeof(date);
  v.desc = Addr(desc);
  v.desc_len = sizeof(desc);
  EXPECT_EQ(Dispatch(**f, root_, ACCEL_IOCTL_DRM_VERSION, &v, sizeof(v), mem_), 0);
  (*f)->Close(root_);
  EXPECT_EQ(v.date_len, 1u);
  EXPECT_STREQ(date, "0");  // what the kernel reports now that driver dates are gone
  EXPECT_EQ(v.desc_len, 7u);
  EXPECT_STREQ(desc, "testdrv");  // no description: the name stands in
}

TEST_F(DispatchTest, DrmVersionOf32BitUserspaceIsTooSmall) {
  uint8_t v32[36] = {};  // struct drm_version with 4-byte size_t and pointers
  EXPECT_EQ(Call(Cmd(_IOC_READ | _IOC_WRITE, 0x00, sizeof(v32)), v32, sizeof(v32), root_), -EINVAL);
}

TEST_F(DispatchTest, GetCapRasFormatsAndUnknownCapability) {
  accel_get_cap cap{ACCEL_CAP_RAS_FORMATS, 0};
  ASSERT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap), 0);
  EXPECT_EQ(cap.value, ACCEL_CAP_RAS_KEY_VAL_32 | ACCEL_CAP_RAS_CBOR);
  cap = {ACCEL_CAP_MINOR, 99};
  ASSERT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap), 0);
  EXPECT_EQ(cap.value, 0u);
  cap = {0x7777, 5};
  EXPECT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap), -EOPNOTSUPP);  // as drm_getcap() without KMS
  EXPECT_EQ(cap.value, 0u);
}

TEST_F(DispatchTest, GetCapAnswersDrmCapabilitiesAsANonKmsDriver) {
  accel_get_cap cap{ACCEL_DRM_CAP_TIMESTAMP_MONOTONIC, 0};
  ASSERT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap, user_), 0);
  EXPECT_EQ(cap.value, 1u);
  cap = {ACCEL_DRM_CAP_PRIME, 0};
  ASSERT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap, user_), 0);
  EXPECT_EQ(cap.value, uint64_t{ACCEL_DRM_PRIME_CAP_IMPORT | ACCEL_DRM_PRIME_CAP_EXPORT});
  for (uint64_t syncobj : {ACCEL_DRM_CAP_SYNCOBJ, ACCEL_DRM_CAP_SYNCOBJ_TIMELINE}) {
    cap = {syncobj, 7};
    ASSERT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap, user_), 0);
    EXPECT_EQ(cap.value, 0u);  // no accel driver has DRIVER_SYNCOBJ
  }
  // The KMS capabilities (DUMB_BUFFER 0x1 .. ATOMIC_ASYNC_PAGE_FLIP 0x15), 0 and beyond.
  for (uint64_t kms : {0x0, 0x1, 0x2, 0x3, 0x4, 0x7, 0x8, 0x9, 0x10, 0x11, 0x12, 0x15, 0x16}) {
    cap = {kms, 9};
    EXPECT_EQ(Call(ACCEL_IOCTL_GET_CAP, cap, user_), -EOPNOTSUPP) << "capability " << kms;
    EXPECT_EQ(cap.value, 0u);
  }
}

TEST_F(DispatchTest, UnknownNrIsEnotty) {
  uint64_t arg = 0;
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0x50, 8), &arg, 8, root_), -ENOTTY);  // driver range, unused
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0x01, 8), &arg, 8, root_), -ENOTTY);  // generic, unused
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0xa5, 8), &arg, 8, root_), -ENOTTY);  // DRM's second range
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0xef, 8), &arg, 8, root_), -ENOTTY);
}

TEST_F(DispatchTest, WrongMagicIsEnotty) {
  accel_version v{};
  uint32_t cmd = _IOR('x', 0xe0, accel_version);
  EXPECT_EQ(Call(cmd, &v, sizeof(v), root_), -ENOTTY);
}

TEST_F(DispatchTest, SmallerThanFirstVersionIsEinval) {
  uint32_t small = 4;
  EXPECT_EQ(Call(Cmd(_IOC_READ | _IOC_WRITE, 0x40, 4), &small, 4, root_), -EINVAL);
  accel_version v{};
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0xe0, 100), &v, 100, root_), -EINVAL);
}

TEST_F(DispatchTest, OlderSmallerStructIsZeroExtended) {
  test_echo_v1 v1{40, 2};
  ASSERT_EQ(Call(Cmd(_IOC_READ | _IOC_WRITE, 0x40, sizeof(v1)), &v1, sizeof(v1), root_), 0);
  EXPECT_EQ(v1.a, 40u);  // the v1 part is copied back; the new field is not written past it
  EXPECT_EQ(v1.b, 2u);
}

TEST_F(DispatchTest, LargerStructWithZeroTailIsAcceptedAndTailZeroedOnOutput) {
  struct {
    test_echo e;
    uint64_t future;
  } big{{1, 2, 0}, 0};
  ASSERT_EQ(Call(Cmd(_IOC_READ | _IOC_WRITE, 0x40, sizeof(big)), &big, sizeof(big), root_), 0);
  EXPECT_EQ(big.e.sum, 3u);
  EXPECT_EQ(big.future, 0u);
}

TEST_F(DispatchTest, LargerStructWithNonZeroTailIsE2big) {
  struct {
    test_echo e;
    uint64_t future;
  } big{{1, 2, 0}, 5};
  EXPECT_EQ(Call(Cmd(_IOC_READ | _IOC_WRITE, 0x40, sizeof(big)), &big, sizeof(big), root_), -E2BIG);
}

TEST_F(DispatchTest, ArgSizeDisagreeingWithCmdIsEinval) {
  test_echo e{};
  EXPECT_EQ(Call(TEST_IOCTL_ECHO, &e, sizeof(e) - 1, root_), -EINVAL);
  EXPECT_EQ(Call(TEST_IOCTL_ECHO, nullptr, sizeof(e), root_), -EINVAL);
}

TEST_F(DispatchTest, RootOnlyIsJudgedPerCall) {
  EXPECT_EQ(Call(TEST_IOCTL_ROOT, nullptr, 0, root_), 0);
  // The same file (opened by root) used by an unprivileged caller: denied.
  EXPECT_EQ(Call(TEST_IOCTL_ROOT, nullptr, 0, user_), -EACCES);
}

TEST_F(DispatchTest, ErrorsReturnDataToo) {
  testing::test_nospc n{};
  EXPECT_EQ(Call(TEST_IOCTL_NOSPC, n), -ENOSPC);
  EXPECT_EQ(n.needed, 4096u);
}

TEST_F(DispatchTest, CommandWithoutReadDirectionCopiesNothingBack) {
  testing::test_echo e{5, 6, 0};
  uint32_t write_only = Cmd(_IOC_WRITE, 0x40, sizeof(e));
  ASSERT_EQ(Call(write_only, &e, sizeof(e), root_), 0);
  EXPECT_EQ(e.sum, 0u);
}

// drm_ioctl()'s rule: data moves in only where both the caller's cmd and the table's entry say
// _IOC_WRITE, and out only where both say _IOC_READ, whatever the caller's cmd claims.
TEST_F(DispatchTest, DirectionIsWhatTheCallerAndTheTableAgreeOn) {
  const uint64_t mine = 0x1122334455667788ULL;
  const uint64_t scribbled = 0x5c5c5c5c5c5c5c5cULL;
  const auto both = [](uint32_t cmd) { return Cmd(_IOC_READ | _IOC_WRITE, _IOC_NR(cmd), 8); };
  // _IOW in the table, issued as _IOWR: the handler gets the struct, the caller gets nothing.
  testing::test_scribble w{mine};
  ASSERT_EQ(Call(both(TEST_IOCTL_SCRIBBLE_IN), &w, sizeof(w), root_), 0);
  EXPECT_EQ(testing::TestState().scribble_seen, mine);
  EXPECT_EQ(w.word, mine);
  // _IOR in the table, issued as _IOWR: the handler sees zeros, the caller gets its output.
  w.word = mine;
  ASSERT_EQ(Call(both(TEST_IOCTL_SCRIBBLE_OUT), &w, sizeof(w), root_), 0);
  EXPECT_EQ(testing::TestState().scribble_seen, 0u);
  EXPECT_EQ(w.word, scribbled);
  // As published, each works one way.
  w.word = mine;
  ASSERT_EQ(Call(TEST_IOCTL_SCRIBBLE_IN, w), 0);
  EXPECT_EQ(testing::TestState().scribble_seen, mine);
  EXPECT_EQ(w.word, mine);
  ASSERT_EQ(Call(TEST_IOCTL_SCRIBBLE_OUT, w), 0);
  EXPECT_EQ(testing::TestState().scribble_seen, 0u);
  EXPECT_EQ(w.word, scribbled);
}

TEST_F(DispatchTest, CopyToUserReachesTheCallersMemory) {
  char buf[32] = {};
  testing::test_copy c{reinterpret_cast<uintptr_t>(buf), sizeof(buf), 0};
  ASSERT_EQ(Call(TEST_IOCTL_COPY, c), 0);
  EXPECT_STREQ(buf, "accel-copy-to-user");
}

TEST_F(DispatchTest, RasQueryTooSmallReturnsNeededLength) {
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  ASSERT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -ENOSPC);
  EXPECT_EQ(q.len, 16u);
  std::vector<accel_ras_kv32> kv(2);
  q.ptr = reinterpret_cast<uintptr_t>(kv.data());
  q.size = 16;
  ASSERT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), 0);
  EXPECT_EQ(q.len, 16u);
  EXPECT_EQ(kv[0].value, 7u);
  EXPECT_EQ(ACCEL_RAS_KV32_SEVERITY(kv[1].key), static_cast<uint32_t>(ACCEL_RAS_SEV_FATAL));
}

TEST_F(DispatchTest, RasQueryRejectsFormatsFlagsAndNullBuffers) {
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_JSON;  // not offered by this device
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EOPNOTSUPP);
  q.format = ACCEL_RAS_FMT_RESERVED_6;
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EINVAL);
  q.format = 200;
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EINVAL);
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  q.flags = 0x80;
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EINVAL);
  q.flags = ACCEL_RAS_QUERY_RAW;  // no pass-through on this device
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EOPNOTSUPP);
  q.flags = 0;
  q.size = 64;
  q.ptr = 0;
  EXPECT_EQ(Call(ACCEL_IOCTL_RAS_QUERY, q), -EFAULT);
}

TEST_F(DispatchTest, UnpluggedDeviceIsEnodevBeforeAnythingElse) {
  DeviceRef dev = reg_.Lookup(0);
  ASSERT_TRUE(dev);
  dev->Unplug();
  accel_version v{};
  EXPECT_EQ(Call(ACCEL_IOCTL_VERSION, v), -ENODEV);
  uint64_t arg = 0;
  EXPECT_EQ(Call(Cmd(_IOC_READ, 0x50, 8), &arg, 8, root_), -ENODEV);
  EXPECT_FALSE(reg_.Lookup(0));  // gone from the minor table at once
}

TEST_F(DispatchTest, FindCommandTellsTheFlagsAndDispatchRunsWhatItFound) {
  EXPECT_EQ(FindCommand(*file_, TEST_IOCTL_SLEEP).flags() & ACCEL_IOCTL_MAY_SLEEP,
            static_cast<uint32_t>(ACCEL_IOCTL_MAY_SLEEP));
  FoundCommand found = FindCommand(*file_, ACCEL_IOCTL_VERSION);
  EXPECT_EQ(found.error(), 0);
  EXPECT_EQ(found.flags() & ACCEL_IOCTL_MAY_SLEEP, 0u);
  accel_version v{};
  ASSERT_EQ(Dispatch(std::move(found), root_, &v, sizeof(v), mem_), 0);
  EXPECT_STREQ(v.name, "testdrv");
}

TEST_F(DispatchTest, FindCommandOfAnUnknownCommandIsEnottyAndStillJudgesTheSize) {
  FoundCommand found = FindCommand(*file_, Cmd(_IOC_READ, 0x50, 8));
  EXPECT_EQ(found.error(), -ENOTTY);
  EXPECT_EQ(found.flags(), 0u);
  uint64_t arg = 0;
  EXPECT_EQ(Dispatch(std::move(found), root_, &arg, 4, mem_), -EINVAL);  // size before lookup
  EXPECT_EQ(Dispatch(FindCommand(*file_, Cmd(_IOC_READ, 0x50, 8)), root_, &arg, 8, mem_), -ENOTTY);
}

// The descriptor belongs to the driver's table: while a FoundCommand holds it, an unplug (and
// so an unload) waits, and the call still runs; afterwards the lookup says -ENODEV.
TEST_F(DispatchTest, UnplugWaitsForAFoundCommandUntilItIsDispatched) {
  DeviceRef dev = reg_.Lookup(0);
  ASSERT_TRUE(dev);
  FoundCommand found = FindCommand(*file_, ACCEL_IOCTL_VERSION);
  ASSERT_EQ(found.error(), 0);
  std::atomic<bool> unplugged{false};
  std::thread unplug([&] {
    dev->Unplug();
    unplugged = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(unplugged);
  accel_version v{};
  EXPECT_EQ(Dispatch(std::move(found), root_, &v, sizeof(v), mem_), 0);
  unplug.join();
  EXPECT_TRUE(unplugged);
  FoundCommand after = FindCommand(*file_, ACCEL_IOCTL_VERSION);
  EXPECT_EQ(after.error(), -ENODEV);
  EXPECT_EQ(after.flags(), 0u);
}

}  // namespace
}  // namespace accel::core
