// Tests of ControlOps, the socket's operations that name no file: what LIST, DRIVERS and
// CLIENTS report, that LOAD and UNLOAD are root-only per frame and pass the loader what the
// frame says, and that a failed operation replies with no payload (LOAD: only its reason).
#include "transport/socket/control_ops.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "../core/test_driver.h"
#include "core/file.h"

namespace accel::transport {
namespace {

// Records what the operations asked of the loader and answers as told.
class FakeLoader final : public core::DriverControl {
 public:
  Result<void> Load(const std::string& name, const std::string& args, std::string* why) override {
    loads.push_back(name + "|" + args);
    if (load_rc == 0) return {};
    *why = "no such driver";
    return Err(load_rc);
  }
  Result<void> Unload(const std::string& name, bool force) override {
    unloads.push_back(name + (force ? "|force" : ""));
    return {};
  }
  void UnloadAll() override {}

  int load_rc = 0;
  std::vector<std::string> loads, unloads;
};

wire::FrameView Frame(const std::string& payload, uint32_t arg = 0) {
  wire::FrameView f{};
  f.header.arg = arg;
  f.payload =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  return f;
}

template <typename T>
T At(const std::vector<uint8_t>& out, size_t offset) {
  T v;
  std::memcpy(&v, out.data() + offset, sizeof(v));
  return v;
}

class ControlOpsTest : public ::testing::Test {
 protected:
  core::Registry reg_;
  FakeLoader loader_;
  ControlOps ops_{reg_, loader_};
  std::vector<uint8_t> out_ = {0xff};  // stale bytes every operation must replace
  const core::Caller root_{0, 0, 1};
  const core::Caller user_{1000, 1000, 2};
};

TEST_F(ControlOpsTest, ListHasOneRecordPerDevice) {
  testing::LoadTestDriver(reg_, "count=2");
  EXPECT_EQ(ops_.List(out_), 0);
  ASSERT_EQ(out_.size(), sizeof(wire::ListHeader) + 2 * sizeof(wire::DeviceRecord));
  EXPECT_EQ(At<wire::ListHeader>(out_, 0).count, 2u);
  wire::DeviceRecord rec = At<wire::DeviceRecord>(out_, sizeof(wire::ListHeader));
  EXPECT_EQ(wire::FieldString(rec.name, sizeof(rec.name)), "accel0");
}

TEST_F(ControlOpsTest, DriversAreNulTerminatedNames) {
  EXPECT_EQ(ops_.Drivers(out_), 0);
  EXPECT_TRUE(out_.empty());
  testing::LoadTestDriver(reg_);
  EXPECT_EQ(ops_.Drivers(out_), 0);
  ASSERT_FALSE(out_.empty());
  EXPECT_EQ(out_.back(), 0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out_.data())), reg_.DriverNames().at(0));
}

TEST_F(ControlOpsTest, LoadIsRootOnlyAndSplitsNameFromArgs) {
  const std::string payload("dummy\0count=2\0", 14);
  EXPECT_EQ(ops_.Load(Frame(payload), user_, out_), -EPERM);
  EXPECT_TRUE(loader_.loads.empty());
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(ops_.Load(Frame(payload), root_, out_), 0);
  EXPECT_TRUE(out_.empty());
  ASSERT_EQ(loader_.loads.size(), 1u);
  EXPECT_EQ(loader_.loads[0], "dummy|count=2");
}

TEST_F(ControlOpsTest, FailedLoadRepliesWithTheReason) {
  loader_.load_rc = ENOENT;
  EXPECT_EQ(ops_.Load(Frame("nosuch"), root_, out_), -ENOENT);
  EXPECT_EQ(std::string(out_.begin(), out_.end()), "no such driver");
}

TEST_F(ControlOpsTest, UnloadIsRootOnlyAndTakesOnlyTheForceFlag) {
  EXPECT_EQ(ops_.Unload(Frame("dummy"), user_, out_), -EPERM);
  EXPECT_EQ(ops_.Unload(Frame("dummy", 2), root_, out_), -EINVAL);
  EXPECT_TRUE(loader_.unloads.empty());
  EXPECT_EQ(ops_.Unload(Frame("dummy", wire::kUnloadForce), root_, out_), 0);
  EXPECT_TRUE(out_.empty());
  ASSERT_EQ(loader_.unloads.size(), 1u);
  EXPECT_EQ(loader_.unloads[0], "dummy|force");
}

TEST_F(ControlOpsTest, ClientsJudgesTheNameAndCountsBlocks) {
  EXPECT_EQ(ops_.Clients(Frame(std::string(40, 'a')), root_, out_), -EINVAL);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(ops_.Clients(Frame("accel9"), root_, out_), -ENODEV);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(ops_.Clients(Frame(""), root_, out_), 0);
  ASSERT_EQ(out_.size(), sizeof(wire::ClientsReplyHeader));
  EXPECT_EQ(At<wire::ClientsReplyHeader>(out_, 0).total, 0u);
}

TEST_F(ControlOpsTest, ClientsShowsAnOpenFileLedByItsDevice) {
  testing::LoadTestDriver(reg_);
  core::DeviceRef dev = reg_.Lookup(0);
  ASSERT_TRUE(dev);
  Result<core::File*> file = dev->Open(root_);
  ASSERT_TRUE(file);
  EXPECT_EQ(ops_.Clients(Frame("accel0"), root_, out_), 0);
  wire::ClientsReplyHeader h = At<wire::ClientsReplyHeader>(out_, 0);
  EXPECT_EQ(h.count, 1u);
  EXPECT_EQ(h.total, 1u);
  const std::string text(out_.begin() + sizeof(h), out_.end());
  EXPECT_EQ(text.rfind("accel-device:\taccel0\n", 0), 0u) << text;
  // Asking from past the last block gets the total and no blocks.
  EXPECT_EQ(ops_.Clients(Frame("accel0", 1), root_, out_), 0);
  EXPECT_EQ(At<wire::ClientsReplyHeader>(out_, 0).count, 0u);
  (*file)->Close(root_);
}

}  // namespace
}  // namespace accel::transport
