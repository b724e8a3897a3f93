// End-to-end: a real acceld process, driven through libaccel (and raw frames where a broken
// client is the point), as a user program would.
#include <accel/libaccel.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>
#include <accel/accel.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "wire/wire.h"

namespace accel::testing {
namespace {

bool Eventually(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// These tests are about the socket transport: libaccel must not take the FUSE node.
class AcceldE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { setenv("ACCEL_TRANSPORT", "socket", 1); }
  void StartWith(const std::vector<std::string>& args) {
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
  }
  AcceldProcess daemon_;
};

TEST_F(AcceldE2eTest, ListShowsTheDummyDevices) {
  StartWith({"--load", "dummy count=2"});
  Result<std::vector<accel_device_entry>> devs = ListDevices();
  ASSERT_TRUE(devs.ok()) << accel_strerror(devs.error());
  ASSERT_EQ(devs->size(), 2u);
  EXPECT_STREQ((*devs)[0].name, "accel0");
  EXPECT_STREQ((*devs)[1].name, "accel1");
  EXPECT_STREQ((*devs)[0].driver, "dummy");
  EXPECT_STREQ((*devs)[1].serial, "DUMMY-0001");
  EXPECT_EQ((*devs)[0].mode, 0660u);
  EXPECT_EQ((*devs)[0].ras_formats & ACCEL_CAP_RAS_KEY_VAL_32, ACCEL_CAP_RAS_KEY_VAL_32);
}

TEST_F(AcceldE2eTest, GenericIoctlsThroughLibaccel) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok()) << accel_strerror(dev.error());
  accel_version v{};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_VERSION, v), 0);
  EXPECT_STREQ(v.name, "dummy");
  EXPECT_STREQ(v.date, "20221106");
  accel_get_cap cap{ACCEL_CAP_RAS_FORMATS, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap), 0);
  EXPECT_EQ(cap.value & ACCEL_CAP_RAS_JSON, ACCEL_CAP_RAS_JSON);
  cap = {ACCEL_CAP_UAPI_VERSION, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap), 0);
  EXPECT_EQ(cap.value, (ACCEL_UAPI_VERSION_MAJOR << 16) | ACCEL_UAPI_VERSION_MINOR);
  cap = {ACCEL_DRM_CAP_PRIME, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap), 0);
  EXPECT_EQ(cap.value, uint64_t{ACCEL_DRM_PRIME_CAP_IMPORT | ACCEL_DRM_PRIME_CAP_EXPORT});
  cap = {0xdead, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap), -EOPNOTSUPP);  // as a kernel non-KMS node
}

TEST_F(AcceldE2eTest, RasQueryTooSmallThenInjectedCounterArrives) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED, 5, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_RAS_INJECT, inj), 0);

  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_KEY_VAL_32;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), -ENOSPC);
  ASSERT_GT(q.len, 0u);
  std::vector<accel_ras_kv32> kv(q.len / sizeof(accel_ras_kv32));
  q.ptr = reinterpret_cast<uintptr_t>(kv.data());
  q.size = q.len;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), 0);
  const uint32_t key = ACCEL_RAS_KV32_KEY(ACCEL_DUMMY_COMPONENT_HBM0, ACCEL_RAS_SEV_CORRECTED,
                                          ACCEL_RAS_CTR_VOLATILE);
  uint32_t value = 0;
  for (const auto& p : kv)
    if (p.key == key) value = p.value;
  EXPECT_EQ(value, 5u);

  q.format = 17;  // a format bit the device does not offer
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), -EOPNOTSUPP);
}

