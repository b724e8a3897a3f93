// netlink_codec_test.cc - the NETLINK codec against docs/ras/netlink.md: what it writes.
//
// Two readers and one writer that share nothing with the codec:
//   - libnl (nlmsg_ok/nlmsg_next, genlmsg_parse with an nla_policy) reads our blobs, and every
//     attribute it finds is checked against the Snapshot they were encoded from;
//   - netlink_decode_test.cc writes netlink bytes by hand from the documented layout, so the
//     decoder is tested on blobs our encoder would never produce (other node ids, attribute
//     orders, unknown nodes and attributes) and on every kind of malformation.
#include "ras/codecs/netlink/netlink_codec.h"

#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <uapi/accel/accel.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "netlink_test_layout.h"
#include "sample_snapshot.h"

namespace accel::ras {
namespace {

using namespace netlink_test;
using testing::MakeSampleSnapshot;

const Codec& nl = NetlinkCodec();

DeviceIdentity BusOnly(const std::string& bus) {
  DeviceIdentity d;
  d.bus = bus;
  return d;
}

DeviceIdentity NameOnly(const std::string& name) {
  DeviceIdentity d;
  d.name = name;
  return d;
}

uint64_t Saturated(uint64_t v) {
  return v > 0xffffffffu ? 0xffffffffu : v;
}

// What a node should say for component c of s: the saturated sum of its severities.
uint32_t ExpectedValue(const Snapshot& s, const DocNode& node, uint32_t c) {
  uint64_t sum = 0;
  for (const Counter& k : s.counters)
    for (uint32_t sev : node.severities)
      if (k.component == c && k.severity == sev)
        sum += node.aggregate ? k.aggregate_count : k.volatile_count;
  return static_cast<uint32_t>(Saturated(sum));
}

// ---- Reading with libnl -------------------------------------------------------------------

struct SeenNode {
  uint32_t id;
  std::string device, name;
  uint32_t type;
};
struct SeenCounter {
  uint32_t node_id, error_id;
  std::string name;
  uint32_t value;
};
struct LibnlView {
  std::vector<SeenNode> nodes;
  std::vector<SeenCounter> counters;
  bool done = false;
};

const struct nla_policy kNodePolicy[] = {
    {},
    {NLA_U32, 0, 0},
    {NLA_STRING, 1, kMaxNameLen + 1},
    {NLA_STRING, 1, kMaxNameLen + 1},
    {NLA_U32, 0, 0},
};
const struct nla_policy kCounterPolicy[] = {
    {}, {NLA_U32, 0, 0}, {NLA_U32, 0, 0}, {NLA_STRING, 1, kMaxNameLen + 1}, {NLA_U32, 0, 0},
};

std::string StringOf(struct nlattr* a) {
  EXPECT_NE(a, nullptr);
  if (a == nullptr) return {};
  const char* data = static_cast<const char*>(nla_data(a));
  const int len = nla_len(a);
  EXPECT_GE(len, 1);
  EXPECT_EQ(data[len - 1], '\0') << "not NUL-terminated";
  EXPECT_EQ(strnlen(data, len), static_cast<size_t>(len - 1)) << "NUL inside the string";
  return std::string(data, strnlen(data, len));
}

uint32_t U32Of(struct nlattr* a) {
  EXPECT_NE(a, nullptr);
  if (a == nullptr) return 0;
  EXPECT_EQ(nla_len(a), 4);
  return nla_get_u32(a);
}

void ReadWithLibnl(std::vector<uint8_t> blob, LibnlView* view) {
  int remaining = static_cast<int>(blob.size());
  auto* nlh = reinterpret_cast<struct nlmsghdr*>(blob.data());
  for (; nlmsg_ok(nlh, remaining); nlh = nlmsg_next(nlh, &remaining)) {
    EXPECT_FALSE(view->done) << "a message after NLMSG_DONE";
    EXPECT_NE(nlh->nlmsg_flags & NLM_F_MULTI, 0) << "dump replies are multipart";
    if (nlh->nlmsg_type == NLMSG_DONE) {
      ASSERT_GE(nlmsg_datalen(nlh), static_cast<int>(sizeof(int)));
      int status;
      std::memcpy(&status, nlmsg_data(nlh), sizeof(status));
      EXPECT_EQ(status, 0);
      view->done = true;
      continue;
    }
    ASSERT_EQ(nlh->nlmsg_type, kFamilyType);
    const struct genlmsghdr* genl = genlmsg_hdr(nlh);
    EXPECT_EQ(genl->version, kVersion);
    struct nlattr* tb[5] = {};
    if (genl->cmd == kListNodes) {
      ASSERT_EQ(genlmsg_parse(nlh, 0, tb, 4, kNodePolicy), 0);
      view->nodes.push_back({U32Of(tb[kNodeId]), StringOf(tb[kDeviceName]), StringOf(tb[kNodeName]),
                             U32Of(tb[kNodeType])});
    } else {
      ASSERT_EQ(genl->cmd, kGetErrorCounter);
      ASSERT_EQ(genlmsg_parse(nlh, 0, tb, 4, kCounterPolicy), 0);
      view->counters.push_back({U32Of(tb[kErrNodeId]), U32Of(tb[kErrorId]),
                                StringOf(tb[kErrorName]), U32Of(tb[kErrorValue])});
    }
  }
  EXPECT_EQ(remaining, 0) << "bytes after the last message";
  EXPECT_TRUE(view->done) << "no NLMSG_DONE";
}

// Every node of the documented list, in order, then one counter per (node, component), node
// by node, each value the saturated sum of its severities.
void ExpectLibnlSees(const Snapshot& s, const std::string& device_name) {
  const Result<std::vector<uint8_t>> blob = nl.encode(s);
  ASSERT_TRUE(blob.ok()) << blob.error();
  LibnlView view;
  ReadWithLibnl(*blob, &view);
  ASSERT_EQ(view.nodes.size(), kDocNodes.size());
  std::set<uint32_t> ids;
  for (size_t i = 0; i < kDocNodes.size(); ++i) {
    EXPECT_EQ(view.nodes[i].name, kDocNodes[i].name);
    EXPECT_EQ(view.nodes[i].device, device_name);
    EXPECT_EQ(view.nodes[i].type, 1u) << "error-counter";
    EXPECT_TRUE(ids.insert(view.nodes[i].id).second) << "node-id repeated";
  }
  const size_t n = s.components.size();
  ASSERT_EQ(view.counters.size(), kDocNodes.size() * n);
  for (size_t i = 0; i < view.counters.size(); ++i) {
    const SeenCounter& k = view.counters[i];
    const size_t node = i / n;
    const uint32_t c = static_cast<uint32_t>(i % n);
    EXPECT_EQ(k.node_id, view.nodes[node].id) << i;
    EXPECT_EQ(k.error_id, c) << i;
    EXPECT_EQ(k.name, s.components[c].name) << i;
    EXPECT_EQ(k.value, ExpectedValue(s, kDocNodes[node], c)) << kDocNodes[node].name << " " << c;
  }
}

TEST(NetlinkCodec, DescribesItself) {
  EXPECT_EQ(nl.format, static_cast<uint32_t>(ACCEL_RAS_FMT_NETLINK));
  EXPECT_STREQ(nl.name, "netlink");
  EXPECT_EQ(nl.carries, kCarriesComponents | kCarriesCounters);
  ASSERT_NE(nl.project, nullptr);
}

TEST(NetlinkCodec, LibnlReadsEveryAttribute) {
  ExpectLibnlSees(MakeSampleSnapshot({.components = 5}), "platform:dummy.3");
  ExpectLibnlSees(MakeSampleSnapshot({.components = 64, .seed = 3}), "platform:dummy.3");
  ExpectLibnlSees(MakeSampleSnapshot({.components = 0}), "platform:dummy.3");
  Snapshot no_bus = MakeSampleSnapshot({.components = 1});
  no_bus.device.bus.clear();
  ExpectLibnlSees(no_bus, "accel3");
}

// The sample's counts above 2^32 reach the blob as 0xffffffff, alone and in the summed node.
TEST(NetlinkCodec, LibnlSeesSaturatedCounts) {
  Snapshot s = MakeSampleSnapshot({.components = 2});
  s.counters[ACCEL_RAS_SEV_FATAL].volatile_count = 1ULL << 40;  // component 0
  ExpectLibnlSees(s, "platform:dummy.3");
  const DocNode& uncorrectable = kDocNodes[1];
  EXPECT_EQ(ExpectedValue(s, uncorrectable, 0), 0xffffffffu);
}

// A missing counter reads 0, in the blob and after decoding.
TEST(NetlinkCodec, AbsentCountersTravelAsZero) {
  Snapshot s = MakeSampleSnapshot({.components = 3});
  std::erase_if(s.counters, [](const Counter& c) { return c.component == 1; });
  ASSERT_EQ(Validate(s), 0);
  ExpectLibnlSees(s, "platform:dummy.3");
  Result<Snapshot> back = nl.decode(*nl.encode(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, nl.project(s));
  EXPECT_EQ(back->counters.size(), 3u * kSeverityCount);
}

class NetlinkRoundTrip : public ::testing::TestWithParam<uint32_t> {};

TEST_P(NetlinkRoundTrip, DecodeOfEncodeIsTheProjection) {
  const Snapshot s = MakeSampleSnapshot({.components = GetParam(), .events = 1000, .seed = 11});
  Result<std::vector<uint8_t>> bytes = nl.encode(s);
  ASSERT_TRUE(bytes.ok()) << bytes.error();
  Result<Snapshot> back = nl.decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, nl.project(s));
  EXPECT_EQ(Validate(*back), 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, NetlinkRoundTrip, ::testing::Values(0u, 1u, 5u, 64u, 256u));

TEST(NetlinkCodec, ProjectionKeepsNamesCountersAndTheDeviceName) {
  const Snapshot s = MakeSampleSnapshot({.components = 5});
  const Snapshot p = nl.project(s);
  EXPECT_EQ(p.device, BusOnly("platform:dummy.3"));
  EXPECT_EQ(p.timestamp_ns, 0u);
  ASSERT_EQ(p.components.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.components[i].name, s.components[i].name);
    EXPECT_EQ(p.components[i].health, Health::kOk);
  }
  EXPECT_TRUE(p.events.empty());
  EXPECT_TRUE(p.pages.empty());
  EXPECT_EQ(p.events_dropped, 0u);
  ASSERT_EQ(p.counters.size(), s.counters.size());  // the sample counts every pair
  for (size_t i = 0; i < s.counters.size(); ++i) {
    EXPECT_EQ(p.counters[i].volatile_count, Saturated(s.counters[i].volatile_count));
    EXPECT_EQ(p.counters[i].aggregate_count, Saturated(s.counters[i].aggregate_count));
  }
}

TEST(NetlinkCodec, DeviceNameLandsInBusOrName) {
  Snapshot s = MakeSampleSnapshot({.components = 1});
  s.device.bus = "0000:03:00.0";
  Result<Snapshot> back = nl.decode(*nl.encode(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->device, BusOnly("0000:03:00.0"));

  s.device.bus.clear();
  back = nl.decode(*nl.encode(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->device, NameOnly("accel3"));
  EXPECT_EQ(*back, nl.project(s));

  s.device = {};
  back = nl.decode(*nl.encode(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->device, DeviceIdentity{});
}

TEST(NetlinkCodec, EveryTruncationFails) {
  const std::vector<uint8_t> bytes = *nl.encode(MakeSampleSnapshot({.components = 3}));
  for (size_t len = 0; len < bytes.size(); ++len) {
    // A prefix lacks NLMSG_DONE or cuts a message: refused, whatever the length.
    Result<Snapshot> s = nl.decode(std::span(bytes).first(len));
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_TRUE(s.error() == -EINVAL || s.error() == -EPROTO) << len << " " << s.error();
  }
}

TEST(NetlinkCodec, EncodeRefusesSnapshotsItCannotCarry) {
  Snapshot s = MakeSampleSnapshot({.components = 2});
  s.components[1].name = std::string(kMaxNameLen + 1, 'x');
  EXPECT_EQ(nl.encode(s).error(), -EINVAL);
  s = MakeSampleSnapshot({.components = 2});
  s.counters.push_back({.component = 2});
  EXPECT_EQ(nl.encode(s).error(), -EINVAL);
  s = MakeSampleSnapshot({.components = 2});
  s.counters[1] = s.counters[0];
  EXPECT_EQ(nl.encode(s).error(), -EINVAL);
}

}  // namespace
}  // namespace accel::ras
