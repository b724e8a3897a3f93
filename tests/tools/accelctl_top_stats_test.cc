// Tests of `accelctl top`'s arithmetic: fdinfo blocks parsed, busy figures from two samples.
#include "top_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace accelctl {
namespace {

const char kTwoClients[] =
    "accel-device:\taccel0\n"
    "drm-driver:\tdummy\n"
    "drm-client-id:\t7\n"
    "drm-pdev:\tplatform:dummy.0\n"
    "accel-pid:\t4242\n"
    "accel-uid:\t1000\n"
    "drm-engine-compute:\t1000000 ns\n"
    "drm-engine-copy:\t0 ns\n"
    "drm-engine-capacity-copy:\t2\n"
    "drm-total-system:\t64 KiB\n"
    "drm-resident-system:\t32 KiB\n"
    "drm-total-vram:\t1 MiB\n"
    "drm-cycles-compute:\t99\n"
    "\n"
    "accel-device:\taccel1\n"
    "drm-driver:\tdummy\n"
    "drm-client-id:\t8\n"
    "accel-pid:\t1\n"
    "accel-uid:\t0\n"
    "\n";

TEST(TopStatsTest, ParsesBlocksAndTheirKeys) {
  std::vector<ClientSample> c = ParseClients(kTwoClients);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].device, "accel0");
  EXPECT_EQ(c[0].driver, "dummy");
  EXPECT_EQ(c[0].pdev, "platform:dummy.0");  // a colon inside a value
  EXPECT_EQ(c[0].client_id, 7u);
  EXPECT_EQ(c[0].pid, 4242u);
  EXPECT_EQ(c[0].uid, 1000u);
  EXPECT_EQ(c[0].engine_ns.at("compute"), 1000000u);
  EXPECT_EQ(c[0].engine_ns.count("capacity-copy"), 0u);  // a capacity is no engine
  EXPECT_EQ(c[0].capacity.at("copy"), 2u);
  EXPECT_EQ(c[0].total.at("system"), 64u * 1024);
  EXPECT_EQ(c[0].total.at("vram"), 1u << 20);
  EXPECT_EQ(c[0].resident.at("system"), 32u * 1024);
  EXPECT_EQ(c[1].client_id, 8u);
  EXPECT_TRUE(c[1].engine_ns.empty());
}

TEST(TopStatsTest, SkipsWhatDoesNotParse) {
  std::vector<ClientSample> c = ParseClients(
      "drm-driver:\tx\n\n"  // no client id: cannot be matched across samples
      "drm-client-id:\t3\ngarbage line\ndrm-engine-a:\tlots ns\ndrm-engine-b:\t5 parsecs\n"
      "drm-total-c:\t-1 KiB\naccel-pid:\t12x");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].client_id, 3u);
  EXPECT_TRUE(c[0].engine_ns.empty());
  EXPECT_TRUE(c[0].total.empty());
  EXPECT_FALSE(c[0].pid);
  EXPECT_EQ(ParseValue("12 ns"), 12u);
  EXPECT_EQ(ParseValue("3 GiB"), 3ull << 30);
  EXPECT_EQ(ParseValue("17"), 17u);
  EXPECT_FALSE(ParseValue(""));
}

ClientSample Client(const std::string& dev, uint64_t id, uint64_t compute_ns) {
  ClientSample c;
  c.device = dev;
  c.driver = "dummy";
  c.client_id = id;
  c.engine_ns["compute"] = compute_ns;
  return c;
}

TEST(TopStatsTest, BusyIsEngineTimeGainedOverTheInterval) {
  const double second = 1e9;
  std::vector<ClientSample> before = {Client("accel0", 1, 100), Client("accel0", 2, 0)};
  std::vector<ClientSample> after = {Client("accel0", 1, 100 + 250000000),
                                     Client("accel0", 2, 500000000), Client("accel0", 3, 50000000)};
  TopFrame f = ComputeFrame(&before, after, second, {{"accel0", "dummy"}, {"accel1", "dummy"}});
  ASSERT_EQ(f.devices.size(), 2u);
  EXPECT_EQ(f.devices[0].clients, 3u);
  // 0.25 + 0.5 + 0.05 s of one compute engine in one second (a new client counts whole).
  ASSERT_TRUE(f.devices[0].busy);
  EXPECT_NEAR(*f.devices[0].busy, 80.0, 1e-9);
  EXPECT_EQ(f.devices[1].clients, 0u);
  EXPECT_EQ(f.devices[1].busy, 0.0);  // idle
  ASSERT_EQ(f.clients.size(), 3u);
  EXPECT_EQ(f.clients[0].sample.client_id, 2u);  // busiest first
  EXPECT_NEAR(*f.clients[0].total_busy, 50.0, 1e-9);
  EXPECT_NEAR(f.clients[0].busy.at("compute"), 50.0, 1e-9);
  EXPECT_EQ(f.clients[1].sample.client_id, 1u);
  EXPECT_EQ(f.clients[2].sample.client_id, 3u);
}

TEST(TopStatsTest, CapacityDividesAndBusyIsBounded) {
  ClientSample a = Client("accel0", 1, 0), b = Client("accel0", 1, 3000000000);
  a.capacity["compute"] = b.capacity["compute"] = 4;
  std::vector<ClientSample> before = {a}, after = {b};
  TopFrame f = ComputeFrame(&before, after, 1e9, {{"accel0", "dummy"}});
  EXPECT_NEAR(*f.devices[0].busy, 75.0, 1e-9);  // 3 s of 4 engines' 4 s
  b.engine_ns["compute"] = 9000000000;          // more than can have happened
  after = {b};
  f = ComputeFrame(&before, after, 1e9, {{"accel0", "dummy"}});
  EXPECT_EQ(*f.devices[0].busy, 100.0);
  EXPECT_EQ(*f.clients[0].total_busy, 100.0);
}

TEST(TopStatsTest, OneSampleHasNoBusyFigures) {
  std::vector<ClientSample> now = ParseClients(kTwoClients);
  TopFrame f = ComputeFrame(nullptr, now, 0, {});
  ASSERT_EQ(f.devices.size(), 2u);  // from the clients, when no device list says more
  EXPECT_FALSE(f.devices[0].busy);
  ASSERT_EQ(f.clients.size(), 2u);
  EXPECT_FALSE(f.clients[0].total_busy);
  EXPECT_TRUE(f.clients[0].busy.empty());
  EXPECT_EQ(f.clients[0].memory, 64u * 1024 + (1u << 20));
  EXPECT_EQ(f.clients[0].resident, 32u * 1024);
}

TEST(TopStatsTest, BytesForPeople) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(65536), "64 KiB");
  EXPECT_EQ(FormatBytes(1536 * 1024), "1.5 MiB");
  EXPECT_EQ(FormatBytes(uint64_t{3} << 30), "3 GiB");
}

}  // namespace
}  // namespace accelctl