TEST_F(AcceldE2eTest, BadCommandsGetKernelErrors) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  uint64_t arg = 0;
  EXPECT_EQ(dev->IoctlRaw(_IOC(_IOC_READ, 'd', 0x77, 8), &arg), -ENOTTY);
  EXPECT_EQ(dev->IoctlRaw(_IOC(_IOC_READ, 'd', 0xe0, 8), &arg), -EINVAL);  // smaller than v1
  struct {
    accel_get_cap cap;
    uint64_t extra;
  } big{{ACCEL_CAP_MINOR, 0}, 1};
  EXPECT_EQ(dev->IoctlRaw(_IOC(_IOC_READ | _IOC_WRITE, 'd', 0x0c, sizeof(big)), &big), -E2BIG);
  big.extra = 0;
  EXPECT_EQ(dev->IoctlRaw(_IOC(_IOC_READ | _IOC_WRITE, 'd', 0x0c, sizeof(big)), &big), 0);
  EXPECT_EQ(Device::Open("accel9").error(), -ENODEV);
  EXPECT_EQ(Device::Open("gpu0").error(), -EINVAL);
}

TEST_F(AcceldE2eTest, TypedIoctlWithAStructOfTheWrongSizeIsEinvalFromTheDispatcher) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  ASSERT_EQ(accel_transport(dev->handle()), ACCEL_TRANSPORT_SOCKET);
  uint64_t small = 0x1234;  // GET_CAP's struct is 16 bytes
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, small), -EINVAL);
  EXPECT_EQ(small, 0x1234u);  // nothing ran
  struct {
    accel_get_cap cap;
    uint64_t extra;
  } big{{ACCEL_CAP_MINOR, 0}, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, big), -EINVAL);
  EXPECT_EQ(big.cap.value, 0u);
  accel_get_cap cap{ACCEL_CAP_MINOR, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_GET_CAP, cap), 0);  // the connection lives on
}

TEST_F(AcceldE2eTest, LoadAndUnloadAtRunTimeUnmapsThePlugin) {
  StartWith({});
  EXPECT_TRUE(ListDevices()->empty());
  EXPECT_FALSE(daemon_.Maps("/dummy.so"));
  char why[256] = {};
  ASSERT_EQ(accel_driver_load("dummy", "count=3", why, sizeof(why)), 0) << why;
  EXPECT_EQ(ListDevices()->size(), 3u);
  EXPECT_TRUE(daemon_.Maps("/dummy.so"));
  EXPECT_EQ(accel_driver_load("dummy", "", why, sizeof(why)), -EEXIST);
  ASSERT_EQ(accel_driver_unload("dummy", 0), 0);
  EXPECT_TRUE(ListDevices()->empty());
  EXPECT_FALSE(daemon_.Maps("/dummy.so"));
  EXPECT_EQ(accel_driver_unload("dummy", 0), -ENOENT);
}

TEST_F(AcceldE2eTest, UnknownDriverIsEnoentWithAReason) {
  StartWith({});
  char why[512] = {};
  EXPECT_EQ(accel_driver_load("nosuch", "", why, sizeof(why)), -ENOENT);
  EXPECT_NE(std::string(why).find("nosuch.so"), std::string::npos) << why;
  EXPECT_EQ(accel_driver_load("dummy", "count=999", why, sizeof(why)), -EINVAL);
}

TEST_F(AcceldE2eTest, UnloadWithOpenDeviceIsEbusyUnlessForced) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(accel_driver_unload("dummy", 0), -EBUSY);
  ASSERT_EQ(accel_driver_unload("dummy", ACCEL_UNLOAD_FORCE), 0);
  EXPECT_FALSE(daemon_.Maps("/dummy.so"));
  accel_version v{};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_VERSION, v), -ENODEV);
  EXPECT_TRUE(ListDevices()->empty());
  // Closing (the Device destructor) works; the daemon lives on.
}

