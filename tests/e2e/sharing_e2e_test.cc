// sharing_e2e_test.cc - what a device shares with its clients, end to end through a real acceld
// and the dummy driver: descriptors passed over the socket (install_fd), buffer data at fake
// offsets of a FUSE node (file_rw), every client's usage (file_usage: the sys tree's `clients`,
// accel_clients(), `accelctl top`).
//
// Descriptor counts are compared before and after, in this process and in acceld's
// /proc/PID/fd, so that a leak on either side fails a test. Every test starts its own daemon;
// TearDown stops it and detaches whatever is still mounted below its temp root.
#include <accel/libaccel.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>
#include <accel/accel.hpp>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "fuse_helpers.h"
#include "wire/runtime_dir.h"
#include "wire/wire.h"

namespace accel::testing {
namespace {

constexpr uid_t kNobody = 65534;

int OwnFdCount() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

int Count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SharingE2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    daemon_.Stop();
    DetachMountsUnder(daemon_.root());
  }
  void StartWith(const std::vector<std::string>& args) {
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
  }
  // FUSE tests need root (allow_other) and /dev/fuse.
  bool CanMount() const { return geteuid() == 0 && access("/dev/fuse", R_OK | W_OK) == 0; }
  std::string node(int n = 0) const {
    return daemon_.runtime_dir() + "/dev/accel/accel" + std::to_string(n);
  }
  std::string sys(int n = 0) const {
    return daemon_.runtime_dir() + "/sys/class/accel/accel" + std::to_string(n);
  }
  // The daemon's descriptors once it has settled (a reply's are closed just after it is sent).
  bool DaemonFdsBackTo(int n) {
    return Eventually([&] { return daemon_.OpenFdCount() == n; }, std::chrono::seconds(5));
  }

  AcceldProcess daemon_;
};

// ---- install_fd over the socket --------------------------------------------------------------

TEST_F(SharingE2eTest, ExportedMemfdsArriveAsDescriptorsOfTheSameFiles) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev) << dev.error();
  ASSERT_EQ(accel_transport(dev->handle()), ACCEL_TRANSPORT_SOCKET);
  const int mine = OwnFdCount(), daemons = daemon_.OpenFdCount();

  accel_dummy_export ex{};
  ex.count = 3;
  ex.size = 8192;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), 0);
  EXPECT_EQ(OwnFdCount(), mine + 3);
  std::set<int> distinct;
  for (uint32_t k = 0; k < ACCEL_DUMMY_EXPORT_MAX; ++k) {
    if (k >= ex.count) {
      EXPECT_EQ(ex.fds[k], -1) << k;
      continue;
    }
    const int fd = ex.fds[k];
    ASSERT_GE(fd, 0) << k;
    distinct.insert(fd);
    struct stat st {};
    ASSERT_EQ(fstat(fd, &st), 0) << std::strerror(errno);
    EXPECT_EQ(st.st_ino, ex.inos[k]) << "not the driver's memfd";
    EXPECT_EQ(st.st_size, 8192);
    EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    const int seals = fcntl(fd, F_GET_SEALS);
    EXPECT_EQ(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    EXPECT_NE(ftruncate(fd, 4096), 0);  // sealed: the client cannot pull pages from under it
    void* map = mmap(nullptr, 8192, PROT_READ, MAP_SHARED, fd, 0);
    ASSERT_NE(map, MAP_FAILED);
    const auto* bytes = static_cast<const uint8_t*>(map);
    for (uint32_t i = 0; i < 8192; i += 511) ASSERT_EQ(bytes[i], static_cast<uint8_t>(i + k)) << i;
    munmap(map, 8192);
  }
  EXPECT_EQ(distinct.size(), 3u);
  for (int fd : distinct) close(fd);
  EXPECT_EQ(OwnFdCount(), mine);
  EXPECT_TRUE(DaemonFdsBackTo(daemons)) << daemon_.OpenFdCount() << " vs " << daemons;
}

