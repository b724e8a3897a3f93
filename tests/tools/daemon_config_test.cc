// Tests of acceld's config parsing.
#include "daemon_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

namespace accel::acceld {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/acceld-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(DaemonConfigTest, ParsesEverySetting) {
  std::string p = WriteTemp(
      "# comment\nload dummy count=2\nload dummy2\nnode-mode 0640\nnode-group 4242\n"
      "driver-path /opt/x  # trailing comment\n");
  DaemonConfig cfg;
  std::string why;
  ASSERT_TRUE(ReadConfigFile(p, cfg, &why).ok()) << why;
  ASSERT_EQ(cfg.loads.size(), 2u);
  EXPECT_EQ(cfg.loads[0].name, "dummy");
  EXPECT_EQ(cfg.loads[0].args, "count=2");
  EXPECT_EQ(cfg.loads[1].args, "");
  EXPECT_EQ(cfg.node_mode, 0640u);
  EXPECT_EQ(cfg.node_group, "4242");
  ASSERT_EQ(cfg.driver_path.size(), 1u);
  EXPECT_EQ(cfg.driver_path[0], "/opt/x");
  unlink(p.c_str());
}

TEST(DaemonConfigTest, StoreDurabilityAndTriggerTimeout) {
  DaemonConfig defaults;
  EXPECT_EQ(defaults.store_durability, ras::Durability::kAuto);
  EXPECT_EQ(defaults.ras_trigger_timeout_s, 30u);
  std::string p = WriteTemp("store-durability full\nras-trigger-timeout 5\n");
  DaemonConfig cfg;
  std::string why;
  ASSERT_TRUE(ReadConfigFile(p, cfg, &why).ok()) << why;
  EXPECT_EQ(cfg.store_durability, ras::Durability::kFull);
  EXPECT_EQ(cfg.ras_trigger_timeout_s, 5u);
  unlink(p.c_str());
  for (const char* bad :
       {"store-durability sometimes\n", "ras-trigger-timeout 0\n", "ras-trigger-timeout -3\n"}) {
    p = WriteTemp(bad);
    EXPECT_EQ(ReadConfigFile(p, cfg, &why).error(), -EINVAL) << bad;
    unlink(p.c_str());
  }
}

TEST(DaemonConfigTest, UnknownSettingNamesTheLine) {
  std::string p = WriteTemp("load dummy\nfrobnicate yes\n");
  DaemonConfig cfg;
  std::string why;
  EXPECT_EQ(ReadConfigFile(p, cfg, &why).error(), -EINVAL);
  EXPECT_NE(why.find(":2:"), std::string::npos);
  unlink(p.c_str());
}

TEST(DaemonConfigTest, BadModeIsRefused) {
  std::string p = WriteTemp("node-mode 999\n");
  DaemonConfig cfg;
  std::string why;
  EXPECT_EQ(ReadConfigFile(p, cfg, &why).error(), -EINVAL);
  unlink(p.c_str());
}

TEST(DaemonConfigTest, MissingFileIsEnoent) {
  DaemonConfig cfg;
  std::string why;
  EXPECT_EQ(ReadConfigFile("/nonexistent/acceld.conf", cfg, &why).error(), -ENOENT);
}

TEST(DaemonConfigTest, GroupsResolveByNumberAndName) {
  EXPECT_EQ(*ResolveGroup("4242"), 4242u);
  EXPECT_EQ(*ResolveGroup("root"), 0u);
  EXPECT_EQ(ResolveGroup("no-such-group-here").error(), -ENOENT);
}

}  // namespace
}  // namespace accel::acceld