TEST_F(AcceldE2eTest, ForcedUnloadWakesASleepingCallWithEnodev) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  std::atomic<int> rc{1};
  std::thread sleeper([&] {
    accel_dummy_wait_event w{0, 60000, 0};
    rc = dev->Ioctl(ACCEL_IOCTL_DUMMY_WAIT_EVENT, w);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let it go to sleep
  ASSERT_EQ(accel_driver_unload("dummy", ACCEL_UNLOAD_FORCE), 0);
  sleeper.join();
  EXPECT_EQ(rc.load(), -ENODEV);
}

TEST_F(AcceldE2eTest, WaitEventWakesOnInjectionFromAnotherFile) {
  StartWith({"--load", "dummy"});
  Result<Device> a = Device::Open("accel0");
  Result<Device> b = Device::Open("accel0");
  ASSERT_TRUE(a.ok() && b.ok());
  accel_dummy_wait_event w{0, 0, 0};
  EXPECT_EQ(a->Ioctl(ACCEL_IOCTL_DUMMY_WAIT_EVENT, w), -ETIME);  // timeout 0 polls
  std::atomic<int> rc{1};
  std::thread waiter([&] {
    accel_dummy_wait_event ww{w.seqno, 10000, 0};
    rc = a->Ioctl(ACCEL_IOCTL_DUMMY_WAIT_EVENT, ww);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  accel_dummy_ras_inject inj{ACCEL_DUMMY_COMPONENT_PCIE, ACCEL_RAS_SEV_FATAL, 1, 0};
  ASSERT_EQ(b->Ioctl(ACCEL_IOCTL_DUMMY_RAS_INJECT, inj), 0);
  waiter.join();
  EXPECT_EQ(rc.load(), 0);
}

TEST_F(AcceldE2eTest, SecondDaemonOnTheSameRuntimeDirIsRefused) {
  StartWith({"--load", "dummy"});
  std::string out;
  EXPECT_EQ(daemon_.RunOther({}, &out), 1);
  EXPECT_NE(out.find("another acceld (pid " + std::to_string(daemon_.pid()) + ")"),
            std::string::npos)
      << out;
  EXPECT_EQ(ListDevices()->size(), 1u);  // the first one is untouched
}

// Issue 12 A7: plain TCP on a network address is refused with what to do, unless asked for.
TEST_F(AcceldE2eTest, PlainGrpcTcpOnANetworkAddressIsRefusedWithWhatToDo) {
  std::string out;  // no daemon on the runtime dir: this one gets as far as the listener
  EXPECT_EQ(
      daemon_.RunOther(
          {"--load", "dummy", "--no-fuse", "--ras-db", "none", "--grpc-tcp", "0.0.0.0:0"}, &out),
      1);
  EXPECT_NE(out.find("is not a loopback address"), std::string::npos) << out;
  EXPECT_NE(out.find("--grpc-tcp-insecure"), std::string::npos) << out;
}

// Issue 12 A1: acceld.lock is opened with O_NOFOLLOW and must be a lock file of acceld's own,
// so a root acceld never truncates a file planted there (a symlink or a hard link).
TEST_F(AcceldE2eTest, ALockFileThatIsALinkElsewhereIsRefusedAndLeftAlone) {
  const std::string dir = daemon_.runtime_dir();
  ASSERT_EQ(system(("mkdir -p " + dir).c_str()), 0);
  const std::string victim = daemon_.root() + "/victim";
  FILE* f = fopen(victim.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("precious\n", f);
  fclose(f);
  const std::string lock = dir + "/acceld.lock";
  for (const bool hard : {false, true}) {
    unlink(lock.c_str());
    ASSERT_EQ(hard ? link(victim.c_str(), lock.c_str()) : symlink(victim.c_str(), lock.c_str()), 0);
    std::string out;
    EXPECT_EQ(daemon_.RunOther({"--no-fuse"}, &out), 1) << out;
    EXPECT_NE(out.find("is not a lock file"), std::string::npos) << out;
    char buf[32] = {};
    FILE* r = fopen(victim.c_str(), "r");
    ASSERT_NE(r, nullptr);
    ASSERT_NE(fgets(buf, sizeof(buf), r), nullptr);
    fclose(r);
    EXPECT_STREQ(buf, "precious\n") << (hard ? "hard link" : "symlink");
  }
  unlink(lock.c_str());
  StartWith({"--load", "dummy"});  // with the planted file gone, acceld starts
  EXPECT_EQ(ListDevices()->size(), 1u);
}

// Issue 12 A1: libaccel talks only to a daemon of root or of its own user. A socket served by
// another user (here nobody, in a directory the test points ACCEL_RUNTIME_DIR at) answers
// HELLO as acceld would, and is still refused with -EACCES.
TEST_F(AcceldE2eTest, ADaemonOfAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run a daemon as another user";
  const std::string dir = daemon_.root() + "/fake";
  ASSERT_EQ(mkdir(dir.c_str(), 0777), 0);
  ASSERT_EQ(chmod(dir.c_str(), 0777), 0);
  const std::string path = dir + "/acceld.sock";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(ready[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(fd, 4) != 0)
      _exit(3);
    (void)!write(ready[1], "x", 1);
    for (;;) {  // answer every HELLO with version kVersion, as a real acceld would
      int c = accept(fd, nullptr, nullptr);
      if (c < 0) _exit(4);
      std::vector<uint8_t> buf(wire::kMaxFrame);
      if (recv(c, buf.data(), buf.size(), 0) > 0) {
        wire::HelloReply hr{wire::kVersion, 0, static_cast<uint32_t>(wire::kMaxFrame)};
        const std::vector<uint8_t> reply =
            wire::BuildFrame(wire::Op::kHello, wire::SeqOf(buf.data(), buf.size()), 0, 0,
                             std::span(reinterpret_cast<const uint8_t*>(&hr), sizeof(hr)), true);
        (void)!send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      close(c);
    }
  }
  close(ready[1]);
  char x;
  ASSERT_EQ(read(ready[0], &x, 1), 1);
  close(ready[0]);
  setenv("ACCEL_RUNTIME_DIR", dir.c_str(), 1);
  Result<std::vector<accel_device_entry>> devices = ListDevices();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_FALSE(devices.ok());
  EXPECT_EQ(devices.error(), -EACCES);
}

// Issue 12 A10: an ordinary user without ACCEL_RUNTIME_DIR finds the system (root) acceld
// before looking in its own runtime directory. The system directory is the test daemon's here
// (ACCEL_SYSTEM_RUNTIME_DIR stands in for /run/accel).
TEST_F(AcceldE2eTest, AnOrdinaryUserFindsTheSystemDaemonFirst) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to run the client as another user";
  StartWith({"--load", "dummy count=2"});
  const std::string own = daemon_.root() + "/nobody-runtime";
  ASSERT_EQ(mkdir(own.c_str(), 0700), 0);
  ASSERT_EQ(chown(own.c_str(), 65534, 65534), 0);
  const pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    unsetenv("ACCEL_RUNTIME_DIR");
    setenv("XDG_RUNTIME_DIR", own.c_str(), 1);  // where it would look on its own
    setenv("ACCEL_SYSTEM_RUNTIME_DIR", daemon_.runtime_dir().c_str(), 1);
    Result<std::vector<accel_device_entry>> devices = ListDevices();
    _exit(devices.ok() && devices->size() == 2 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the client as nobody did not reach the system daemon";
}

TEST_F(AcceldE2eTest, SigtermExitsZeroAndRemovesTheSocket) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");  // an open file does not block shutdown
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(daemon_.Stop(), 0);
  EXPECT_NE(access(daemon_.socket_path().c_str(), F_OK), 0);
  accel_version v{};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_VERSION, v), -ECONNRESET);
}

// ---- malformed frames from a raw client -----------------------------------------------------

class RawClient {
 public:
  explicit RawClient(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ok_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { close(fd_); }
  bool ok() const { return ok_; }
  int fd() const { return fd_; }
  void Send(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // The status of the next reply, or 1 when the daemon closed the connection.
  int ReplyStatus() {
    std::vector<uint8_t> buf(wire::kMaxFrame);
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) return 1;
    wire::Header h;
    std::memcpy(&h, buf.data(), sizeof(h));
    return h.status;
  }
  bool ClosedByPeer() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }
  void Hello() {
    wire::HelloRequest req{wire::kMinVersion, wire::kVersion};  // frames below carry kVersion
    Send(wire::BuildFrame(wire::Op::kHello, 1, 0, 0,
                          std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req))));
    ASSERT_EQ(ReplyStatus(), 0);
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

TEST_F(AcceldE2eTest, MalformedFramesGetAnErrorAndTheConnectionIsClosed) {
  StartWith({"--load", "dummy"});
  const int baseline_fds = daemon_.OpenFdCount();
  {
    RawClient c(daemon_.socket_path());
    ASSERT_TRUE(c.ok());
    c.Send({1, 2, 3});  // short
    EXPECT_EQ(c.ReplyStatus(), -EBADMSG);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    c.Send(std::vector<uint8_t>(wire::kMaxFrame + 100, 0xab));  // oversize
    EXPECT_EQ(c.ReplyStatus(), -EMSGSIZE);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    std::vector<uint8_t> garbage(64);
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 37 + 11);
    c.Send(garbage);
    EXPECT_EQ(c.ReplyStatus(), -EBADMSG);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    wire::HelloRequest req{wire::kVersion + 1, wire::kVersion + 4};  // versions we do not speak
    c.Send(wire::BuildFrame(wire::Op::kHello, 1, 0, 0,
                            std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req))));
    EXPECT_EQ(c.ReplyStatus(), -EPROTONOSUPPORT);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    c.Send(wire::BuildFrame(wire::Op::kList, 1, 0, 0, std::string_view()));  // no HELLO
    EXPECT_EQ(c.ReplyStatus(), -EPROTO);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    c.Hello();
    accel_version v{};
    c.Send(wire::BuildFrame(wire::Op::kIoctl, 2, 0, ACCEL_IOCTL_VERSION,
                            std::span(reinterpret_cast<const uint8_t*>(&v), sizeof(v))));
    EXPECT_EQ(c.ReplyStatus(), -EBADF);  // not opened: a control connection
    c.Send(wire::BuildFrame(static_cast<wire::Op>(99), 3, 0, 0, std::string_view()));
    EXPECT_EQ(c.ReplyStatus(), -EOPNOTSUPP);
    c.Send(wire::BuildFrame(wire::Op::kOpen, 4, 0, 0, std::string_view("accel0")));
    EXPECT_EQ(c.ReplyStatus(), 0);
    c.Send(wire::BuildFrame(wire::Op::kIoctl, 5, 0, ACCEL_IOCTL_VERSION, std::string_view("x")));
    EXPECT_EQ(c.ReplyStatus(), -EINVAL);  // payload is not _IOC_SIZE(cmd)
    c.Send(wire::BuildFrame(wire::Op::kOpen, 6, 0, 0, std::string_view("accel0")));
    EXPECT_EQ(c.ReplyStatus(), -EISCONN);
  }
  // The daemon survived all of it and holds no connection of them.
  EXPECT_TRUE(Eventually([&] { return daemon_.OpenFdCount() == baseline_fds; }))
      << daemon_.OpenFdCount() << " fds, baseline " << baseline_fds;
  EXPECT_EQ(ListDevices()->size(), 1u);
}

