// Tests of the frame codec: every malformed shape is refused, segments never overrun.
#include "wire/wire.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace accel::wire {
namespace {

TEST(WireTest, BuildThenParseRoundTrips) {
  std::vector<uint8_t> f = BuildFrame(Op::kOpen, 42, 0, 7, std::string_view("accel0"));
  Result<FrameView> v = ParseFrame(f.data(), f.size(), false);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->header.op, static_cast<uint16_t>(Op::kOpen));
  EXPECT_EQ(v->header.seq, 42u);
  EXPECT_EQ(v->header.arg, 7u);
  EXPECT_EQ(std::string(v->payload.begin(), v->payload.end()), "accel0");
}

TEST(WireTest, ReplyBitIsSet) {
  std::vector<uint8_t> f = BuildFrame(Op::kList, 1, -19, 0, std::string_view(), true);
  Result<FrameView> v = ParseFrame(f.data(), f.size(), false);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->header.op, static_cast<uint16_t>(Op::kList) | kReplyBit);
  EXPECT_EQ(v->header.status, -19);
}

TEST(WireTest, ShortFrameIsEbadmsg) {
  std::vector<uint8_t> f = BuildFrame(Op::kList, 1, 0, 0, std::string_view());
  for (size_t n = 0; n < sizeof(Header); ++n)
    EXPECT_EQ(ParseFrame(f.data(), n, false).error(), -EBADMSG) << n;
}

TEST(WireTest, WrongMagicIsEbadmsg) {
  std::vector<uint8_t> f = BuildFrame(Op::kList, 1, 0, 0, std::string_view());
  f[0] ^= 0xff;
  EXPECT_EQ(ParseFrame(f.data(), f.size(), false).error(), -EBADMSG);
}

TEST(WireTest, LyingLengthIsEbadmsg) {
  std::vector<uint8_t> f = BuildFrame(Op::kOpen, 1, 0, 0, std::string_view("abc"));
  Header h;
  std::memcpy(&h, f.data(), sizeof(h));
  h.length = 4;
  std::memcpy(f.data(), &h, sizeof(h));
  EXPECT_EQ(ParseFrame(f.data(), f.size(), false).error(), -EBADMSG);
  h.length = 0xffffffffu;
  std::memcpy(f.data(), &h, sizeof(h));
  EXPECT_EQ(ParseFrame(f.data(), f.size(), false).error(), -EBADMSG);
}

TEST(WireTest, TruncatedOrOversizeIsEmsgsize) {
  std::vector<uint8_t> f = BuildFrame(Op::kList, 1, 0, 0, std::string_view());
  EXPECT_EQ(ParseFrame(f.data(), f.size(), true).error(), -EMSGSIZE);
  std::vector<uint8_t> big(kMaxFrame + 1);
  EXPECT_EQ(ParseFrame(big.data(), big.size(), false).error(), -EMSGSIZE);
}

TEST(WireTest, SeqOfEchoesOnlyReadableHeaders) {
  std::vector<uint8_t> f = BuildFrame(Op::kList, 99, 0, 0, std::string_view());
  EXPECT_EQ(SeqOf(f.data(), f.size()), 99u);
  EXPECT_EQ(SeqOf(f.data(), 10), 0u);
}

TEST(WireTest, SegmentsRoundTripWithPadding) {
  std::vector<uint8_t> out;
  AppendSegment(out, 0x1000, "hello", 5);
  AppendSegment(out, 0x2000, "", 0);
  AppendSegment(out, 0x3000, "12345678", 8);
  EXPECT_EQ(out.size() % 8, 0u);
  std::vector<std::pair<uint64_t, std::string>> seen;
  Result<void> rc = ForEachSegment(out, [&](uint64_t a, const uint8_t* d, uint32_t n) {
    seen.emplace_back(a, std::string(reinterpret_cast<const char*>(d), n));
  });
  ASSERT_TRUE(rc.ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].second, "hello");
  EXPECT_EQ(seen[1].second, "");
  EXPECT_EQ(seen[2].first, 0x3000u);
}

TEST(WireTest, SegmentLongerThanBytesIsEbadmsg) {
  std::vector<uint8_t> out;
  AppendSegment(out, 0x1000, "hello", 5);
  out.resize(out.size() - 8);
  int calls = 0;
  EXPECT_EQ(ForEachSegment(out, [&](uint64_t, const uint8_t*, uint32_t) { calls++; }).error(),
            -EBADMSG);
  EXPECT_EQ(calls, 0);
  std::vector<uint8_t> partial(10, 0);
  EXPECT_EQ(ForEachSegment(partial, [&](uint64_t, const uint8_t*, uint32_t) {}).error(), -EBADMSG);
}

TEST(WireTest, FieldsAreNulTerminatedAndBounded) {
  char f[8];
  CopyField(f, sizeof(f), "accel12345");
  EXPECT_STREQ(f, "accel12");
  EXPECT_EQ(FieldString(f, sizeof(f)), "accel12");
  char full[4] = {'a', 'b', 'c', 'd'};
  EXPECT_EQ(FieldString(full, sizeof(full)), "abcd");
}

}  // namespace
}  // namespace accel::wire
