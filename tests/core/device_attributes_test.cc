// Tests of a device's attribute registry (core/device_attributes.h) and of the host ops a
// driver reaches it and the caller's memory with: device_add_attribute, copy_from_user.
#include "core/device_attributes.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/host_ops.h"
#include "core/registry.h"
#include "test_driver.h"

namespace accel::core {
namespace {

Result<std::string> Text(const char* s) {
  return std::string(s);
}

std::vector<std::string> Names(const std::vector<DeviceAttributes::Node>& nodes) {
  std::vector<std::string> out;
  for (const DeviceAttributes::Node& n : nodes) out.push_back(n.name);
  return out;
}

TEST(DeviceAttributesTest, PathsImplyTheirDirectoriesInTheOrderAdded) {
  DeviceAttributes a;
  ASSERT_TRUE(a.AddFile("state", DeviceAttributes::kReadOnly, [] { return Text("x\n"); }, {}));
  ASSERT_TRUE(a.AddFile("fw/version", DeviceAttributes::kReadOnly, [] { return Text("1\n"); }, {}));
  ASSERT_TRUE(a.AddFile(
      "fw/mode", DeviceAttributes::kRootWritable, [] { return Text("a\n"); },
      [](std::string_view) { return Result<void>(); }));
  ASSERT_TRUE(a.AddDir("fw"));            // exists: fine, as mkdir -p
  ASSERT_TRUE(a.AddDir("empty/nested"));  // declared, with nothing in it
  EXPECT_EQ(Names(a.Children(DeviceAttributes::kRoot)),
            (std::vector<std::string>{"state", "fw", "empty"}));
  const std::vector<DeviceAttributes::Node> fw = a.Children(2);
  EXPECT_EQ(Names(fw), (std::vector<std::string>{"version", "mode"}));
  EXPECT_EQ(fw[0].mode, 0444u);
  EXPECT_EQ(fw[1].mode, 0644u);
  EXPECT_FALSE(fw[1].dir);
  EXPECT_TRUE(a.Find(2)->dir);
  EXPECT_EQ(a.Find(2)->mode, 0755u);
  EXPECT_EQ(Names(a.Children(a.Children(DeviceAttributes::kRoot)[2].id)),
            std::vector<std::string>{"nested"});
  EXPECT_FALSE(a.Find(99));
}

TEST(DeviceAttributesTest, BadPathsModesAndClashesAreRefusedAndLeaveNothing) {
  DeviceAttributes a;
  auto show = [] { return Text("x"); };
  auto store = [](std::string_view) { return Result<void>(); };
  for (const char* bad : {"", "/abs", "a//b", "a/", ".", "a/../b", "sp ace", "n\nl"})
    EXPECT_EQ(a.AddFile(bad, DeviceAttributes::kReadOnly, show, {}).error(), -EINVAL) << bad;
  EXPECT_EQ(a.AddFile(std::string(DeviceAttributes::kMaxPath + 1, 'a'), 0444, show, {}).error(),
            -EINVAL);
  EXPECT_EQ(a.AddFile("m", 0666, show, store).error(), -EINVAL);
  EXPECT_EQ(a.AddFile("m", 0444, show, store).error(), -EINVAL);  // read-only with a store
  EXPECT_EQ(a.AddFile("m", 0644, show, {}).error(), -EINVAL);     // writable without one
  EXPECT_EQ(a.AddFile("m", 0444, {}, {}).error(), -EINVAL);       // nothing to show
  EXPECT_EQ(a.size(), 0u);
  ASSERT_TRUE(a.AddFile("f", 0444, show, {}));
  EXPECT_EQ(a.AddFile("f", 0444, show, {}).error(), -EEXIST);
  EXPECT_EQ(a.AddFile("f/g/h", 0444, show, {}).error(), -ENOTDIR);
  EXPECT_EQ(a.AddDir("f").error(), -ENOTDIR);
  ASSERT_TRUE(a.AddDir("d"));
  EXPECT_EQ(a.AddFile("d", 0444, show, {}).error(), -EEXIST);
  EXPECT_EQ(a.size(), 2u);
  // Full: a file whose directories would not fit leaves none of them behind.
  while (a.size() < DeviceAttributes::kMaxNodes - 1)
    ASSERT_TRUE(a.AddFile("n" + std::to_string(a.size()), 0444, show, {}));
  EXPECT_EQ(a.AddFile("x/y", 0444, show, {}).error(), -ENOSPC);
  EXPECT_EQ(a.size(), DeviceAttributes::kMaxNodes - 1);
  EXPECT_TRUE(a.AddFile("last", 0444, show, {}));
  EXPECT_EQ(a.AddFile("more", 0444, show, {}).error(), -ENOSPC);
}

// ---- through a device and the host op --------------------------------------------------------

struct FakeAttr {
  std::string value = "idle\n";
  int stores = 0;
  int show_rc = 0;
};

int ShowFake(void* /*dev_priv*/, void* priv, char* buf, uint32_t size) {
  auto* f = static_cast<FakeAttr*>(priv);
  if (f->show_rc < 0) return f->show_rc;
  const uint32_t n = std::min<uint32_t>(size, static_cast<uint32_t>(f->value.size()));
  std::memcpy(buf, f->value.data(), n);
  return static_cast<int>(n);
}

int StoreFake(void* /*dev_priv*/, void* priv, const char* buf, uint32_t len) {
  auto* f = static_cast<FakeAttr*>(priv);
  if (len == 0) return -EINVAL;
  f->value.assign(buf, len);
  ++f->stores;
  return 0;
}

class DeviceAttributeOpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::LoadTestDriver(reg_, "count=1");
    dev_ = reg_.Lookup(0);
    ASSERT_TRUE(dev_);
  }
  const accel_host_ops& ops() { return *testing::TestHostOps(); }
  int Add(const char* path, uint32_t mode, bool writable, uint32_t flags = 0) {
    accel_device_attribute a{};
    a.struct_size = sizeof(a);
    a.flags = flags;
    a.mode = mode;
    a.path = path;
    a.show = ShowFake;
    a.store = writable ? StoreFake : nullptr;
    a.attr_priv = &fake_;
    return ops().device_add_attribute(dev_->handle(), &a);
  }
  // The id of `name` directly under device/.
  uint32_t IdOf(const std::string& name) {
    for (const DeviceAttributes::Node& n : dev_->attributes().Children(DeviceAttributes::kRoot))
      if (n.name == name) return n.id;
    return UINT32_MAX;
  }