// Issue 12 A6: memfds a user was sent count against its budget for as long as the kernel
// keeps them, whatever became of the driver's object; closing them gives the budget back.
// Before, a user could export 8 MiB per call for ever and keep it all in acceld's name.
TEST_F(SharingE2eTest, KeptMemfdsCountAgainstTheUsersBudgetUntilClosed) {
  ASSERT_NO_FATAL_FAILURE(StartWith(
      {"--load", "dummy", "--no-fuse", "--node-mode", "0666", "--fd-memory-per-user", "4M"}));
  const Identity nobody{kNobody, kNobody, {}};
  EXPECT_EQ(RunBounded(
                [] {
                  Result<Device> dev = Device::Open("accel0");
                  if (!dev) return 10;
                  accel_dummy_export ex{};
                  ex.count = 4;
                  ex.size = 1u << 20;
                  if (dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex) != 0) return 11;  // 4 MiB: all of it
                  accel_dummy_export more{};
                  more.count = 1;
                  more.size = 4096;
                  if (dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, more) != -EDQUOT) return 12;
                  for (uint32_t k = 0; k < ex.count; ++k) close(ex.fds[k]);
                  // The budget comes back once the kernel has freed them (inotify, async).
                  for (int i = 0; i < 500; ++i) {
                    more = accel_dummy_export{};
                    more.count = 1;
                    more.size = 4096;
                    if (dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, more) == 0) {
                      close(more.fds[0]);
                      return 0;
                    }
                    usleep(10000);
                  }
                  return 13;
                },
                std::chrono::seconds(20), &nobody),
            0)
      << daemon_.log();
  // Root is not charged: a bigger export than the budget goes through.
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev) << dev.error();
  accel_dummy_export ex{};
  ex.count = 8;
  ex.size = 1u << 20;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), 0);
  for (uint32_t k = 0; k < ex.count; ++k) close(ex.fds[k]);
}

TEST_F(SharingE2eTest, EightDescriptorsFitOneReplyAndNothingLeaksOverManyCalls) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev);
  const int mine = OwnFdCount(), daemons = daemon_.OpenFdCount();
  for (int round = 0; round < 50; ++round) {
    accel_dummy_export ex{};
    ex.count = ACCEL_DUMMY_EXPORT_MAX;
    ex.size = 64;
    ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), 0) << round;
    for (int fd : ex.fds) {
      ASSERT_GE(fd, 0);
      close(fd);
    }
  }
  ASSERT_EQ(OwnFdCount(), mine);
  EXPECT_TRUE(DaemonFdsBackTo(daemons)) << daemon_.OpenFdCount() << " vs " << daemons;
}

TEST_F(SharingE2eTest, AFailedCommandHandsOverNoDescriptor) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev);
  const int mine = OwnFdCount(), daemons = daemon_.OpenFdCount();
  accel_dummy_export ex{};
  ex.count = 4;
  ex.size = 64;
  ex.flags = ACCEL_DUMMY_EXPORT_FAIL;  // installs four, then fails
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), -EIO);
  for (int fd : ex.fds) EXPECT_EQ(fd, -1);
  EXPECT_EQ(OwnFdCount(), mine);
  EXPECT_TRUE(DaemonFdsBackTo(daemons)) << daemon_.OpenFdCount() << " vs " << daemons;
  ex = accel_dummy_export{};
  ex.count = ACCEL_DUMMY_EXPORT_MAX + 1;
  ex.size = 64;
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), -EINVAL);
}