// ---- copy_from_user over the socket (wire COPY_IN) -------------------------------------------

uint64_t Fnv1a64(const uint8_t* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

TEST_F(AcceldE2eTest, CopyFromUserReadsTheCallersBufferOverTheSocket) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  ASSERT_EQ(accel_transport(dev->handle()), ACCEL_TRANSPORT_SOCKET);
  // Several COPY_IN round trips: the driver reads 4 KiB at a time.
  std::vector<uint8_t> data(100000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + 7);
  accel_dummy_digest d{reinterpret_cast<uintptr_t>(data.data()), static_cast<uint32_t>(data.size()),
                       0, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, d), 0);
  EXPECT_EQ(d.digest, Fnv1a64(data.data(), data.size()));
  accel_dummy_digest empty{0, 0, 0, 0};
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, empty), 0);
  EXPECT_EQ(empty.digest, 0xcbf29ce484222325ULL);
  // Memory the caller cannot read is -EFAULT, as copy_from_user says, and nothing breaks.
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);
  ASSERT_EQ(munmap(page, 4096), 0);
  accel_dummy_digest bad{reinterpret_cast<uintptr_t>(page), 64, 0, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, bad), -EFAULT);
  accel_dummy_digest null_ptr{0, 8, 0, 0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, null_ptr), -EFAULT);
  accel_dummy_digest huge{reinterpret_cast<uintptr_t>(data.data()), ACCEL_DUMMY_DIGEST_MAX + 1, 0,
                          0};
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, huge), -EINVAL);
  d.digest = 0;
  ASSERT_EQ(dev->Ioctl(ACCEL_IOCTL_DUMMY_DIGEST, d), 0);  // the connection lives on
  EXPECT_EQ(d.digest, Fnv1a64(data.data(), data.size()));
}

