// reply_bounds_test.cc - issue 12 A1: a daemon's reply fills only the caller's own buffers.
//
// A fake daemon (a thread of this test, so SO_PEERCRED is our own uid and libaccel talks to
// it) answers HELLO and OPEN as acceld would and each IOCTL with the caller's struct plus the
// copy-out segments the test chose: into the caller's buffer, past its end, or at a variable
// of this process that no struct named. The old libaccel wrote every segment wherever the
// daemon said.
#include <accel/libaccel.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <uapi/accel/accel.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../lib/libaccel/reply_bounds.h"
#include "wire/runtime_dir.h"
#include "wire/wire.h"

namespace accel::client {
namespace {

char victim[16] = "untouched";  // memory of this process no struct names

struct Segment {
  uint64_t addr;
  std::string bytes;
};

class FakeDaemon {
 public:
  bool Start() {
    char tmpl[] = "/tmp/accel-fake-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return false;
    dir_ = tmpl;
    listen_fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const std::string path = wire::SocketPath(dir_);
    std::strncpy(a.sun_path, path.c_str(), sizeof(a.sun_path) - 1);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        listen(listen_fd_, 4) != 0)
      return false;
    setenv("ACCEL_RUNTIME_DIR", dir_.c_str(), 1);
    thread_ = std::thread([this] { Serve(); });
    return true;
  }
  ~FakeDaemon() {
    if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) close(listen_fd_);
    unsetenv("ACCEL_RUNTIME_DIR");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void ReplyWith(std::vector<Segment> segments) {
    std::lock_guard lock(mu_);
    segments_ = std::move(segments);
  }

 private:
  void Serve() {
    for (;;) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::vector<uint8_t> buf(wire::kMaxFrame);
      for (;;) {
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        Result<wire::FrameView> f = wire::ParseFrame(buf.data(), static_cast<size_t>(n), false);
        if (!f) break;
        std::vector<uint8_t> payload;
        switch (static_cast<wire::Op>(f->header.op)) {
          case wire::Op::kHello: {
            const wire::HelloReply r{wire::kVersion, 0, wire::kMaxFrame};
            payload.assign(reinterpret_cast<const uint8_t*>(&r),
                           reinterpret_cast<const uint8_t*>(&r) + sizeof(r));
            break;
          }
          case wire::Op::kOpen: {
            const wire::OpenReply r{0, 0, 1};
            payload.assign(reinterpret_cast<const uint8_t*>(&r),
                           reinterpret_cast<const uint8_t*>(&r) + sizeof(r));
            break;
          }
          case wire::Op::kIoctl: {
            // The struct back, changed (as a reply would change it), then the segments.
            payload.assign(f->payload.begin(), f->payload.end());
            for (uint8_t& b : payload) b ^= 0xff;
            std::lock_guard lock(mu_);
            for (const Segment& s : segments_)
              wire::AppendSegment(payload, s.addr, s.bytes.data(),
                                  static_cast<uint32_t>(s.bytes.size()));
            break;
          }
          default:
            break;
        }
        const std::vector<uint8_t> reply =
            wire::BuildFrame(static_cast<wire::Op>(f->header.op), f->header.seq, 0, f->header.arg,
                             payload, true, f->header.version);
        if (send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) < 0) break;
      }
      close(fd);
    }
  }

  std::string dir_;
  int listen_fd_ = -1;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Segment> segments_;
};

uint64_t Addr(const void* p) {
  return reinterpret_cast<uintptr_t>(p);
}

class ReplyBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::strcpy(victim, "untouched");
    ASSERT_TRUE(daemon_.Start());
    ASSERT_EQ(accel_open_transport("accel0", ACCEL_TRANSPORT_SOCKET, &h_), 0);
  }
  void TearDown() override {
    if (h_) accel_close(h_);
  }
  FakeDaemon daemon_;
  accel_handle* h_ = nullptr;
};

TEST_F(ReplyBoundsTest, ASegmentIntoTheCallersBufferIsWritten) {
  char buf[64] = {};
  daemon_.ReplyWith({{Addr(buf) + 8, "counters"}});
  accel_ras_query q{};
  q.ptr = Addr(buf);
  q.size = sizeof(buf);
  EXPECT_EQ(accel_ioctl(h_, ACCEL_IOCTL_RAS_QUERY, &q), 0);
  EXPECT_EQ(std::string(buf + 8, 8), "counters");
}

TEST_F(ReplyBoundsTest, ASegmentAtMemoryNoStructNamedIsRefusedAndNothingIsWritten) {
  char buf[64] = {};
  daemon_.ReplyWith({{Addr(buf), "fine"}, {Addr(victim), "PWNED"}});
  accel_ras_query q{};
  q.ptr = Addr(buf);
  q.size = sizeof(buf);
  const accel_ras_query before = q;
  EXPECT_EQ(accel_ioctl(h_, ACCEL_IOCTL_RAS_QUERY, &q), -EFAULT);
  EXPECT_STREQ(victim, "untouched");
  EXPECT_EQ(buf[0], 0) << "checked before any segment is written";
  EXPECT_EQ(std::memcmp(&q, &before, sizeof(q)), 0) << "not even the struct is touched";
}

