// wire_frame_fuzz.cc - the socket protocol's frame and copy-out segment decoders.
//
// Input: one control byte, then the bytes of a datagram as recv() would deliver them.
//   control bit 0  the MSG_TRUNC flag given to ParseFrame (a frame longer than the buffer)
//
// Every frame goes through wire::ParseFrame, whose verdict is compared with the rule of
// docs/wire-protocol.md restated here (a frame whose length field lies must be refused; a
// frame that keeps the rules must be accepted). Accepted frames must round-trip through
// BuildFrame. IOCTL replies then have their copy-out segments walked with
// wire::ForEachSegment, as libaccel does: every segment must lie inside the payload, and the
// segments must round-trip through AppendSegment.
#include <linux/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "wire/wire.h"

namespace {

namespace wire = accel::wire;

struct Segment {
  uint64_t addr;
  const uint8_t* data;
  uint32_t len;
};

// Reads every byte of a segment (so ASan sees any out-of-bounds one) into a value the
// optimiser cannot drop.
uint8_t Touch(const uint8_t* p, size_t n) {
  uint8_t x = 0;
  for (size_t i = 0; i < n; ++i) x ^= p[i];
  return x;
}

// The acceptance rule of docs/wire-protocol.md ("A frame is malformed when..."), stated
// independently of wire.cc.
bool ShouldAccept(const uint8_t* buf, size_t n, bool truncated) {
  if (truncated || n > wire::kMaxFrame || n < sizeof(wire::Header)) return false;
  uint32_t magic, length;
  std::memcpy(&magic, buf + offsetof(wire::Header, magic), sizeof(magic));
  std::memcpy(&length, buf + offsetof(wire::Header, length), sizeof(length));
  return magic == wire::kMagic && length == n - sizeof(wire::Header);
}

void CheckSegments(std::span<const uint8_t> bytes) {
  std::vector<Segment> segs;
  volatile uint8_t sink = 0;
  accel::Result<void> r =
      wire::ForEachSegment(bytes, [&](uint64_t addr, const uint8_t* data, uint32_t len) {
        FUZZ_CHECK(data >= bytes.data() && len <= bytes.size() &&
                       static_cast<size_t>(data - bytes.data()) <= bytes.size() - len,
                   "segment of %u bytes outside the %zu-byte payload", len, bytes.size());
        sink = sink ^ Touch(data, len);
        segs.push_back({addr, data, len});
      });
  if (!r) {
    FUZZ_CHECK(r.error() == -EBADMSG, "ForEachSegment error %d", r.error());
    return;
  }
  // Re-encoding the segments gives the same layout (padding bytes may differ: the decoder
  // does not look at them).
  std::vector<uint8_t> rebuilt;
  for (const Segment& s : segs) wire::AppendSegment(rebuilt, s.addr, s.data, s.len);
  FUZZ_CHECK(rebuilt.size() == bytes.size(), "%zu segment bytes re-encode to %zu", bytes.size(),
             rebuilt.size());
  size_t i = 0;
  accel::Result<void> again =
      wire::ForEachSegment(rebuilt, [&](uint64_t addr, const uint8_t* data, uint32_t len) {
        FUZZ_CHECK(i < segs.size() && addr == segs[i].addr && len == segs[i].len &&
                       std::memcmp(data, segs[i].data, len) == 0,
                   "segment %zu differs after re-encoding", i);
        ++i;
      });
  FUZZ_CHECK(again && i == segs.size(), "re-encoded segments do not parse back");
}

void CheckFrame(const uint8_t* buf, size_t n, bool truncated) {
  accel::Result<wire::FrameView> v = wire::ParseFrame(buf, n, truncated);
  const uint32_t seq = wire::SeqOf(buf, n);  // the daemon calls it on refused frames too
  const bool expect = ShouldAccept(buf, n, truncated);
  if (!v) {
    FUZZ_CHECK(!expect, "a well-formed %zu-byte frame was refused with %d", n, v.error());
    FUZZ_CHECK(v.error() == (truncated || n > wire::kMaxFrame ? -EMSGSIZE : -EBADMSG),
               "frame of %zu bytes (truncated=%d) refused with %d", n, truncated, v.error());
    return;
  }
  FUZZ_CHECK(expect, "a malformed %zu-byte frame was accepted", n);
  const wire::Header& h = v->header;
  FUZZ_CHECK(v->payload.data() == buf + sizeof(wire::Header) && v->payload.size() == h.length &&
                 h.length == n - sizeof(wire::Header),
             "payload view (%zu bytes) disagrees with length %u of a %zu-byte frame",
             v->payload.size(), h.length, n);
  FUZZ_CHECK(seq == h.seq, "SeqOf %u, header seq %u", seq, h.seq);

  const bool reply = (h.op & wire::kReplyBit) != 0;
  std::vector<uint8_t> rebuilt = wire::BuildFrame(static_cast<wire::Op>(h.op & ~wire::kReplyBit),
                                                  h.seq, h.status, h.arg, v->payload, reply);
  FUZZ_CHECK(rebuilt.size() == n, "rebuilt frame has %zu bytes, not %zu", rebuilt.size(), n);
  // BuildFrame always writes kVersion; every other byte must come back unchanged.
  std::memcpy(rebuilt.data() + offsetof(wire::Header, version),
              buf + offsetof(wire::Header, version), sizeof(h.version));
  FUZZ_CHECK(std::memcmp(rebuilt.data(), buf, n) == 0, "frame does not round-trip");

  // An IOCTL reply: the struct (_IOC_SIZE(arg) bytes), then copy-out segments.
  if (h.op != (static_cast<uint16_t>(wire::Op::kIoctl) | wire::kReplyBit)) return;
  const size_t struct_size = _IOC_SIZE(h.arg);
  if (struct_size > v->payload.size()) return;  // libaccel refuses such a reply
  CheckSegments(v->payload.subspan(struct_size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool truncated = (data[0] & 1) != 0;
  // A block of exactly the frame's size: a read past its end is a heap overflow to ASan
  // (libFuzzer's own buffer has the control byte in front but nothing after).
  const size_t n = size - 1;
  auto frame = std::make_unique<uint8_t[]>(n);
  if (n) std::memcpy(frame.get(), data + 1, n);
  CheckFrame(frame.get(), n, truncated);
  return 0;
}
