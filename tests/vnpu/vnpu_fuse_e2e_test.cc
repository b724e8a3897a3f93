// vnpu_fuse_e2e_test.cc - vnpu through its FUSE node with plain syscalls, as a program that
// knows only the uAPI header would use it: ioctl(2) for commands, pwrite(2)/pread(2) at a BO's
// fake offset for its data, a WAIT that sleeps without holding the daemon, and DRM fdinfo
// usage in the sys tree.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <uapi/accel/vnpu.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"

namespace accel::testing {
namespace {

int Ioctl(int fd, unsigned long cmd, void* arg) {
  return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class VnpuFuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.Start({"--load", "vnpu engines=2 heartbeat_timeout_ms=20000"}))
        << daemon_.log();
    const std::string node = daemon_.runtime_dir() + "/dev/accel/accel0";
    for (int i = 0; i < 1000 && access(node.c_str(), F_OK) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    fd_ = open(node.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd_, 0) << strerror(errno);
    vnpu_cmdq_create q{};
    ASSERT_EQ(Ioctl(fd_, VNPU_IOCTL_CMDQ_CREATE, &q), 0);
    cmdq_ = q.cmdq_id;
  }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }
  vnpu_bo_info CreateBo(uint64_t size) {
    vnpu_bo_create c{};
    c.size = size;
    EXPECT_EQ(Ioctl(fd_, VNPU_IOCTL_BO_CREATE, &c), 0);
    vnpu_bo_info info{};
    info.handle = c.handle;
    EXPECT_EQ(Ioctl(fd_, VNPU_IOCTL_BO_INFO, &info), 0);
    return info;
  }
  uint32_t Run(vnpu_submit s) {
    s.cmdq_id = cmdq_;
    if (Ioctl(fd_, VNPU_IOCTL_SUBMIT, &s) != 0) return UINT32_MAX;
    vnpu_wait w{};
    w.fences[0] = s.fence;
    w.num_fences = 1;
    w.timeout_ns = 30'000'000'000ll;
    if (Ioctl(fd_, VNPU_IOCTL_WAIT, &w) != 0) return UINT32_MAX;
    return w.status[0];
  }

  AcceldProcess daemon_;
  int fd_ = -1;
  uint32_t cmdq_ = 0;
};