// Issue 12 A1: a copy-out segment aimed at memory the caller cannot write is -EFAULT, as
// copy_to_user says, instead of a crash in the caller (libaccel writes with
// process_vm_writev, not through the pointer).
TEST_F(AcceldE2eTest, CopyOutToUnmappedMemoryIsEfaultNotACrash) {
  StartWith({"--load", "dummy"});
  Result<Device> dev = Device::Open("accel0");
  ASSERT_TRUE(dev.ok());
  void* page = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(page, MAP_FAILED);  // readable, not writable
  accel_ras_query q{};
  q.format = ACCEL_RAS_FMT_JSON;
  q.ptr = reinterpret_cast<uintptr_t>(page);
  q.size = 4096;
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), -EFAULT);
  munmap(page, 4096);
  std::vector<uint8_t> buf(1 << 16);
  q.ptr = reinterpret_cast<uintptr_t>(buf.data());
  q.size = static_cast<uint32_t>(buf.size());
  EXPECT_EQ(dev->Ioctl(ACCEL_IOCTL_RAS_QUERY, q), 0);  // and the connection lives on
}

// A caller that asked for a copy-in command but does not answer (or answers wrongly) cannot
// hold the daemon's thread or the device: -EFAULT after the deadline, and the connection,
// whose stream is out of step, is closed. A version-2 client is never asked: -EOPNOTSUPP.
TEST_F(AcceldE2eTest, CopyInThatIsNotAnsweredIsEfaultAndClosesTheConnection) {
  StartWith({"--load", "dummy"});
  const accel_dummy_digest d{0x10000, 16, 0, 0};
  const auto digest_frame = [&](uint32_t seq, uint16_t version) {
    return wire::BuildFrame(wire::Op::kIoctl, seq, 0, ACCEL_IOCTL_DUMMY_DIGEST,
                            std::span(reinterpret_cast<const uint8_t*>(&d), sizeof(d)), false,
                            version);
  };
  {
    RawClient c(daemon_.socket_path());
    c.Hello();
    c.Send(wire::BuildFrame(wire::Op::kOpen, 2, 0, 0, std::string_view("accel0")));
    ASSERT_EQ(c.ReplyStatus(), 0);
    c.Send(digest_frame(3, wire::kVersion));
    std::vector<uint8_t> buf(wire::kMaxFrame);
    ssize_t n = recv(c.fd(), buf.data(), buf.size(), 0);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof(wire::Header) + sizeof(wire::CopyInRequest)));
    wire::Header h;
    std::memcpy(&h, buf.data(), sizeof(h));
    EXPECT_EQ(h.op, static_cast<uint16_t>(wire::Op::kCopyIn));
    EXPECT_EQ(h.seq, 3u);
    wire::CopyInRequest req;
    std::memcpy(&req, buf.data() + sizeof(h), sizeof(req));
    EXPECT_EQ(req.addr, 0x10000u);
    EXPECT_EQ(req.len, 16u);
    // No answer: the reply comes after the deadline.
    EXPECT_EQ(c.ReplyStatus(), -EFAULT);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    c.Hello();
    c.Send(wire::BuildFrame(wire::Op::kOpen, 2, 0, 0, std::string_view("accel0")));
    ASSERT_EQ(c.ReplyStatus(), 0);
    c.Send(digest_frame(3, wire::kVersion));
    ASSERT_EQ(c.ReplyStatus(), 0);                     // the COPY_IN request's status field
    const std::vector<uint8_t> short_answer(5, 0xaa);  // 5 bytes where 16 were asked for
    c.Send(wire::BuildFrame(wire::Op::kCopyIn, 3, 0, 0, short_answer, true));
    EXPECT_EQ(c.ReplyStatus(), -EFAULT);
    EXPECT_TRUE(c.ClosedByPeer());
  }
  {
    RawClient c(daemon_.socket_path());
    wire::HelloRequest req{wire::kMinVersion, 2};
    c.Send(wire::BuildFrame(wire::Op::kHello, 1, 0, 0,
                            std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req)), false,
                            2));
    ASSERT_EQ(c.ReplyStatus(), 0);
    c.Send(wire::BuildFrame(wire::Op::kOpen, 2, 0, 0, std::string_view("accel0"), false, 2));
    ASSERT_EQ(c.ReplyStatus(), 0);
    c.Send(digest_frame(3, 2));
    EXPECT_EQ(c.ReplyStatus(), -EOPNOTSUPP);
  }
  EXPECT_EQ(ListDevices()->size(), 1u);
}

