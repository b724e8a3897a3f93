// crc32c.cc - Crc32c: CRC-32C with SSE4.2's crc32 instruction, or slicing-by-8 without it.
//
// DOC: why three streams, and how they are put back together
//
// crc32 has a latency of 3 cycles and a throughput of 1 per cycle, so one dependent chain of
// them runs at a third of the instruction's speed. The SSE4.2 path therefore cuts long inputs
// into three consecutive pieces of equal length L and runs one chain per piece (the first from
// the running CRC, the other two from 0), as Mark Adler's crc32c.c and Intel's crc_pcl do.
// Without the pre/post inversion the CRC register is linear over GF(2), so
//   crc(r, A || B) = shift_L(crc(r, A)) ^ crc(0, B)    with |B| = L,
// where shift_L (running L zero bytes through the register) multiplies by x^(8L) modulo the
// polynomial. For a fixed L that multiplication is linear in the register's 32 bits, hence four
// table lookups, one per byte; the tables (kShiftLong, kShiftShort) are built at compile time.
//
// The slicing-by-8 fallback folds eight input bytes per step through eight 256-entry tables,
// also built at compile time. Both paths only ever run the raw register; Crc32c inverts the
// seed on the way in and the result on the way out, which is what makes chaining work.
//
// cancel is polled every kChunk bytes.
#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

#include "drivers/vnpu/kernels/cpu_features.h"
#include "drivers/vnpu/kernels/kernels.h"
#include "drivers/vnpu/kernels/kernels_internal.h"

#ifdef ACCEL_VNPU_X86
#include <immintrin.h>
#endif

