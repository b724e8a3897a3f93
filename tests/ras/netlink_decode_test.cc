// netlink_decode_test.cc - the NETLINK decoder on blobs written by hand.
//
// RawMessage/Serialize write nlmsghdr + genlmsghdr + nlattr bytes from docs/ras/netlink.md
// alone, without libmnl, libnl or the codec: a valid device with node ids the encoder never
// uses, then that blob bent in every way the document says a decoder refuses (framing,
// attribute types and sizes, inconsistent counters, bounds) or tolerates (attribute order,
// unknown attributes and nodes, a missing counter).
#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlink_test_layout.h"
#include "ras/codecs/netlink/netlink_codec.h"

namespace accel::ras {
namespace {

using namespace netlink_test;

const Codec& nl = NetlinkCodec();

using Bytes = std::vector<uint8_t>;

void Append(Bytes& out, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}

void PadTo4(Bytes& out) {
  while (out.size() % 4 != 0) out.push_back(0);
}

Bytes RawAttr(uint16_t type, const Bytes& payload) {
  Bytes a;
  const uint16_t len = static_cast<uint16_t>(4 + payload.size());
  Append(a, &len, 2);
  Append(a, &type, 2);
  Append(a, payload.data(), payload.size());
  PadTo4(a);
  return a;
}

Bytes U32(uint16_t type, uint32_t v) {
  Bytes p(4);
  std::memcpy(p.data(), &v, 4);
  return RawAttr(type, p);
}

Bytes Str(uint16_t type, std::string_view s, bool nul = true) {
  Bytes p(s.begin(), s.end());
  if (nul) p.push_back(0);
  return RawAttr(type, p);
}

struct RawMessage {
  uint16_t type = kFamilyType;
  uint8_t cmd = 0;
  uint8_t version = kVersion;
  std::vector<Bytes> attrs = {};
  std::optional<Bytes> raw_payload = std::nullopt;  // instead of genlmsghdr + attrs (NLMSG_DONE)
};

RawMessage Node(uint32_t id, std::string_view device, std::string_view name, uint32_t type = 1) {
  return {.cmd = kListNodes,
          .attrs = {U32(kNodeId, id), Str(kDeviceName, device), Str(kNodeName, name),
                    U32(kNodeType, type)}};
}

RawMessage CounterMsg(uint32_t node, uint32_t error_id, std::string_view name, uint32_t value) {
  return {.cmd = kGetErrorCounter,
          .attrs = {U32(kErrNodeId, node), U32(kErrorId, error_id), Str(kErrorName, name),
                    U32(kErrorValue, value)}};
}

RawMessage Done(int32_t status = 0) {
  Bytes p(4);
  std::memcpy(p.data(), &status, 4);
  return {.type = NLMSG_DONE, .raw_payload = p};
}

Bytes Serialize(const std::vector<RawMessage>& messages) {
  Bytes out;
  for (const RawMessage& m : messages) {
    Bytes body;
    if (m.raw_payload) {
      body = *m.raw_payload;
    } else {
      const uint8_t genl[4] = {m.cmd, m.version, 0, 0};
      Append(body, genl, 4);
      for (const Bytes& a : m.attrs) Append(body, a.data(), a.size());
    }
    struct nlmsghdr h = {};
    h.nlmsg_len = static_cast<uint32_t>(sizeof(h) + body.size());
    h.nlmsg_type = m.type;
    h.nlmsg_flags = NLM_F_MULTI;
    Append(out, &h, sizeof(h));
    Append(out, body.data(), body.size());
    PadTo4(out);
  }
  return out;
}

// A two-component device written by hand with node ids 100.., its expected decoding beside.
// Values: volatile 10*c + sev + 1, aggregate 1000*c + 100*sev + 7.
constexpr uint32_t kIdBase = 100;
const char* const kHandComponents[] = {"hbm0", "sram"};

uint32_t HandVolatile(uint32_t c, uint32_t sev) {
  return 10 * c + sev + 1;
}
uint32_t HandAggregate(uint32_t c, uint32_t sev) {
  return 1000 * c + 100 * sev + 7;
}

std::vector<RawMessage> HandMessages() {
  std::vector<RawMessage> m;
  for (uint32_t i = 0; i < kDocNodes.size(); ++i)
    m.push_back(Node(kIdBase + i, "0000:03:00.0", kDocNodes[i].name));
  for (uint32_t i = 0; i < kDocNodes.size(); ++i) {
    for (uint32_t c = 0; c < 2; ++c) {
      uint32_t value = 0;
      for (uint32_t sev : kDocNodes[i].severities)
        value += kDocNodes[i].aggregate ? HandAggregate(c, sev) : HandVolatile(c, sev);
      m.push_back(CounterMsg(kIdBase + i, c, kHandComponents[c], value));
    }
  }
  m.push_back(Done());
  return m;
}

// Index in HandMessages() of the counter message of node `node` for component c.
size_t HandCounterIndex(size_t node, uint32_t c) {
  return kDocNodes.size() + node * 2 + c;
}

Snapshot HandSnapshot() {
  Snapshot s;
  s.device.bus = "0000:03:00.0";
  for (uint32_t c = 0; c < 2; ++c) {
    s.components.push_back({.name = kHandComponents[c]});
    for (uint32_t sev = 0; sev < kSeverityCount; ++sev)
      s.counters.push_back({c, sev, HandVolatile(c, sev), HandAggregate(c, sev)});
  }
  return s;
}

int DecodeError(const std::vector<RawMessage>& m) {
  Result<Snapshot> s = nl.decode(Serialize(m));
  return s.ok() ? 0 : s.error();
}

TEST(NetlinkDecode, ReadsAHandWrittenBlob) {
  Result<Snapshot> s = nl.decode(Serialize(HandMessages()));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(*s, HandSnapshot());
}

TEST(NetlinkDecode, AttributeOrderDoesNotMatter) {
  std::vector<RawMessage> m = HandMessages();
  for (RawMessage& msg : m) std::reverse(msg.attrs.begin(), msg.attrs.end());
  Result<Snapshot> s = nl.decode(Serialize(m));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(*s, HandSnapshot());
}

TEST(NetlinkDecode, SkipsUnknownAttributesNodesAndTheirCounters) {
  std::vector<RawMessage> m = HandMessages();
  m[0].attrs.push_back(U32(9, 1234));
  m[HandCounterIndex(3, 1)].attrs.push_back(Str(7, "future"));
  const auto done = m.end() - 1;
  m.insert(done, {Node(7, "0000:03:00.0", "gt0-l3-errors"), CounterMsg(7, 200, "l3", 5)});
  Result<Snapshot> s = nl.decode(Serialize(m));
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(*s, HandSnapshot());
}

TEST(NetlinkDecode, AMissingMessageReadsZeroButTheSumMustStillAgree) {
  std::vector<RawMessage> m = HandMessages();
  m.erase(m.begin() + HandCounterIndex(5, 0));  // informational-errors, hbm0
  Result<Snapshot> s = nl.decode(Serialize(m));
  ASSERT_TRUE(s.ok()) << s.error();
  Snapshot want = HandSnapshot();
  want.counters[ACCEL_RAS_SEV_INFORMATIONAL].volatile_count = 0;
  EXPECT_EQ(*s, want);

  m = HandMessages();
  m.erase(m.begin() + HandCounterIndex(4, 1));  // fatal-errors, sram: uncorrectable disagrees
  EXPECT_EQ(DecodeError(m), -EINVAL);
}

TEST(NetlinkDecode, OnlyDoneIsAnEmptySnapshot) {
  Result<Snapshot> s = nl.decode(Serialize({Done()}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, Snapshot{});
}

TEST(NetlinkDecode, RefusesInconsistentBlobs) {
  auto with = [](auto mutate) {
    std::vector<RawMessage> m = HandMessages();
    mutate(m);
    return DecodeError(m);
  };
  EXPECT_EQ(with([](auto& m) { m[HandCounterIndex(1, 0)].attrs[3] = U32(kErrorValue, 1); }),
            -EINVAL)
      << "uncorrectable-errors is not deferred+uncorrected+fatal";
  EXPECT_EQ(with([](auto& m) { m.insert(m.end() - 1, m[HandCounterIndex(2, 1)]); }), -EINVAL)
      << "a (node, component) twice";
  EXPECT_EQ(with([](auto& m) { m[HandCounterIndex(2, 1)].attrs[2] = Str(kErrorName, "sr"); }),
            -EINVAL)
      << "one error-id, two names";
  EXPECT_EQ(with([](auto& m) {
              for (size_t i = 0; i < kDocNodes.size(); ++i)
                m[HandCounterIndex(i, 1)].attrs[1] = U32(kErrorId, 2);
            }),
            -EINVAL)
      << "error-id 1 missing: component 1 has no name";
  EXPECT_EQ(with([](auto& m) { m[HandCounterIndex(2, 1)].attrs[0] = U32(kErrNodeId, 999); }),
            -EINVAL)
      << "a node never listed";
  EXPECT_EQ(with([](auto& m) { std::rotate(m.begin(), m.begin() + 1, m.end() - 1); }), -EINVAL)
      << "a counter before its node";
  EXPECT_EQ(with([](auto& m) { m[3] = Node(kIdBase + 3, "0000:04:00.0", kDocNodes[3].name); }),
            -EINVAL)
      << "two device names";
  EXPECT_EQ(with([](auto& m) { m[3] = Node(kIdBase + 2, "0000:03:00.0", kDocNodes[3].name); }),
            -EINVAL)
      << "two nodes, one id";
  EXPECT_EQ(with([](auto& m) { m[3] = Node(kIdBase + 3, "0000:03:00.0", kDocNodes[2].name); }),
            -EINVAL)
      << "one node name twice";
}

TEST(NetlinkDecode, RefusesWrongTypes) {
  auto with = [](auto mutate) {
    std::vector<RawMessage> m = HandMessages();
    mutate(m);
    return DecodeError(m);
  };
  // u32 attributes of the wrong size.
  EXPECT_EQ(with([](auto& m) { m[12].attrs[3] = RawAttr(kErrorValue, Bytes(8, 0)); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs[1] = RawAttr(kErrorId, Bytes(2, 0)); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[0].attrs[0] = Str(kNodeId, "abc"); }), -EINVAL);
  // Strings: no NUL, a NUL inside, empty payload, too long.
  EXPECT_EQ(with([](auto& m) { m[12].attrs[2] = Str(kErrorName, "sram", false); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs[2] = Str(kErrorName, std::string("sr\0am", 5)); }),
            -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs[2] = RawAttr(kErrorName, {}); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[0].attrs[1] = Str(kDeviceName, std::string(64, 'd')); }), -E2BIG);
  // A NUL inside a name nothing else looks at (an unknown node's), and a partial attribute
  // header where the message ends.
  EXPECT_EQ(
      with([](auto& m) { m.insert(m.begin(), Node(7, "0000:03:00.0", std::string("gt0\0x", 5))); }),
      -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs.push_back(Bytes{2, 0, 0, 0}); }), -EINVAL);
  // A known attribute with NLA_F_NET_BYTEORDER or NLA_F_NESTED set; type 0 is merely unknown.
  EXPECT_EQ(with([](auto& m) { m[12].attrs[3] = U32(kErrorValue | NLA_F_NET_BYTEORDER, 1); }),
            -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs[0] = U32(kErrNodeId | NLA_F_NESTED, kIdBase); }),
            -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs.push_back(U32(0, 1)); }), 0);
  // Missing and repeated attributes.
  EXPECT_EQ(with([](auto& m) { m[12].attrs.pop_back(); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[0].attrs.erase(m[0].attrs.begin() + 1); }), -EINVAL);
  EXPECT_EQ(with([](auto& m) { m[12].attrs.push_back(U32(kErrorValue, 0)); }), -EINVAL);
  // Not this family, version, command or node type.
  EXPECT_EQ(with([](auto& m) { m[12].type = 0x11; }), -EPROTO);
  EXPECT_EQ(with([](auto& m) { m[12].type = NLMSG_ERROR; }), -EPROTO);
  EXPECT_EQ(with([](auto& m) { m[12].version = 2; }), -EPROTO);
  EXPECT_EQ(with([](auto& m) { m[12].cmd = 3; }), -EPROTO);
  EXPECT_EQ(with([](auto& m) { m[0] = Node(kIdBase, "0000:03:00.0", kDocNodes[0].name, 2); }),
            -EPROTO);
  EXPECT_EQ(with([](auto& m) { m.back() = Done(-ENOBUFS); }), -EPROTO) << "a failed dump";
  // Bounds: error-id past kMaxComponents, too many nodes.
  EXPECT_EQ(with([](auto& m) { m[12].attrs[1] = U32(kErrorId, kMaxComponents); }), -E2BIG);
  EXPECT_EQ(with([](auto& m) {
              for (uint32_t i = 0; i < 64; ++i)
                m.insert(m.begin(), Node(1000 + i, "0000:03:00.0", "n" + std::to_string(i)));
            }),
            -E2BIG);
}