// Issue 12 A2: an ordinary user holding idle connections cannot lock root out. Past its own
// cap (64) a user's connection gets -EUSERS at once; root still connects; and a connection
// that never says HELLO is closed after the handshake deadline.
TEST_F(AcceldE2eTest, ConnectionsAreBoundedPerUserAndRootAlwaysGetsIn) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
  StartWith({"--load", "dummy"});
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  const pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
    std::vector<std::unique_ptr<RawClient>> held;
    int refused_with = 0;
    for (int i = 0; i < 80 && refused_with == 0; ++i) {
      auto c = std::make_unique<RawClient>(daemon_.socket_path());
      if (!c->ok()) _exit(3);
      wire::HelloRequest req{wire::kMinVersion, wire::kVersion};
      const std::vector<uint8_t> hello =
          wire::BuildFrame(wire::Op::kHello, 1, 0, 0,
                           std::span(reinterpret_cast<const uint8_t*>(&req), sizeof(req)));
      (void)send(c->fd(), hello.data(), hello.size(), MSG_NOSIGNAL);
      const int status = c->ReplyStatus();
      if (status < 0) refused_with = status;
      held.push_back(std::move(c));
    }
    const int32_t report[2] = {static_cast<int32_t>(held.size()), refused_with};
    (void)!write(from_child[1], report, sizeof(report));
    char wait_for_parent;
    (void)!read(to_child[0], &wait_for_parent, 1);  // hold them while root tries
    _exit(0);
  }
  int32_t report[2] = {0, 0};
  ASSERT_EQ(read(from_child[0], report, sizeof(report)), static_cast<ssize_t>(sizeof(report)));
  EXPECT_EQ(report[0], 65);  // 64 admitted, the 65th refused
  EXPECT_EQ(report[1], -EUSERS);
  // Root gets in while nobody holds its 64.
  Result<std::vector<accel_device_entry>> devices = ListDevices();
  EXPECT_TRUE(devices.ok()) << (devices.ok() ? 0 : devices.error());
  (void)!write(to_child[1], "x", 1);
  waitpid(child, nullptr, 0);

  // A connection that never speaks is closed by the daemon, not held forever.
  RawClient silent(daemon_.socket_path());
  ASSERT_TRUE(silent.ok());
  pollfd p{silent.fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1);
  EXPECT_TRUE(silent.ClosedByPeer());
}