// A client that speaks protocol version 1 was never told about descriptors or CLIENTS.
class Version1Client {
 public:
  explicit Version1Client(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    Result<sockaddr_un> addr = wire::UnixSocketAddress(path);
    ok_ = fd_ >= 0 && addr &&
          connect(fd_, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) == 0;
  }
  ~Version1Client() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return ok_; }
  // One round trip; the reply's status, and whether descriptors came with it.
  int Call(wire::Op op, uint32_t arg, std::span<const uint8_t> payload, bool* got_fds = nullptr) {
    std::vector<uint8_t> f = wire::BuildFrame(op, ++seq_, 0, arg, payload, false, 1);
    if (send(fd_, f.data(), f.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(f.size())) return -EIO;
    std::vector<uint8_t> buf(wire::kMaxFrame);
    alignas(cmsghdr) char control[256];
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    const ssize_t n = recvmsg(fd_, &msg, MSG_CMSG_CLOEXEC);
    if (n < static_cast<ssize_t>(sizeof(wire::Header))) return -EPROTO;
    if (got_fds) *got_fds = CMSG_FIRSTHDR(&msg) != nullptr;
    wire::Header h;
    std::memcpy(&h, buf.data(), sizeof(h));
    EXPECT_EQ(h.version, 1u);  // replies speak the client's version
    return h.status;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  uint32_t seq_ = 0;
};

template <typename T>
std::span<const uint8_t> Bytes(const T& v) {
  return std::span(reinterpret_cast<const uint8_t*>(&v), sizeof(v));
}

TEST_F(SharingE2eTest, AVersionOneClientGetsNoDescriptorsAndNoClients) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Version1Client c(daemon_.socket_path());
  ASSERT_TRUE(c.ok());
  wire::HelloRequest hello{1, 1};
  ASSERT_EQ(c.Call(wire::Op::kHello, 0, Bytes(hello)), 0);
  EXPECT_EQ(c.Call(wire::Op::kClients, 0, {}), -EOPNOTSUPP);
  const std::string name = "accel0";
  ASSERT_EQ(c.Call(wire::Op::kOpen, 0,
                   std::span(reinterpret_cast<const uint8_t*>(name.data()), name.size())),
            0);
  accel_dummy_export ex{};
  ex.count = 1;
  ex.size = 64;
  bool got_fds = true;
  EXPECT_EQ(c.Call(wire::Op::kIoctl, ACCEL_IOCTL_DUMMY_EXPORT, Bytes(ex), &got_fds), -EOPNOTSUPP);
  EXPECT_FALSE(got_fds);
}

TEST_F(SharingE2eTest, AFuseNodeCannotPassDescriptors) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  const int fd = open(node().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  accel_dummy_export ex{};
  ex.count = 1;
  ex.size = 64;
  EXPECT_EQ(ioctl(fd, ACCEL_IOCTL_DUMMY_EXPORT, &ex), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  close(fd);
  // libaccel on the node says the same, and the socket beside it works.
  setenv("ACCEL_TRANSPORT", "node", 1);
  Result<Device> via_node = Device::Open("accel0");
  unsetenv("ACCEL_TRANSPORT");
  ASSERT_TRUE(via_node) << via_node.error();
  ASSERT_EQ(accel_transport(via_node->handle()), ACCEL_TRANSPORT_NODE);
  EXPECT_EQ(via_node->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), -EOPNOTSUPP);
  setenv("ACCEL_TRANSPORT", "socket", 1);
  Result<Device> via_socket = Device::Open("accel0");
  unsetenv("ACCEL_TRANSPORT");
  ASSERT_TRUE(via_socket);
  ASSERT_EQ(via_socket->Ioctl(ACCEL_IOCTL_DUMMY_EXPORT, ex), 0);
  EXPECT_GE(ex.fds[0], 0);
  close(ex.fds[0]);
}

// ---- file_rw through a FUSE node -------------------------------------------------------------

