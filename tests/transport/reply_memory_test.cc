// Tests of ReplyMemory: copy-out segments within the frame, descriptors duplicated for the
// reply, at most 8, sent only with a successful reply, and never leaked by the daemon.
#include "transport/socket/reply_memory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "transport/fuse/staging_memory.h"

namespace accel::transport {
namespace {

bool IsOpen(int fd) {
  return fcntl(fd, F_GETFD) >= 0;
}

struct Segment {
  uint64_t addr;
  std::vector<uint8_t> bytes;
};

std::vector<Segment> Segments(const std::vector<uint8_t>& out) {
  std::vector<Segment> v;
  Result<void> rc = wire::ForEachSegment(out, [&](uint64_t addr, const uint8_t* d, uint32_t len) {
    v.push_back({addr, std::vector<uint8_t>(d, d + len)});
  });
  EXPECT_TRUE(rc);
  return v;
}

class ReplyMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = eventfd(0, EFD_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { close(fd_); }
  int fd_ = -1;
  std::vector<uint8_t> out_;
};

TEST_F(ReplyMemoryTest, CopyOutStaysWithinTheBudget) {
  ReplyMemory mem(out_, 80, true);
  const char data[] = "0123456789";
  EXPECT_EQ(mem.CopyOut(0x1000, data, 10), 0);  // 16 + 16 bytes
  EXPECT_EQ(mem.CopyOut(0, data, 1), -EFAULT);
  EXPECT_EQ(mem.CopyOut(wire::kFdSegmentAddr, data, 1), -EFAULT);  // reserved for descriptors
  EXPECT_EQ(mem.CopyOut(0x2000, data, 10), 0);
  EXPECT_EQ(mem.CopyOut(0x3000, data, 1), -E2BIG);
  std::vector<Segment> s = Segments(out_);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].addr, 0x2000u);
}

TEST_F(ReplyMemoryTest, DescriptorsAreDuplicatesSentWithTheirOffsets) {
  std::vector<int> dups;
  {
    ReplyMemory mem(out_, 4096, true);
    ASSERT_EQ(mem.InstallFd(fd_, 8), 0);
    ASSERT_EQ(mem.InstallFd(fd_, 4), 0);
    std::span<const int> fds = mem.Finish(0);
    ASSERT_EQ(fds.size(), 2u);
    for (int fd : fds) {
      EXPECT_NE(fd, fd_);
      EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
      dups.push_back(fd);
    }
    std::vector<Segment> s = Segments(out_);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].addr, wire::kFdSegmentAddr);
    ASSERT_EQ(s[0].bytes.size(), 8u);
    uint32_t offsets[2];
    std::memcpy(offsets, s[0].bytes.data(), 8);
    EXPECT_EQ(offsets[0], 8u);  // in the order the descriptors were installed
    EXPECT_EQ(offsets[1], 4u);
    EXPECT_TRUE(IsOpen(dups[0]));  // still open while the reply is being sent
  }
  // Sent (or not): the daemon's duplicates are gone, the driver's own descriptor is not.
  for (int fd : dups) EXPECT_FALSE(IsOpen(fd));
  EXPECT_TRUE(IsOpen(fd_));
}

TEST_F(ReplyMemoryTest, AtMostEightPerReply) {
  ReplyMemory mem(out_, 4096, true);
  for (uint32_t i = 0; i < wire::kMaxReplyFds; ++i) ASSERT_EQ(mem.InstallFd(fd_, 4 * i), 0) << i;
  EXPECT_EQ(mem.InstallFd(fd_, 0), -EMFILE);
  EXPECT_EQ(mem.fd_count(), wire::kMaxReplyFds);
  EXPECT_EQ(mem.Finish(0).size(), wire::kMaxReplyFds);
}

TEST_F(ReplyMemoryTest, AFailedCallHandsOverNothing) {
  ReplyMemory mem(out_, 4096, true);
  ASSERT_EQ(mem.InstallFd(fd_, 0), 0);
  EXPECT_TRUE(mem.Finish(-EIO).empty());
  EXPECT_EQ(mem.fd_count(), 0u);  // closed at once
  EXPECT_TRUE(out_.empty());      // and no fd segment
}

TEST_F(ReplyMemoryTest, AVersionOneClientGetsNoDescriptors) {
  ReplyMemory mem(out_, 4096, false);
  EXPECT_EQ(mem.InstallFd(fd_, 0), -EOPNOTSUPP);
  EXPECT_TRUE(mem.Finish(0).empty());
}

TEST_F(ReplyMemoryTest, TheFdSegmentIsReservedFromTheBudget) {
  {
    ReplyMemory mem(out_, 40, true);  // less than the fd segment at its largest
    EXPECT_EQ(mem.InstallFd(fd_, 0), -E2BIG);
  }
  out_.clear();
  ReplyMemory mem(out_, 64, true);
  ASSERT_EQ(mem.InstallFd(fd_, 0), 0);
  const char byte = 'x';
  EXPECT_EQ(mem.CopyOut(0x1000, &byte, 1), -E2BIG);  // the rest would crowd the fds out
  EXPECT_EQ(mem.InstallFd(-1, 0), -EBADF);
  EXPECT_EQ(mem.Finish(0).size(), 1u);
}

// The socket's copy-outs land in the caller's memory (libaccel writes them before the call
// returns); a FUSE node's are only staged, which commands that libdrm reaches must know.
TEST_F(ReplyMemoryTest, ReachesCallerMemoryUnlikeFuseStaging) {
  ReplyMemory reply(out_, 1024, true);
  EXPECT_TRUE(reply.reaches_caller_memory());
  StagedPayload staged;
  StagingMemory staging(staged);
  EXPECT_FALSE(staging.reaches_caller_memory());
  core::InProcessMemory in_process;
  EXPECT_TRUE(in_process.reaches_caller_memory());
}

}  // namespace
}  // namespace accel::transport