TEST_F(AcceldE2eTest, ClientKilledWhileSleepingLeavesNothingBehind) {
  StartWith({"--load", "dummy"});
  const int baseline_fds = daemon_.OpenFdCount();
  pid_t child = fork();
  if (child == 0) {
    accel_handle* h = nullptr;
    if (accel_open("accel0", &h) != 0) _exit(2);
    accel_dummy_wait_event w{0, 0x7fffffff, 0};  // sleeps ~24 days
    accel_ioctl(h, ACCEL_IOCTL_DUMMY_WAIT_EVENT, &w);
    _exit(3);
  }
  ASSERT_TRUE(
      Eventually([&] { return ListDevices().ok() && (*ListDevices())[0].open_count == 1; }));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  // The daemon saw the hang-up, interrupted the sleeping call and closed the file.
  EXPECT_TRUE(Eventually([&] { return (*ListDevices())[0].open_count == 0; }));
  EXPECT_TRUE(Eventually([&] { return daemon_.OpenFdCount() == baseline_fds; }));
  EXPECT_EQ(accel_driver_unload("dummy", 0), 0);  // not busy any more
}

// ---- permissions, judged as an unprivileged user --------------------------------------------

// Runs fn in a child process with the given uid/gid/supplementary groups; returns its result
// (fn's return value, as an exit code offset by 128 so negative errnos survive).
int RunAs(uid_t uid, gid_t gid, std::vector<gid_t> groups, const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
      _exit(255);
    _exit(fn() + 128);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) - 128 : -999;
}

