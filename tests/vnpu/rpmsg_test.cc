// rpmsg_test.cc - rpmsg framing and the name-service message: round trips, and refusals of
// lengths that lie and headers that are cut short.
#include "drivers/vnpu/fwlink/rpmsg.h"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace accel::vnpu::fwlink {
namespace {

std::vector<uint8_t> Bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

TEST(Rpmsg, HeaderIsRpmsgHdr) {
  std::array<uint8_t, 64> buf{};
  const std::vector<uint8_t> payload = Bytes("abc");
  Result<size_t> n = BuildRpmsg(buf, 0x401, 0x400, payload);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 16u + 3);
  // src u32, dst u32, reserved u32, len u16, flags u16, little-endian.
  const uint8_t expect[] = {0x01, 0x04, 0, 0, 0x00, 0x04, 0,   0,   0,  0,
                            0,    0,    3, 0, 0,    0,    'a', 'b', 'c'};
  EXPECT_EQ(std::memcmp(buf.data(), expect, sizeof(expect)), 0);
}

TEST(Rpmsg, RoundTrips) {
  std::array<uint8_t, fw::kBufferSize> buf{};
  for (size_t len : {size_t{0}, size_t{1}, size_t{100}, size_t{fw::kMaxPayload}}) {
    std::vector<uint8_t> payload(len);
    for (size_t i = 0; i < len; ++i) payload[i] = static_cast<uint8_t>(i * 7);
    Result<size_t> n = BuildRpmsg(buf, 53, 0x400, payload);
    ASSERT_TRUE(n) << len;
    Result<RpmsgMessage> m = ParseRpmsg(std::span(buf).first(*n));
    ASSERT_TRUE(m) << len;
    EXPECT_EQ(m->src, 53u);
    EXPECT_EQ(m->dst, 0x400u);
    EXPECT_EQ(m->flags, 0);
    ASSERT_EQ(m->payload.size(), len);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), m->payload.begin()));
  }
}

TEST(Rpmsg, BuildRefusesWhatDoesNotFit) {
  std::array<uint8_t, fw::kBufferSize + 16> big{};
  std::vector<uint8_t> too_long(fw::kMaxPayload + 1);
  EXPECT_EQ(BuildRpmsg(big, 1, 2, too_long).error(), -EMSGSIZE);
  std::array<uint8_t, 20> small{};
  EXPECT_EQ(BuildRpmsg(small, 1, 2, Bytes("hello")).error(), -EMSGSIZE);
  EXPECT_EQ(BuildRpmsg(std::span(small).first(15), 1, 2, {}).error(), -EMSGSIZE);
  EXPECT_TRUE(BuildRpmsg(small, 1, 2, Bytes("four")));
}

TEST(Rpmsg, ParseRefusesTruncatedHeader) {
  std::array<uint8_t, 64> buf{};
  ASSERT_TRUE(BuildRpmsg(buf, 1, 2, {}));
  for (size_t n = 0; n < 16; ++n) EXPECT_EQ(ParseRpmsg(std::span(buf).first(n)).error(), -EBADMSG);
  EXPECT_TRUE(ParseRpmsg(std::span(buf).first(16)));
}

TEST(Rpmsg, ParseRefusesLenBeyondTheBuffer) {
  std::array<uint8_t, 64> buf{};
  ASSERT_TRUE(BuildRpmsg(buf, 1, 2, Bytes("0123456789")));
  EXPECT_EQ(ParseRpmsg(std::span(buf).first(25)).error(), -EBADMSG);  // one short
  EXPECT_TRUE(ParseRpmsg(std::span(buf).first(26)));
  // Trailing bytes after the payload are the other side's business.
  Result<RpmsgMessage> m = ParseRpmsg(buf);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload.size(), 10u);
}

TEST(Rpmsg, ParseRefusesLenBeyondMaxPayload) {
  std::vector<uint8_t> buf(2 * fw::kBufferSize);
  fw::RpmsgHeader h{1, 2, 0, static_cast<uint16_t>(fw::kMaxPayload + 1), 0};
  std::memcpy(buf.data(), &h, sizeof(h));
  EXPECT_EQ(ParseRpmsg(buf).error(), -EBADMSG);
  h.len = 0xffff;
  std::memcpy(buf.data(), &h, sizeof(h));
  EXPECT_EQ(ParseRpmsg(buf).error(), -EBADMSG);
}

TEST(NsAnnouncement, RoundTrips) {
  Result<fw::RpmsgNsMessage> m = MakeNsAnnouncement(fw::kServiceName, fw::kFirmwareAddr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->flags, fw::kNsCreate);
  Result<NsAnnouncement> a =
      ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&*m), sizeof(*m)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "vnpu-ctrl");
  EXPECT_EQ(a->addr, fw::kFirmwareAddr);
  EXPECT_EQ(a->flags, fw::kNsCreate);

  const std::string longest(31, 'n');
  m = MakeNsAnnouncement(longest, 7);
  ASSERT_TRUE(m);
  a = ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&*m), sizeof(*m)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, longest);
}

TEST(NsAnnouncement, MakeRefusesBadNames) {
  EXPECT_EQ(MakeNsAnnouncement(std::string(32, 'n'), 1).error(), -ENAMETOOLONG);
  EXPECT_EQ(MakeNsAnnouncement("", 1).error(), -EINVAL);
  EXPECT_EQ(MakeNsAnnouncement(std::string("a\0b", 3), 1).error(), -EINVAL);
}

TEST(NsAnnouncement, ParseRefusesMalformed) {
  fw::RpmsgNsMessage m{};
  std::memcpy(m.name, "vnpu-ctrl", 9);
  m.addr = 0x400;
  std::vector<uint8_t> good(sizeof(m));
  std::memcpy(good.data(), &m, sizeof(m));
  ASSERT_TRUE(ParseNsAnnouncement(good));

  EXPECT_EQ(ParseNsAnnouncement(std::span(good).first(39)).error(), -EBADMSG);
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_EQ(ParseNsAnnouncement(longer).error(), -EBADMSG);
  EXPECT_EQ(ParseNsAnnouncement({}).error(), -EBADMSG);

  fw::RpmsgNsMessage bad = m;
  std::memset(bad.name, 'x', sizeof(bad.name));  // no NUL in 32 bytes
  EXPECT_EQ(ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&bad), sizeof(bad)}).error(),
            -EBADMSG);
  bad = m;
  bad.name[0] = '\0';  // empty name
  EXPECT_EQ(ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&bad), sizeof(bad)}).error(),
            -EBADMSG);
  bad = m;
  bad.flags = 2;
  EXPECT_EQ(ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&bad), sizeof(bad)}).error(),
            -EBADMSG);
  bad = m;
  bad.flags = kNsDestroy;
  Result<NsAnnouncement> a =
      ParseNsAnnouncement({reinterpret_cast<const uint8_t*>(&bad), sizeof(bad)});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->flags, kNsDestroy);
}

}  // namespace
}  // namespace accel::vnpu::fwlink