TEST(NetlinkDecode, RefusesBrokenFraming) {
  const Bytes good = Serialize(HandMessages());
  ASSERT_TRUE(nl.decode(good).ok());
  auto patched = [&](size_t offset, const void* value, size_t n) {
    Bytes b = good;
    std::memcpy(b.data() + offset, value, n);
    return nl.decode(b);
  };
  const uint32_t huge = 0xfffffff0u, tiny = 8, short_genl = 18, unaligned_len = 61;
  EXPECT_EQ(patched(0, &huge, 4).error(), -EINVAL) << "nlmsg_len past the end";
  // Negative as an int (libmnl's mnl_nlmsg_ok lets those through), and wrapping to 0 when
  // aligned: found by the fuzzer as a read past the end.
  for (const uint32_t len : {0x80000000u, 0xfffffffeu, 0xffffffffu}) {
    EXPECT_EQ(patched(0, &len, 4).error(), -EINVAL) << len;
    struct nlmsghdr alone = {};  // nothing after the header: ASan sees any read past it
    alone.nlmsg_len = len;
    alone.nlmsg_type = kFamilyType;
    Bytes b(sizeof(alone));
    std::memcpy(b.data(), &alone, sizeof(alone));
    EXPECT_EQ(nl.decode(b).error(), -EINVAL) << len;
  }
  EXPECT_EQ(patched(0, &tiny, 4).error(), -EINVAL) << "nlmsg_len below the header";
  EXPECT_EQ(patched(0, &short_genl, 4).error(), -EINVAL) << "no room for genlmsghdr";
  EXPECT_EQ(patched(0, &unaligned_len, 4).error(), -EINVAL) << "attributes cut";
  const uint16_t nla_huge = 0xfff0, nla_tiny = 2;
  EXPECT_EQ(patched(20, &nla_huge, 2).error(), -EINVAL) << "nla_len past the message";
  EXPECT_EQ(patched(20, &nla_tiny, 2).error(), -EINVAL) << "nla_len below the header";

  Bytes after = good;
  const Bytes extra = Serialize({Done()});
  after.insert(after.end(), extra.begin(), extra.end());
  EXPECT_EQ(nl.decode(after).error(), -EINVAL) << "a message after NLMSG_DONE";
  Bytes no_done(good.begin(), good.end() - 20);
  EXPECT_EQ(nl.decode(no_done).error(), -EINVAL);
  Bytes padded = good;
  padded.push_back(0);
  EXPECT_EQ(nl.decode(padded).error(), -EINVAL);

  EXPECT_EQ(nl.decode(Bytes(kMaxEncodedSize + 1)).error(), -E2BIG);
}

// A decoder reads headers in place: an input that starts at an odd address must decode the
// same (UBSan would flag a misaligned read).
TEST(NetlinkDecode, InputAlignmentDoesNotMatter) {
  const Bytes good = Serialize(HandMessages());
  Bytes shifted(good.size() + 1);
  std::memcpy(shifted.data() + 1, good.data(), good.size());
  Result<Snapshot> s = nl.decode(std::span(shifted).subspan(1));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, HandSnapshot());
}

}  // namespace
}  // namespace accel::ras