  FakeAttr fake_;  // outlives the registry's devices
  Registry reg_;
  DeviceRef dev_;
  Caller root_{0, 0, 1}, user_{1000, 1000, 2};
};

TEST_F(DeviceAttributeOpTest, TheCoreIdentityComesFirstAndCannotBeShadowed) {
  EXPECT_EQ(Names(dev_->attributes().Children(DeviceAttributes::kRoot)).front(), "driver");
  EXPECT_EQ(*ReadDeviceAttribute(*dev_.get(), IdOf("driver")), "testdrv\n");
  EXPECT_EQ(Add("driver", ACCEL_ATTR_RO, false), -EEXIST);
  EXPECT_EQ(Add("vendor", ACCEL_ATTR_RO, false), -EEXIST);
}

TEST_F(DeviceAttributeOpTest, ShowAndStoreRunWithRootWritesOnly) {
  ASSERT_EQ(Add("state", ACCEL_ATTR_RW, true), 0);
  ASSERT_EQ(Add("info", ACCEL_ATTR_RO, false), 0);
  EXPECT_EQ(Add("bad", ACCEL_ATTR_RW, false), -EINVAL);
  EXPECT_EQ(Add("bad", ACCEL_ATTR_RO, true), -EINVAL);
  EXPECT_EQ(Add("dir/sub", 0, false, ACCEL_ATTR_DIR), 0);
  EXPECT_EQ(Add("x", ACCEL_ATTR_RO, false, 0x80), -EINVAL);
  Device& d = *dev_.get();
  EXPECT_EQ(*ReadDeviceAttribute(d, IdOf("state")), "idle\n");
  EXPECT_EQ(WriteDeviceAttribute(d, IdOf("state"), user_, "busy\n").error(), -EPERM);
  EXPECT_EQ(WriteDeviceAttribute(d, IdOf("info"), root_, "busy\n").error(), -EACCES);
  EXPECT_EQ(WriteDeviceAttribute(d, IdOf("dir"), root_, "x").error(), -EISDIR);
  EXPECT_EQ(WriteDeviceAttribute(d, IdOf("state"), root_, "").error(), -EINVAL);  // the store's
  ASSERT_TRUE(WriteDeviceAttribute(d, IdOf("state"), root_, "busy\n"));
  EXPECT_EQ(fake_.stores, 1);
  EXPECT_EQ(*ReadDeviceAttribute(d, IdOf("info")), "busy\n");
  fake_.show_rc = -EIO;
  EXPECT_EQ(ReadDeviceAttribute(d, IdOf("info")).error(), -EIO);  // the show's errno
}

TEST_F(DeviceAttributeOpTest, AfterUnplugNoCallbackRunsAndNothingIsAdded) {
  ASSERT_EQ(Add("state", ACCEL_ATTR_RW, true), 0);
  const uint32_t id = IdOf("state");
  dev_->Unplug();
  EXPECT_EQ(ReadDeviceAttribute(*dev_.get(), id).error(), -ENODEV);
  EXPECT_EQ(WriteDeviceAttribute(*dev_.get(), id, root_, "x").error(), -ENODEV);
  EXPECT_EQ(fake_.stores, 0);
  EXPECT_EQ(Add("late", ACCEL_ATTR_RO, false), -ENODEV);
}

// ---- copy_from_user --------------------------------------------------------------------------

// A transport that cannot fetch the caller's bytes (FUSE staging, the socket): the default.
class NoCopyInMemory final : public UserMemory {
 public:
  int CopyOut(uint64_t, const void*, uint32_t) override { return 0; }
};

TEST_F(DeviceAttributeOpTest, CopyFromUserReadsReachableMemoryOnly) {
  const char src[] = "payload";
  char dst[8] = {};
  InProcessMemory mine;
  accel_call call{};
  call.dev = dev_->handle();
  call.core = &mine;
  const uint64_t addr = reinterpret_cast<uintptr_t>(src);
  ASSERT_EQ(ops().copy_from_user(&call, dst, addr, sizeof(src)), 0);
  EXPECT_STREQ(dst, "payload");
  EXPECT_EQ(ops().copy_from_user(&call, dst, 0, 1), -EFAULT);
  EXPECT_EQ(ops().copy_from_user(&call, dst, UINT64_MAX - 2, 8), -EFAULT);  // wraps
  EXPECT_EQ(ops().copy_from_user(&call, dst, 0, 0), 0);
  NoCopyInMemory staged;
  call.core = &staged;
  EXPECT_EQ(ops().copy_from_user(&call, dst, addr, 1), -EOPNOTSUPP);
  call.core = nullptr;  // outside any ioctl
  EXPECT_EQ(ops().copy_from_user(&call, dst, addr, 1), -EOPNOTSUPP);
}

}  // namespace
}  // namespace accel::core
