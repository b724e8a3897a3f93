// libaccel over FUSE nodes: the same calls as over the socket, with copy-out applied, and the
// monitor stream.
#include <accel/libaccel.h>
#include <gtest/gtest.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <accel/accel.hpp>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "acceld_process.h"

namespace accel::testing {
namespace {

class LibaccelNodeTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("ACCEL_TRANSPORT"); }
  AcceldProcess daemon_;
};

TEST_F(LibaccelNodeTest, OpenPrefersTheNodeAndIoctlsBehaveAsOverTheSocket) {
  ASSERT_TRUE(daemon_.Start({"--load", "dummy count=2"})) << daemon_.log();
  Result<Device> dev = Device::Open("accel1");
  ASSERT_TRUE(dev.ok()) << accel_strerror(dev.error());
  EXPECT_EQ(accel_transport(dev->handle()), ACCEL_TRANSPORT_NODE);
  EXPECT_EQ(dev->minor(), 1u);
  accel_version v{};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_VERSION, v), 0);
  EXPECT_STREQ(v.name, "dummy");

  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_COMPUTE, ACCEL_RAS_SEV_FATAL, 4, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_RAS_INJECT, inj), 0);
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), -ENOSPC);  // errors keep their data
  std::vector<accel_ras_kv32> kv(q.len / sizeof(accel_ras_kv32));
  q.ptr = reinterpret_cast<uintptr_t>(kv.data());
  q.size = q.len;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), 0);  // copy-out landed in kv
  uint32_t fatal = 0;
  for (const auto& p : kv)
    if (p.key == ACCEL_RAS_KV32_KEY(ACCEL_DUMMY_COMPONENT_COMPUTE, ACCEL_RAS_SEV_FATAL,
                                    ACCEL_RAS_CTR_VOLATILE))
      fatal = p.value;
  EXPECT_EQ(fatal, 4u);
  uint64_t arg = 0;
  EXPECT_EQ(dev->IoctlRaw(_IOC(_IOC_READ, 'd', 0x77, 8), &arg), -ENOTTY);
  // The kernel would copy 16 bytes from an 8-byte struct: refused before the call, with the
  // dispatcher's errno for the same mistake over the socket.
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, arg), -EINVAL);
  // A command that reads the caller's buffer (copy_from_user): a FUSE node carries only the
  // struct, so the daemon cannot fetch the bytes; the empty input needs none.
  uint8_t bytes[16] = {1, 2, 3};
  accel_dummy_digest digest{reinterpret_cast<uintptr_t>(bytes), sizeof(bytes), 0, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, digest), -EOPNOTSUPP);
  accel_dummy_digest empty{0, 0, 0, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, empty), 0);
  EXPECT_EQ(empty.digest, 0xcbf29ce484222325ULL);
}

TEST_F(LibaccelNodeTest, TransportCanBeForced) {
  ASSERT_TRUE(daemon_.Start({"--load", "dummy"})) << daemon_.log();
  setenv("ACCEL_TRANSPORT", "socket", 1);
  Result<Device> s = Device::Open("accel0");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(accel_transport(s->handle()), ACCEL_TRANSPORT_SOCKET);
  setenv("ACCEL_TRANSPORT", "node", 1);
  Result<Device> n = Device::Open("accel0");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(accel_transport(n->handle()), ACCEL_TRANSPORT_NODE);
  EXPECT_EQ(Device::Open("accel5").error(), -ENODEV);
  unsetenv("ACCEL_TRANSPORT");
}

TEST_F(LibaccelNodeTest, WithoutFuseTheSocketIsUsed) {
  ASSERT_TRUE(daemon_.Start({"--load", "dummy", "--no-fuse"})) << daemon_.log();
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(accel_transport(dev->handle()), ACCEL_TRANSPORT_SOCKET);
}

TEST_F(LibaccelNodeTest, MonitorStreamsAddChangeRemove) {
  ASSERT_TRUE(daemon_.Start({"--no-fuse"})) << daemon_.log();
  accel_monitor* m = nullptr;
  ASSERT_EQ(accel_monitor_open(&m), 0);
  accel_monitor_event ev{};
  EXPECT_EQ(accel_monitor_next(m, &ev, 0), -ETIME);
  char why[128];
  ASSERT_EQ(accel_driver_load("dummy", "count=2", why, sizeof(why)), 0) << why;
  for (uint32_t i = 0; i < 2; ++i) {
    ASSERT_EQ(accel_monitor_next(m, &ev, 5000), 0);
    EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_ADD));
    EXPECT_EQ(ev.minor, i);
    EXPECT_EQ(ev.seqno, i + 1);
    EXPECT_STREQ(ev.driver, "dummy");
  }
  {
    Result<Device> dev = Device::Open("accel0");
    ASSERT_TRUE(dev.ok());
    accel_dummy_ras_inject inj{0, 0, 1, 0};
    ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_RAS_INJECT, inj), 0);
  }
  ASSERT_EQ(accel_monitor_next(m, &ev, 5000), 0);
  EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_CHANGE));
  EXPECT_STREQ(ev.name, "accel0");
  ASSERT_EQ(accel_driver_unload("dummy", 0), 0);
  ASSERT_EQ(accel_monitor_next(m, &ev, 5000), 0);
  EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_REMOVE));
  ASSERT_EQ(accel_monitor_next(m, &ev, 5000), 0);
  EXPECT_EQ(ev.action, static_cast<uint32_t>(ACCEL_MONITOR_REMOVE));
  EXPECT_EQ(ev.seqno, 5u);
  EXPECT_GT(ev.timestamp_ns, 0u);
  daemon_.Stop();
  EXPECT_EQ(accel_monitor_next(m, &ev, 5000), -ECONNRESET);
  accel_monitor_close(m);
}

}  // namespace
}  // namespace accel::testing
