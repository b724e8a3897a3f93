// Tests of vnpu's Crc32c: the published check values (RFC 3720 B.4 and the CRC catalogue's
// "123456789"), chaining, and the SSE4.2 and slicing-by-8 paths against the bitwise reference
// at every alignment and across the lengths where the three-stream loop changes gear.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"
#include "drivers/vnpu/kernels/kernels_reference.h"

namespace accel::vnpu::kernels {
namespace {

using internal::Crc32cPath;

std::vector<Crc32cPath> SupportedPaths() {
  std::vector<Crc32cPath> paths;
  for (Crc32cPath p : {Crc32cPath::kSlicing8, Crc32cPath::kSse42}) {
    if (internal::Supported(p)) paths.push_back(p);
  }
  return paths;
}

const char* Name(Crc32cPath p) {
  return p == Crc32cPath::kSlicing8 ? "slicing8" : "sse42";
}

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(gen());
  return v;
}

// Crc32c from seed 0, through the public entry point.
uint32_t Crc(const std::vector<uint8_t>& data) {
  uint32_t out = 0;
  EXPECT_EQ(Crc32c(data.data(), data.size(), 0, &out, nullptr), 0);
  return out;
}

// Crc32c through one path: the raw update wrapped in the inversions, as Crc32c does.
uint32_t CrcOnPath(Crc32cPath path, const uint8_t* data, size_t len, uint32_t seed = 0) {
  return ~internal::Crc32cUpdate(path, ~seed, data, len);
}

struct KnownVector {
  const char* name;
  std::vector<uint8_t> data;
  uint32_t crc;
};

std::vector<KnownVector> KnownVectors() {
  std::vector<KnownVector> v;
  const std::string check = "123456789";
  v.push_back({"123456789", std::vector<uint8_t>(check.begin(), check.end()), 0xE3069283});
  v.push_back({"32 zeros", std::vector<uint8_t>(32, 0x00), 0x8A9136AA});
  v.push_back({"32 0xff", std::vector<uint8_t>(32, 0xFF), 0x62A8AB43});
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  v.push_back({"incrementing", up, 0x46DD794E});
  v.push_back({"decrementing", down, 0x113FDB5C});
  // RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU.
  v.push_back({"iSCSI read PDU",
               {0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
               0xD9963A56});
  return v;
}

TEST(Crc32cTest, KnownVectorsOnEveryPathAndTheReference) {
  for (const KnownVector& kv : KnownVectors()) {
    EXPECT_EQ(Crc(kv.data), kv.crc) << kv.name;
    EXPECT_EQ(reference::Crc32c(kv.data.data(), kv.data.size(), 0), kv.crc) << kv.name;
    for (Crc32cPath path : SupportedPaths()) {
      EXPECT_EQ(CrcOnPath(path, kv.data.data(), kv.data.size()), kv.crc)
          << kv.name << " on " << Name(path);
    }
  }
}

TEST(Crc32cTest, EmptyInputReturnsTheSeed) {
  uint32_t out = 1;
  ASSERT_EQ(Crc32c(nullptr, 0, 0, &out, nullptr), 0);
  EXPECT_EQ(out, 0u);
  ASSERT_EQ(Crc32c(nullptr, 0, 0xE3069283, &out, nullptr), 0);
  EXPECT_EQ(out, 0xE3069283u);
}

TEST(Crc32cTest, ChainingEqualsOneCall) {
  const std::vector<uint8_t> data = RandomBytes(70000, 1);
  const uint32_t whole = Crc(data);
  for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{255}, size_t{4096},
                       size_t{24577}, size_t{69999}, size_t{70000}}) {
    uint32_t first = 0;
    uint32_t second = 0;
    ASSERT_EQ(Crc32c(data.data(), split, 0, &first, nullptr), 0);
    ASSERT_EQ(Crc32c(data.data() + split, data.size() - split, first, &second, nullptr), 0);
    EXPECT_EQ(second, whole) << "split at " << split;
  }
  // Byte by byte, as a stream would arrive.
  uint32_t crc = 0;
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(Crc32c(&data[i], 1, crc, &crc, nullptr), 0);
  EXPECT_EQ(crc, reference::Crc32c(data.data(), 1000, 0));
}

// Lengths 0..300 at every offset 0..15 (the SSE4.2 path steps bytes up to an 8-byte boundary,
// then 8 at a time, then the tail), against the bitwise reference, from a nonzero seed.
TEST(Crc32cTest, PathsMatchReferenceAtEveryAlignment) {
  const std::vector<uint8_t> data = RandomBytes(300 + 16, 2);
  for (Crc32cPath path : SupportedPaths()) {
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t len = 0; len <= 300; ++len) {
        const uint8_t* p = data.data() + offset;
        ASSERT_EQ(CrcOnPath(path, p, len, 0x12345678), reference::Crc32c(p, len, 0x12345678))
            << Name(path) << " offset " << offset << " len " << len;
      }
    }
  }
}

// Around the three-stream loop's gear changes: 3 x 8192 and 3 x 256 bytes, and beyond.
TEST(Crc32cTest, PathsMatchReferenceAcrossStreamLengths) {
  const std::vector<uint8_t> data = RandomBytes(200000, 3);
  const size_t lengths[] = {767,   768,   769,   3 * 256 + 8, 24575,     24576,
                            24577, 25343, 25344, 49152 + 777, 200000 - 3};
  for (Crc32cPath path : SupportedPaths()) {
    for (size_t offset : {size_t{0}, size_t{3}}) {
      for (size_t len : lengths) {
        const uint8_t* p = data.data() + offset;
        ASSERT_EQ(CrcOnPath(path, p, len), reference::Crc32c(p, len, 0))
            << Name(path) << " offset " << offset << " len " << len;
      }
    }
  }
}

// Past Crc32c's 4 MiB polling chunk: the public call equals one raw update over everything.
TEST(Crc32cTest, LongInputAcrossPollingChunks) {
  const std::vector<uint8_t> data = RandomBytes((size_t{9} << 20) + 5, 4);
  const uint32_t want = CrcOnPath(Crc32cPath::kSlicing8, data.data(), data.size());
  EXPECT_EQ(Crc(data), want);
  for (Crc32cPath path : SupportedPaths()) {
    EXPECT_EQ(CrcOnPath(path, data.data(), data.size()), want) << Name(path);
  }
}

TEST(Crc32cTest, BestPathIsTheFastestSupported) {
  EXPECT_TRUE(internal::Supported(Crc32cPath::kSlicing8));
  EXPECT_EQ(internal::BestCrc32cPath(),
            internal::Supported(Crc32cPath::kSse42) ? Crc32cPath::kSse42 : Crc32cPath::kSlicing8);
}

TEST(Crc32cTest, CancelledBeforehandLeavesOutAlone) {
  const std::vector<uint8_t> data = RandomBytes(1 << 20, 5);
  const std::atomic<bool> cancel{true};
  uint32_t out = 0xDEADBEEF;
  EXPECT_EQ(Crc32c(data.data(), data.size(), 0, &out, &cancel), -ECANCELED);
  EXPECT_EQ(out, 0xDEADBEEFu);
}

}  // namespace
}  // namespace accel::vnpu::kernels