TEST_F(ReplyBoundsTest, ASegmentRunningPastTheSizeTheCallerGaveIsRefused) {
  char buf[64] = {};
  char after[8] = {};
  (void)after;
  daemon_.ReplyWith({{Addr(buf) + 60, "12345678"}});  // 4 bytes in, 4 past
  accel_ras_query q{};
  q.ptr = Addr(buf);
  q.size = 62;
  EXPECT_EQ(accel_ioctl(h_, ACCEL_IOCTL_RAS_QUERY, &q), -EFAULT);
  EXPECT_EQ(buf[60], 0);
}

TEST_F(ReplyBoundsTest, DrmVersionStringsGoOnlyToTheirBuffers) {
  char name[8] = {}, desc[16] = {};
  accel_drm_version v{};
  v.name = Addr(name);
  v.name_len = sizeof(name);
  v.desc = Addr(desc);
  v.desc_len = sizeof(desc);
  daemon_.ReplyWith({{Addr(name), "dummy"}, {Addr(desc), "reference"}});
  EXPECT_EQ(accel_ioctl(h_, ACCEL_IOCTL_DRM_VERSION, &v), 0);
  EXPECT_STREQ(name, "dummy");
  EXPECT_STREQ(desc, "reference");
  daemon_.ReplyWith({{Addr(name), "a-longer-name"}});  // 13 bytes into 8
  v = accel_drm_version{};
  v.name = Addr(name);
  v.name_len = sizeof(name);
  EXPECT_EQ(accel_ioctl(h_, ACCEL_IOCTL_DRM_VERSION, &v), -EFAULT);
}

TEST_F(ReplyBoundsTest, ADriverCommandGetsCopyOutOnlyIntoBuffersItNames) {
  struct driver_arg {
    uint64_t out_ptr;
    uint64_t out_len;
  };
  constexpr unsigned long kCmd = _IOWR(ACCEL_IOCTL_BASE, 0x40, driver_arg);
  char out[32] = {};
  driver_arg a{Addr(out), sizeof(out)};
  daemon_.ReplyWith({{Addr(out), "result"}});
  // libaccel does not know this struct's layout: with no buffer named, nothing is written.
  EXPECT_EQ(accel_ioctl(h_, kCmd, &a), -EFAULT);
  EXPECT_EQ(out[0], 0);
  const accel_user_buffer b{Addr(out), sizeof(out)};
  a = driver_arg{Addr(out), sizeof(out)};
  EXPECT_EQ(accel_ioctl_buffers(h_, kCmd, &a, &b, 1), 0);
  EXPECT_STREQ(out, "result");
  // Still only there.
  daemon_.ReplyWith({{Addr(victim), "PWNED"}});
  a = driver_arg{Addr(out), sizeof(out)};
  EXPECT_EQ(accel_ioctl_buffers(h_, kCmd, &a, &b, 1), -EFAULT);
  EXPECT_STREQ(victim, "untouched");
  std::vector<accel_user_buffer> many(ACCEL_MAX_USER_BUFFERS + 1, b);
  EXPECT_EQ(accel_ioctl_buffers(h_, kCmd, &a, many.data(), many.size()), -EINVAL);
}

// ReplyBounds itself.
TEST(ReplyBounds, AllowsOnlyWhatLiesWhollyInsideOneBuffer) {
  ReplyBounds b;
  EXPECT_FALSE(b.Allows(0x1000, 1));
  ASSERT_EQ(b.Add(0x1000, 0x100), 0);
  ASSERT_EQ(b.Add(0x2000, 0x10), 0);
  EXPECT_TRUE(b.Allows(0x1000, 0x100));
  EXPECT_TRUE(b.Allows(0x10ff, 1));
  EXPECT_FALSE(b.Allows(0x10ff, 2));
  EXPECT_FALSE(b.Allows(0x0fff, 2));
  EXPECT_FALSE(b.Allows(0x10f0, 0x1000));     // spans the gap between the two
  EXPECT_FALSE(b.Allows(UINT64_MAX - 1, 4));  // wraps
  EXPECT_EQ(b.Add(UINT64_MAX - 1, 4), -EINVAL);
  EXPECT_EQ(b.Add(0x3000, 0), 0);  // empty: ignored
  EXPECT_EQ(b.size(), 2u);
}

TEST(ReplyBounds, GenericCommandsNameTheirBuffersAndOthersNone) {
  accel_ras_query q{};
  q.ptr = 0x5000;
  q.size = 64;
  ReplyBounds b = ReplyBounds::ForCommand(ACCEL_IOCTL_RAS_QUERY, &q, sizeof(q));
  EXPECT_TRUE(b.Allows(0x5000, 64));
  EXPECT_FALSE(b.Allows(0x5000, 65));
  // A shorter struct that does not reach `size` names nothing.
  EXPECT_EQ(ReplyBounds::ForCommand(ACCEL_IOCTL_RAS_QUERY, &q, 12).size(), 0u);
  accel_version v{};
  EXPECT_EQ(ReplyBounds::ForCommand(ACCEL_IOCTL_VERSION, &v, sizeof(v)).size(), 0u);
}

}  // namespace
}  // namespace accel::client
