// End-to-end: Debian's libdrm against a real acceld, as a DRM tool would use an accel node.
//
// Over the FUSE nodes of both drivers (dummy, vnpu): drmGetVersion() gets the driver's version
// numbers and true string lengths with empty strings (the daemon cannot write behind a pointer
// on a FUSE node, and libdrm knows nothing of staging), drmGetCap() gets what a kernel node
// without KMS answers. Over the socket, libaccel carries DRM_IOCTL_VERSION's strings in full.
// The reference for each driver's identity is accel's own fixed-array VERSION.
#include <accel/libaccel.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <uapi/accel/accel.h>
#include <unistd.h>
#include <xf86drm.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

#include "acceld_process.h"
#include "fuse_helpers.h"

// struct accel_drm_version is libdrm's struct drm_version, field for field.
static_assert(sizeof(accel_drm_version) == sizeof(drm_version));
static_assert(ACCEL_IOCTL_DRM_VERSION == DRM_IOCTL_VERSION);
static_assert(ACCEL_IOCTL_GET_CAP == DRM_IOCTL_GET_CAP);
#define ACCEL_SAME_OFFSET(field) \
  static_assert(offsetof(accel_drm_version, field) == offsetof(drm_version, field), #field)
ACCEL_SAME_OFFSET(version_major);
ACCEL_SAME_OFFSET(version_minor);
ACCEL_SAME_OFFSET(version_patchlevel);
ACCEL_SAME_OFFSET(name_len);
ACCEL_SAME_OFFSET(name);
ACCEL_SAME_OFFSET(date_len);
ACCEL_SAME_OFFSET(date);
ACCEL_SAME_OFFSET(desc_len);
ACCEL_SAME_OFFSET(desc);
#undef ACCEL_SAME_OFFSET
static_assert(ACCEL_DRM_CAP_PRIME == DRM_CAP_PRIME);
static_assert(ACCEL_DRM_CAP_TIMESTAMP_MONOTONIC == DRM_CAP_TIMESTAMP_MONOTONIC);
static_assert(ACCEL_DRM_CAP_SYNCOBJ == DRM_CAP_SYNCOBJ);
static_assert(ACCEL_DRM_CAP_SYNCOBJ_TIMELINE == DRM_CAP_SYNCOBJ_TIMELINE);
static_assert(ACCEL_DRM_PRIME_CAP_IMPORT == DRM_PRIME_CAP_IMPORT);
static_assert(ACCEL_DRM_PRIME_CAP_EXPORT == DRM_PRIME_CAP_EXPORT);

namespace accel::testing {
namespace {

// dummy is loaded first (accel0), vnpu second (accel1).
const std::vector<std::string> kArgs = {"--load", "dummy", "--load", "vnpu firmware=none"};
const char* const kDrivers[] = {"dummy", "vnpu"};

// accel's own VERSION of accelN, over a FUSE node or the socket: the reference.
accel_version AccelVersion(int fd) {
  accel_version v{};
  EXPECT_EQ(ioctl(fd, ACCEL_IOCTL_VERSION, &v), 0) << std::strerror(errno);
  return v;
}

class LibdrmTest : public ::testing::Test {
 protected:
  void TearDown() override {
    daemon_.Stop();
    DetachMountsUnder(std::filesystem::path(daemon_.runtime_dir()).parent_path().string());
  }
  std::string node(int n) const {
    return daemon_.runtime_dir() + "/dev/accel/accel" + std::to_string(n);
  }
  std::string driver_of(int n) const {
    std::string text = ReadText(daemon_.runtime_dir() + "/sys/class/accel/accel" +
                                std::to_string(n) + "/device/driver");
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  AcceldProcess daemon_;
};

class LibdrmFuseTest : public LibdrmTest {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0)
      GTEST_SKIP() << "needs root and /dev/fuse";
    ASSERT_TRUE(daemon_.Start(kArgs)) << daemon_.log();
    for (int n : {0, 1})
      ASSERT_TRUE(Eventually([&] { return access(node(n).c_str(), F_OK) == 0; })) << node(n);
  }
};

TEST_F(LibdrmFuseTest, DrmGetVersionHasTheNumbersAndTrueLengthsWithEmptyStrings) {
  for (int n : {0, 1}) {
    SCOPED_TRACE(node(n));
    EXPECT_EQ(driver_of(n), kDrivers[n]);
    const int fd = open(node(n).c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const accel_version ref = AccelVersion(fd);
    EXPECT_STREQ(ref.name, kDrivers[n]);

    drmVersionPtr v = drmGetVersion(fd);
    ASSERT_NE(v, nullptr) << std::strerror(errno);
    EXPECT_EQ(v->version_major, static_cast<int>(ref.version_major));
    EXPECT_EQ(v->version_minor, static_cast<int>(ref.version_minor));
    EXPECT_EQ(v->version_patchlevel, static_cast<int>(ref.version_patchlevel));
    EXPECT_EQ(v->name_len, static_cast<int>(std::strlen(ref.name)));
    EXPECT_EQ(v->date_len, static_cast<int>(std::strlen(ref.date)));
    EXPECT_EQ(v->desc_len, static_cast<int>(std::strlen(ref.desc)));
    EXPECT_GT(v->name_len, 0);  // a 0 would leave libdrm strdup()ing NULL
    EXPECT_GT(v->date_len, 0);
    EXPECT_GT(v->desc_len, 0);
    ASSERT_NE(v->name, nullptr);
    ASSERT_NE(v->date, nullptr);
    ASSERT_NE(v->desc, nullptr);
    EXPECT_STREQ(v->name, "");  // a FUSE node cannot write behind the pointers
    EXPECT_STREQ(v->date, "");
    EXPECT_STREQ(v->desc, "");
    drmFreeVersion(v);
    EXPECT_EQ(close(fd), 0);
  }
}

TEST_F(LibdrmFuseTest, DrmGetCapAnswersAsAKernelNodeWithoutKms) {
  for (int n : {0, 1}) {
    SCOPED_TRACE(node(n));
    const int fd = open(node(n).c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    uint64_t value = 99;
    ASSERT_EQ(drmGetCap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &value), 0) << std::strerror(errno);
    EXPECT_EQ(value, 1u);
    value = 99;
    ASSERT_EQ(drmGetCap(fd, DRM_CAP_PRIME, &value), 0) << std::strerror(errno);
    EXPECT_EQ(value, uint64_t{DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT});
    value = 99;
    ASSERT_EQ(drmGetCap(fd, DRM_CAP_SYNCOBJ, &value), 0) << std::strerror(errno);
    EXPECT_EQ(value, 0u);
    value = 99;
    ASSERT_EQ(drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &value), 0) << std::strerror(errno);
    EXPECT_EQ(value, 0u);
    for (uint64_t cap :
         {uint64_t{DRM_CAP_DUMB_BUFFER}, uint64_t{DRM_CAP_CURSOR_WIDTH}, uint64_t{0x7777}}) {
      value = 99;
      errno = 0;
      EXPECT_NE(drmGetCap(fd, cap, &value), 0) << "capability " << cap;
      EXPECT_EQ(errno, EOPNOTSUPP) << "capability " << cap;
      EXPECT_EQ(value, 99u);  // libdrm leaves it alone on failure
    }
    value = 0;
    ASSERT_EQ(drmGetCap(fd, ACCEL_CAP_MINOR, &value), 0);  // accel's own still answer
    EXPECT_EQ(value, static_cast<uint64_t>(n));
    EXPECT_EQ(close(fd), 0);
  }
}

// libaccel over a node: the same as libdrm gets; the strings come with accel's own VERSION.
TEST_F(LibdrmFuseTest, LibaccelOverANodeGetsTheLengthsOnly) {
  accel_handle* h = nullptr;
  ASSERT_EQ(accel_open_transport("accel0", ACCEL_TRANSPORT_NODE, &h), 0);
  char name[16];
  std::memset(name, '#', sizeof(name));
  drm_version v{};
  v.name = name;
  v.name_len = sizeof(name);
  EXPECT_EQ(accel_ioctl(h, DRM_IOCTL_VERSION, &v), 0);
  EXPECT_EQ(v.name_len, std::strlen("dummy"));
  EXPECT_EQ(v.name, name);
  EXPECT_EQ(name[0], '#');  // nothing was written
  accel_close(h);
}

class LibdrmSocketTest : public LibdrmTest {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.Start(kArgs)) << daemon_.log(); }
  // libaccel's raw ioctl on accelN over the socket, with libdrm's own struct and number.
  int DrmVersion(int n, drm_version* v) {
    accel_handle* h = nullptr;
    const std::string name = "accel" + std::to_string(n);
    if (int rc = accel_open_transport(name.c_str(), ACCEL_TRANSPORT_SOCKET, &h); rc < 0) return rc;
    const int rc = accel_ioctl(h, DRM_IOCTL_VERSION, v);
    accel_close(h);
    return rc;
  }
  accel_version Reference(int n) {
    accel_handle* h = nullptr;
    const std::string name = "accel" + std::to_string(n);
    accel_version v{};
    EXPECT_EQ(accel_open_transport(name.c_str(), ACCEL_TRANSPORT_SOCKET, &h), 0);
    if (h != nullptr) {
      EXPECT_EQ(accel_ioctl(h, ACCEL_IOCTL_VERSION, &v), 0);
    }
    accel_close(h);
    return v;
  }
};

