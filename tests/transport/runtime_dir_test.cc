// runtime_dir_test.cc - the /tmp fallback runtime directory is used only when it is private
// (issue 12 A1): not a symlink, a directory of this euid, mode 0700.
//
// The fallback is /tmp/accel-EUID; as root in CI that is /tmp/accel-0, which nothing else
// uses (root's default is /run/accel). The test starts from no such directory and removes
// what it made.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "wire/runtime_dir.h"

namespace accel::wire {
namespace {

namespace fs = std::filesystem;

// One test, run in order: the cases share the one fallback path, and ctest runs separate
// tests of a binary in parallel.
TEST(RuntimeDirTest, TheFallbackIsUsedOnlyWhenPrivate) {
  const std::string dir = FallbackRuntimeDir();
  const std::string target = dir + ".target";
  const auto reset = [&] {
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::remove_all(target, ec);
  };
  reset();
  // Directories other than the fallback are not judged.
  EXPECT_EQ(CheckRuntimeDir("/run/accel-nonexistent-for-test"), 0);

  // Missing: a client finds no daemon there; acceld creates it private.
  EXPECT_EQ(CheckRuntimeDir(dir), 0);
  ASSERT_EQ(PrepareRuntimeDir(dir), 0);
  struct stat st;
  ASSERT_EQ(lstat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(st.st_uid, geteuid());
  EXPECT_EQ(PrepareRuntimeDir(dir), 0);

  // Open to others.
  ASSERT_EQ(chmod(dir.c_str(), 0755), 0);
  EXPECT_EQ(CheckRuntimeDir(dir), -EACCES);
  EXPECT_EQ(PrepareRuntimeDir(dir), -EACCES);
  reset();

  // A symlink, even to a private directory of ours.
  ASSERT_EQ(mkdir(target.c_str(), 0700), 0);
  ASSERT_EQ(symlink(target.c_str(), dir.c_str()), 0);
  EXPECT_EQ(CheckRuntimeDir(dir), -EACCES);
  EXPECT_EQ(PrepareRuntimeDir(dir), -EACCES);
  reset();

  // A file in its place.
  FILE* f = fopen(dir.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  ASSERT_EQ(chmod(dir.c_str(), 0700), 0);
  EXPECT_EQ(CheckRuntimeDir(dir), -EACCES);
  reset();

  // Another user's directory (needs root to make one).
  if (geteuid() == 0) {
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
    EXPECT_EQ(CheckRuntimeDir(dir), -EACCES);
    EXPECT_EQ(PrepareRuntimeDir(dir), -EACCES);
  }
  reset();
}

}  // namespace
}  // namespace accel::wire