TEST_F(VnpuFuseTest, BufferDataMovesByPreadAndPwriteAtTheFakeOffset) {
  vnpu_bo_info src = CreateBo(1 << 20), dst = CreateBo(1 << 20);
  EXPECT_EQ(src.offset, uint64_t{src.handle} << 32);
  std::vector<uint8_t> data(1 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  // 1 MiB in one call: FUSE splits it into requests; all of it arrives.
  ASSERT_EQ(pwrite(fd_, data.data(), data.size(), static_cast<off_t>(src.offset)),
            static_cast<ssize_t>(data.size()));
  vnpu_submit copy{};
  copy.opcode = VNPU_OP_COPY;
  copy.num_bos = 2;
  copy.bo_handles[0] = src.handle;
  copy.bo_handles[1] = dst.handle;
  copy.params[2] = data.size();
  ASSERT_EQ(Run(copy), uint32_t{VNPU_JOB_SUCCESS});
  std::vector<uint8_t> back(data.size());
  ASSERT_EQ(pread(fd_, back.data(), back.size(), static_cast<off_t>(dst.offset)),
            static_cast<ssize_t>(back.size()));
  EXPECT_EQ(back, data);
  // Reading past the object's end returns what is left, then 0 (end of file).
  uint8_t tail[64];
  EXPECT_EQ(pread(fd_, tail, sizeof(tail), static_cast<off_t>(dst.offset + (1 << 20) - 16)), 16);
  EXPECT_EQ(pread(fd_, tail, sizeof(tail), static_cast<off_t>(dst.offset + (1 << 20))), 0);
  // An offset naming no BO of this file.
  errno = 0;
  EXPECT_EQ(pread(fd_, tail, sizeof(tail), static_cast<off_t>(uint64_t{999} << 32)), -1);
  EXPECT_EQ(errno, EINVAL);
  // The zero-copy paths need descriptor passing, which FUSE cannot do.
  vnpu_bo_export ex{};
  ex.handle = src.handle;
  EXPECT_EQ(Ioctl(fd_, VNPU_IOCTL_BO_EXPORT, &ex), -EOPNOTSUPP);
  vnpu_ring_create rc{};
  rc.entries = 8;
  rc.cmdq_id = cmdq_;
  EXPECT_EQ(Ioctl(fd_, VNPU_IOCTL_RING_CREATE, &rc), -EOPNOTSUPP);
}

TEST_F(VnpuFuseTest, PoisonedPagesReadAsEio) {
  vnpu_bo_info bo = CreateBo(8192);
  vnpu_inject_fault f{};
  f.type = VNPU_FAULT_ECC_UNCORRECTABLE;
  f.handle = bo.handle;
  f.address = 4096;
  ASSERT_EQ(Ioctl(fd_, VNPU_IOCTL_INJECT_FAULT, &f), 0);  // the tests run as root
  uint8_t buf[16];
  EXPECT_EQ(pread(fd_, buf, sizeof(buf), static_cast<off_t>(bo.offset)), 16);  // page 0 is fine
  errno = 0;
  EXPECT_EQ(pread(fd_, buf, sizeof(buf), static_cast<off_t>(bo.offset + 4096)), -1);
  EXPECT_EQ(errno, EIO);
}

TEST_F(VnpuFuseTest, WaitsSleepWhileOtherCallsGoOn) {
  vnpu_submit spin{};
  spin.opcode = VNPU_OP_SPIN;
  spin.params[0] = 400'000'000;  // 400 ms
  spin.cmdq_id = cmdq_;
  ASSERT_EQ(Ioctl(fd_, VNPU_IOCTL_SUBMIT, &spin), 0);
  // Eight waiters on the one file: none holds a FUSE worker while it sleeps, so a GET_PARAM
  // from yet another open still answers at once.
  std::vector<std::thread> waiters;
  std::vector<int> rcs(8, 1);
  for (int i = 0; i < 8; ++i) {
    waiters.emplace_back([&, i] {
      vnpu_wait w{};
      w.fences[0] = spin.fence;
      w.num_fences = 1;
      w.timeout_ns = 30'000'000'000ll;
      rcs[i] = Ioctl(fd_, VNPU_IOCTL_WAIT, &w);
      if (rcs[i] == 0 && w.status[0] != VNPU_JOB_SUCCESS) rcs[i] = -1000;
    });
  }
  int other = open((daemon_.runtime_dir() + "/dev/accel/accel0").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(other, 0);
  vnpu_get_param p{};
  p.param = VNPU_PARAM_NUM_ENGINES;
  EXPECT_EQ(Ioctl(other, VNPU_IOCTL_GET_PARAM, &p), 0);
  EXPECT_EQ(p.value, 2u);
  close(other);
  for (auto& t : waiters) t.join();
  for (int rc : rcs) EXPECT_EQ(rc, 0);
  // A short timeout is -ETIME with the status still pending.
  ASSERT_EQ(Ioctl(fd_, VNPU_IOCTL_SUBMIT, &spin), 0);
  vnpu_wait w{};
  w.fences[0] = spin.fence;
  w.num_fences = 1;
  w.timeout_ns = 10'000'000;
  EXPECT_EQ(Ioctl(fd_, VNPU_IOCTL_WAIT, &w), -ETIME);
  EXPECT_EQ(w.status[0], uint32_t{VNPU_JOB_PENDING});
}

TEST_F(VnpuFuseTest, DriverAttributesShowTheFirmwareAndResets) {
  const std::string dir = daemon_.runtime_dir() + "/sys/class/accel/accel0/device";
  const std::string fw = ReadFile(dir + "/firmware_state");
  EXPECT_EQ(fw.rfind("running ", 0), 0u) << fw;  // HELLO came before the node was published
  EXPECT_EQ(fw.back(), '\n');
  EXPECT_EQ(ReadFile(dir + "/resets"), "0\n");
  EXPECT_EQ(ReadFile(dir + "/driver"), "vnpu\n");  // the core's own, beside the driver's
}

TEST_F(VnpuFuseTest, UsageIsServedAsDrmFdinfoKeys) {
  vnpu_bo_info bo = CreateBo(1 << 20);
  vnpu_submit spin{};
  spin.opcode = VNPU_OP_SPIN;
  spin.params[0] = 50'000'000;  // 50 ms of engine time
  ASSERT_EQ(Run(spin), uint32_t{VNPU_JOB_SUCCESS});
  const std::string clients = ReadFile(daemon_.runtime_dir() + "/sys/class/accel/accel0/clients");
  EXPECT_NE(clients.find("drm-driver:\tvnpu"), std::string::npos) << clients;
  EXPECT_NE(clients.find("drm-client-id:\t"), std::string::npos) << clients;
  EXPECT_NE(clients.find("drm-engine-capacity-compute:\t2"), std::string::npos) << clients;
  EXPECT_NE(clients.find("drm-total-device:\t1024 KiB"), std::string::npos) << clients;
  const size_t pos = clients.find("drm-engine-compute:\t");
  ASSERT_NE(pos, std::string::npos) << clients;
  const uint64_t ns = std::stoull(clients.substr(pos + std::strlen("drm-engine-compute:\t")));
  EXPECT_GE(ns, 50'000'000u);
  (void)bo;
}

}  // namespace
}  // namespace accel::testing