TEST_F(LibdrmSocketTest, DrmVersionCarriesTheStringsInFull) {
  for (int n : {0, 1}) {
    SCOPED_TRACE(kDrivers[n]);
    const accel_version ref = Reference(n);
    EXPECT_STREQ(ref.name, kDrivers[n]);
    drm_version v{};  // libdrm's first call: lengths only
    ASSERT_EQ(DrmVersion(n, &v), 0);
    EXPECT_EQ(v.version_major, static_cast<int>(ref.version_major));
    EXPECT_EQ(v.version_minor, static_cast<int>(ref.version_minor));
    EXPECT_EQ(v.version_patchlevel, static_cast<int>(ref.version_patchlevel));
    ASSERT_EQ(v.name_len, std::strlen(ref.name));
    ASSERT_EQ(v.date_len, std::strlen(ref.date));
    ASSERT_EQ(v.desc_len, std::strlen(ref.desc));

    std::string name(v.name_len, '#'), date(v.date_len, '#'), desc(v.desc_len, '#');
    v.name = name.data();
    v.date = date.data();
    v.desc = desc.data();
    ASSERT_EQ(DrmVersion(n, &v), 0);
    EXPECT_EQ(name, ref.name);
    EXPECT_EQ(date, ref.date);
    EXPECT_EQ(desc, ref.desc);
    EXPECT_EQ(v.name, name.data());  // the pointers come back as they went
    EXPECT_EQ(v.date, date.data());
    EXPECT_EQ(v.desc, desc.data());
  }
}

TEST_F(LibdrmSocketTest, ATooShortBufferGetsTruncatedBytesAndTheTrueLength) {
  char name[4] = {'#', '#', '#', '#'};
  char desc[8];
  std::memset(desc, '#', sizeof(desc));
  drm_version v{};
  v.name = name;
  v.name_len = 3;  // one byte less than the array: the fourth must stay '#'
  v.desc = desc;
  v.desc_len = sizeof(desc);
  ASSERT_EQ(DrmVersion(0, &v), 0);
  EXPECT_EQ(std::string(name, 4), "dum#");
  EXPECT_EQ(v.name_len, 5u);
  EXPECT_EQ(std::string(desc, 8), std::string(Reference(0).desc, 8));
  EXPECT_EQ(v.desc_len, std::strlen(Reference(0).desc));
  EXPECT_EQ(v.date_len, std::strlen(Reference(0).date));  // no buffer: the length alone
  EXPECT_EQ(v.date, nullptr);
}

}  // namespace
}  // namespace accel::testing