namespace accel::vnpu::kernels {
namespace {

using internal::Cancelled;
using internal::Crc32cPath;

constexpr uint32_t kPoly = 0x82F63B78;      // Castagnoli, reflected
constexpr size_t kChunk = size_t{4} << 20;  // bytes between two polls of cancel

using ByteTable = std::array<uint32_t, 256>;

// Slicing-by-8: t[0] is the classic byte-at-a-time table; t[s][v] is the register after byte v
// followed by s zero bytes.
constexpr std::array<ByteTable, 8> MakeSlicingTables() {
  std::array<ByteTable, 8> t{};
  for (uint32_t v = 0; v < 256; ++v) {
    uint32_t crc = v;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kPoly : crc >> 1;
    t[0][v] = crc;
  }
  for (size_t s = 1; s < 8; ++s) {
    for (uint32_t v = 0; v < 256; ++v) t[s][v] = (t[s - 1][v] >> 8) ^ t[0][t[s - 1][v] & 0xff];
  }
  return t;
}
constexpr std::array<ByteTable, 8> kSlicing = MakeSlicingTables();

// Reads 8 bytes as a little-endian integer, whatever the host's byte order.
uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

uint32_t UpdateSlicing8(uint32_t crc, const uint8_t* p, size_t len) {
  for (; len >= 8; p += 8, len -= 8) {
    const uint64_t w = LoadLe64(p) ^ crc;
    crc = kSlicing[7][w & 0xff] ^ kSlicing[6][(w >> 8) & 0xff] ^ kSlicing[5][(w >> 16) & 0xff] ^
          kSlicing[4][(w >> 24) & 0xff] ^ kSlicing[3][(w >> 32) & 0xff] ^
          kSlicing[2][(w >> 40) & 0xff] ^ kSlicing[1][(w >> 48) & 0xff] ^ kSlicing[0][w >> 56];
  }
  for (; len > 0; ++p, --len) crc = (crc >> 8) ^ kSlicing[0][(crc ^ *p) & 0xff];
  return crc;
}

#ifdef ACCEL_VNPU_X86
// a * b modulo the polynomial, both in the reflected representation (bit 31 is x^0), as zlib's
// multmodp.
constexpr uint32_t MultModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = uint32_t{1} << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return product;
}

// x^(8 * bytes) modulo the polynomial: the operator of running `bytes` zero bytes through the
// register.
constexpr uint32_t ZeroBytesOperator(uint64_t bytes) {
  uint32_t result = uint32_t{1} << 31;  // x^0
  uint32_t square = uint32_t{1} << 23;  // x^8
  for (; bytes != 0; bytes >>= 1) {
    if (bytes & 1) result = MultModP(square, result);
    square = MultModP(square, square);
  }
  return result;
}

// shift_L as four byte tables: t[s][v] = (v << 8s) times x^(8L).
constexpr std::array<ByteTable, 4> MakeShiftTables(uint64_t bytes) {
  const uint32_t op = ZeroBytesOperator(bytes);
  std::array<ByteTable, 4> t{};
  for (uint32_t s = 0; s < 4; ++s) {
    for (uint32_t v = 0; v < 256; ++v) t[s][v] = MultModP(op, v << (8 * s));
  }
  return t;
}

uint32_t Shift(const std::array<ByteTable, 4>& t, uint32_t crc) {
  return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
}

// Piece lengths of the three-stream loops: long for bulk, short for what is left of it.
constexpr size_t kLong = 8192;
constexpr size_t kShort = 256;
constexpr std::array<ByteTable, 4> kShiftLong = MakeShiftTables(kLong);
constexpr std::array<ByteTable, 4> kShiftShort = MakeShiftTables(kShort);

__attribute__((target("sse4.2"))) uint64_t Crc64(uint64_t crc, const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm_crc32_u64(crc, v);
}

// Three streams of `piece` bytes each, while at least 3 * piece bytes are left.
__attribute__((target("sse4.2"))) uint64_t Streams3(uint64_t crc0, const uint8_t*& p, size_t& len,
                                                    size_t piece,
                                                    const std::array<ByteTable, 4>& shift) {
  while (len >= 3 * piece) {
    uint64_t crc1 = 0;
    uint64_t crc2 = 0;
    for (const uint8_t* end = p + piece; p < end; p += 8) {
      crc0 = Crc64(crc0, p);
      crc1 = Crc64(crc1, p + piece);
      crc2 = Crc64(crc2, p + 2 * piece);
    }
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc1;
    crc0 = Shift(shift, static_cast<uint32_t>(crc0)) ^ crc2;
    p += 2 * piece;
    len -= 3 * piece;
  }
  return crc0;
}

__attribute__((target("sse4.2"))) uint32_t UpdateSse42(uint32_t crc, const uint8_t* p, size_t len) {
  // Byte steps up to an 8-byte boundary, so that the 8-byte loads below are aligned.
  for (; len > 0 && reinterpret_cast<uintptr_t>(p) % 8 != 0; ++p, --len) {
    crc = _mm_crc32_u8(crc, *p);
  }
  uint64_t crc64 = crc;
  crc64 = Streams3(crc64, p, len, kLong, kShiftLong);
  crc64 = Streams3(crc64, p, len, kShort, kShiftShort);
  for (; len >= 8; p += 8, len -= 8) crc64 = Crc64(crc64, p);
  crc = static_cast<uint32_t>(crc64);
  for (; len > 0; ++p, --len) crc = _mm_crc32_u8(crc, *p);
  return crc;
}
#endif  // ACCEL_VNPU_X86

}  // namespace

namespace internal {

bool Supported(Crc32cPath path) {
  return path == Crc32cPath::kSlicing8 || CpuHas(CpuFeature::kSse42);
}

Crc32cPath BestCrc32cPath() {
  static const Crc32cPath best =
      Supported(Crc32cPath::kSse42) ? Crc32cPath::kSse42 : Crc32cPath::kSlicing8;
  return best;
}

uint32_t Crc32cUpdate(Crc32cPath path, uint32_t crc, const uint8_t* data, size_t len) {
#ifdef ACCEL_VNPU_X86
  if (path == Crc32cPath::kSse42) return UpdateSse42(crc, data, len);
#endif
  (void)path;
  return UpdateSlicing8(crc, data, len);
}

}  // namespace internal

int Crc32c(const uint8_t* data, uint64_t len, uint32_t seed, uint32_t* out,
           const std::atomic<bool>* cancel) {
  if (Cancelled(cancel)) return -ECANCELED;
  const Crc32cPath path = internal::BestCrc32cPath();
  uint32_t crc = ~seed;
  for (uint64_t done = 0; done < len; done += kChunk) {
    if (done != 0 && Cancelled(cancel)) return -ECANCELED;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, len - done));
    crc = internal::Crc32cUpdate(path, crc, data + done, n);
  }
  *out = ~crc;
  return 0;
}

}  // namespace accel::vnpu::kernels