TEST_F(SharingE2eTest, PreadAndPwriteAtTheFakeOffsetReachTheDriver) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  const int fd = open(node().c_str(), O_RDWR | O_CLOEXEC);
  const int other = open(node().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_GE(other, 0);
  const off_t base = static_cast<off_t>(ACCEL_DUMMY_BUFFER_OFFSET);
  EXPECT_EQ(pwrite(fd, "hello", 5, base + 100), 5) << std::strerror(errno);
  char buf[16] = {};
  EXPECT_EQ(pread(fd, buf, 5, base + 100), 5);
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(pread(other, buf, 5, base + 100), 5);  // each open file has its own buffer
  EXPECT_EQ(std::string(buf, 5), std::string(5, '\0'));

  // A whole buffer's worth, more than one FUSE request carries at a time.
  std::vector<uint8_t> pattern(ACCEL_DUMMY_BUFFER_SIZE);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(pwrite(fd, pattern.data(), pattern.size(), base), static_cast<ssize_t>(pattern.size()));
  std::vector<uint8_t> back(pattern.size() + 4096);
  ASSERT_EQ(pread(fd, back.data(), back.size(), base), static_cast<ssize_t>(pattern.size()));
  back.resize(pattern.size());
  EXPECT_EQ(back, pattern);
  EXPECT_EQ(pread(fd, buf, 1, base + ACCEL_DUMMY_BUFFER_SIZE), 0);       // the end of the object
  EXPECT_EQ(pread(fd, buf, 1, base + ACCEL_DUMMY_BUFFER_SIZE + 1), -1);  // no object there
  EXPECT_EQ(errno, EINVAL);
  // Below 2^32 nothing changed: writes mean nothing, reads return the staged payload (none).
  EXPECT_EQ(pwrite(fd, "x", 1, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(pread(fd, buf, 1, 0), 0);
  // What the driver keeps is what its usage says.
  EXPECT_TRUE(Contains(ReadText(sys() + "/clients"), "drm-total-system:\t64 KiB\n"))
      << ReadText(sys() + "/clients");
  close(fd);
  close(other);
}

// ---- file_usage: the clients' fdinfo ---------------------------------------------------------

TEST_F(SharingE2eTest, ClientsAreListedInTheSysTreeAndOverTheSocket) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy count=2"}));
  EXPECT_EQ(ReadText(sys() + "/clients"), "");  // nobody has it open yet
  const int fd = open(node().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  setenv("ACCEL_TRANSPORT", "socket", 1);
  Result<Device> dev = Device::Open("accel0");
  unsetenv("ACCEL_TRANSPORT");
  ASSERT_TRUE(dev);
  accel_dummy_submit job{123456789};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_SUBMIT, job), 0);

  const std::string sys_text = ReadText(sys() + "/clients");
  EXPECT_EQ(Count(sys_text, "drm-driver:\tdummy\n"), 2) << sys_text;
  EXPECT_EQ(Count(sys_text, "drm-pdev:\tplatform:dummy.0\n"), 2);
  EXPECT_EQ(Count(sys_text, "accel-pid:\t" + std::to_string(getpid()) + "\n"), 2);
  EXPECT_EQ(Count(sys_text, "accel-uid:\t0\n"), 2);
  EXPECT_EQ(Count(sys_text, "\n\n"), 2);  // each block ends with an empty line
  const std::string mine =
      "drm-client-id:\t" + std::to_string(accel_client_id(dev->handle())) + "\n";
  EXPECT_TRUE(Contains(sys_text, mine)) << sys_text;
  EXPECT_TRUE(Contains(sys_text, "drm-engine-compute:\t123456789 ns\n")) << sys_text;

  Result<std::string> all = Clients();
  ASSERT_TRUE(all) << all.error();
  EXPECT_EQ(Count(*all, "accel-device:\taccel0\n"), 2) << *all;
  EXPECT_TRUE(Contains(*all, mine));
  Result<std::string> one = Clients("accel1");
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, "");
  EXPECT_EQ(Clients("accel7").error(), -ENODEV);
  EXPECT_EQ(Clients("gpu0").error(), -EINVAL);

  // Another user sees only its own files, in both places.
  const Identity nobody{kNobody, kNobody, {}};
  EXPECT_EQ(RunBounded(
                [&] {
                  const int f = open((sys() + "/clients").c_str(), O_RDONLY);
                  if (f < 0) return -errno;
                  char b[64];
                  const ssize_t n = read(f, b, sizeof(b));
                  close(f);
                  return n < 0 ? -errno : static_cast<int>(n);
                },
                std::chrono::seconds(10), &nobody),
            0);
  EXPECT_EQ(RunBounded(
                [] {
                  char* text = nullptr;
                  const int n = accel_clients(nullptr, &text);
                  accel_free(text);
                  return n;
                },
                std::chrono::seconds(10), &nobody),
            0);
  close(fd);
}