constexpr gid_t kTestGroup = 4242;  // the test's own group: a number no real group uses
constexpr uid_t kNobody = 65534;

TEST_F(AcceldE2eTest, UnprivilegedUserIsDeniedByModeAndAdmittedByGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  StartWith({"--load", "dummy", "--node-group", std::to_string(kTestGroup)});
  auto open_and_version = [] {
    accel_handle* h = nullptr;
    int rc = accel_open("accel0", &h);
    if (rc < 0) return rc;
    accel_version v{};
    rc = accel_ioctl(h, ACCEL_IOCTL_VERSION, &v);
    accel_close(h);
    return rc;
  };
  EXPECT_EQ(RunAs(kNobody, kNobody, {}, open_and_version), -EACCES);
  EXPECT_EQ(RunAs(kNobody, kNobody, {kTestGroup}, open_and_version), 0);
  EXPECT_EQ(RunAs(kNobody, kTestGroup, {}, open_and_version), 0);  // primary group
  // Admitted to the node, but a root-only command is still judged per call.
  EXPECT_EQ(RunAs(kNobody, kNobody, {kTestGroup},
                  [] {
                    accel_handle* h = nullptr;
                    if (int rc = accel_open("accel0", &h); rc < 0) return rc;
                    accel_dummy_ras_inject inj{0, 0, 1, 0};
                    int rc = accel_ioctl(h, ACCEL_IOCTL_DUMMY_RAS_INJECT, &inj);
                    accel_close(h);
                    return rc;
                  }),
            -EACCES);
  // Anyone may list; only root may load and unload.
  EXPECT_EQ(RunAs(kNobody, kNobody, {}, [] { return accel_list(nullptr, 0); }), 1);
  EXPECT_EQ(RunAs(kNobody, kNobody, {}, [] { return accel_driver_unload("dummy", 0); }), -EPERM);
  EXPECT_EQ(RunAs(kNobody, kNobody, {}, [] { return accel_driver_load("dummy", "", nullptr, 0); }),
            -EPERM);
}

TEST_F(AcceldE2eTest, NodeModeFromTheCommandLineApplies) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  StartWith({"--load", "dummy", "--node-mode", "0666"});
  EXPECT_EQ((*ListDevices())[0].mode, 0666u);
  EXPECT_EQ(RunAs(kNobody, kNobody, {},
                  [] {
                    accel_handle* h = nullptr;
                    int rc = accel_open("accel0", &h);
                    if (rc == 0) accel_close(h);
                    return rc;
                  }),
            0);
}

}  // namespace
}  // namespace accel::testing