TEST_F(SharingE2eTest, ManyClientsArriveInSeveralFrames) {
  if (!CanMount()) GTEST_SKIP() << "needs root and /dev/fuse";
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy"}));
  // ~200 bytes a block: 600 of them need more than one 64 KiB frame.
  std::vector<int> fds;
  for (int i = 0; i < 600; ++i) {
    const int fd = open(node().c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0) << i << ": " << std::strerror(errno);
    fds.push_back(fd);
  }
  Result<std::string> all = Clients();
  ASSERT_TRUE(all) << all.error();
  EXPECT_GT(all->size(), 65536u);
  EXPECT_EQ(Count(*all, "accel-device:\taccel0\n"), 600);
  std::set<std::string> ids;
  std::istringstream in(*all);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("drm-client-id:", 0) == 0) ids.insert(line);
  EXPECT_EQ(ids.size(), 600u);
  for (int fd : fds) close(fd);
}

// ---- accelctl top ---------------------------------------------------------------------------

class TopTest : public SharingE2eTest {
 protected:
  std::string RunTop(const std::vector<std::string>& args, int* status) {
    const std::string log = daemon_.root() + "/top.log";
    std::vector<std::string> argv = {ACCEL_BIN_DIR "/accelctl", "top"};
    argv.insert(argv.end(), args.begin(), args.end());
    *status = RunProgram(argv, log);
    return ReadText(log);
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The row of `client_id` in the last frame, split into words.
std::vector<std::string> LastClientRow(const std::string& out, uint64_t client_id) {
  std::vector<std::string> row;
  for (const std::string& line : Lines(out)) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    if (words.size() > 4 && words[3] == std::to_string(client_id)) row = words;
  }
  return row;
}

TEST_F(TopTest, ShowsDevicesAndBusyClientsFrameAfterFrame) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy count=2", "--no-fuse"}));
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev);
  const uint64_t id = accel_client_id(dev->handle());
  // Half of every 10 ms on the engine while top watches.
  std::atomic<bool> stop{false};
  std::thread busy([&] {
    while (!stop) {
      accel_dummy_submit job{5000000};
      (void)dev->Ioctl(ACCEL_IOCTL_DUMMY_SUBMIT, job);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  int status = -1;
  const std::string out = RunTop({"-n", "2", "-d", "0.2"}, &status);
  stop = true;
  busy.join();
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(Count(out, "DEVICE  DRIVER  CLIENTS  BUSY"), 2) << out;  // two frames
  EXPECT_EQ(out.find("\033["), std::string::npos);  // not a terminal: no screen control
  EXPECT_TRUE(Contains(out, "accel1  dummy   0        0.0%")) << out;
  const std::vector<std::string> row = LastClientRow(out, id);
  ASSERT_FALSE(row.empty()) << out;
  EXPECT_EQ(row[0], std::to_string(getpid()));
  EXPECT_EQ(row[1], "root");
  EXPECT_EQ(row[4], "accel0");
  EXPECT_NE(row[5], "0.0%") << out;  // busy while top watched
  EXPECT_EQ(row[6], "compute");
}

TEST_F(TopTest, OnceIsOneSampleWithoutBusyFigures) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev);
  int status = -1;
  const std::string out = RunTop({"--once"}, &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(Count(out, "DEVICE  DRIVER  CLIENTS  BUSY"), 1) << out;
  const std::vector<std::string> row = LastClientRow(out, accel_client_id(dev->handle()));
  ASSERT_FALSE(row.empty()) << out;
  EXPECT_EQ(row[5], "-");
}

TEST_F(TopTest, FailuresAreOneLine) {
  ASSERT_NO_FATAL_FAILURE(StartWith({"--load", "dummy", "--no-fuse"}));
  int status = -1;
  std::string out = RunTop({"--once", "accel9"}, &status);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(Lines(out).size(), 1u) << out;
  EXPECT_TRUE(Contains(out, "accelctl: no device accel9")) << out;
  out = RunTop({"-d", "0"}, &status);
  EXPECT_EQ(status, 2) << out;
  daemon_.Stop();
  out = RunTop({"--once"}, &status);
  EXPECT_EQ(status, 1);
  EXPECT_TRUE(Contains(out, "cannot reach acceld")) << out;
}

}  // namespace
}  // namespace accel::testing
