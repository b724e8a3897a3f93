// wire.cc - frame parsing and building; see wire.h and docs/wire-protocol.md.
#include "wire/wire.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace accel::wire {

Result<FrameView> ParseFrame(const uint8_t* buf, size_t received, bool truncated) {
  if (truncated || received > kMaxFrame) return Err(EMSGSIZE);
  if (received < sizeof(Header)) return Err(EBADMSG);
  FrameView v;
  std::memcpy(&v.header, buf, sizeof(Header));
  if (v.header.magic != kMagic) return Err(EBADMSG);
  if (v.header.length != received - sizeof(Header)) return Err(EBADMSG);
  v.payload = std::span(buf + sizeof(Header), v.header.length);
  return v;
}

uint32_t SeqOf(const uint8_t* buf, size_t received) {
  Header h;
  if (received < sizeof(Header)) return 0;
  std::memcpy(&h, buf, sizeof(h));
  return h.magic == kMagic ? h.seq : 0;
}

Header MakeHeader(Op op, uint32_t seq, int32_t status, uint32_t arg, uint32_t length, bool reply,
                  uint16_t version) {
  Header h{};
  h.magic = kMagic;
  h.version = version;
  h.op = static_cast<uint16_t>(static_cast<uint16_t>(op) | (reply ? kReplyBit : 0));
  h.seq = seq;
  h.status = status;
  h.arg = arg;
  h.length = length;
  return h;
}

std::vector<uint8_t> BuildFrame(Op op, uint32_t seq, int32_t status, uint32_t arg,
                                std::span<const uint8_t> payload, bool reply, uint16_t version) {
  std::vector<uint8_t> out(sizeof(Header) + payload.size());
  Header h =
      MakeHeader(op, seq, status, arg, static_cast<uint32_t>(payload.size()), reply, version);
  std::memcpy(out.data(), &h, sizeof(h));
  if (!payload.empty()) std::memcpy(out.data() + sizeof(h), payload.data(), payload.size());
  return out;
}

void AppendSegment(std::vector<uint8_t>& out, uint64_t addr, const void* src, uint32_t len) {
  SegmentHeader h{addr, len, 0};
  const size_t at = out.size();
  const size_t padded = (static_cast<size_t>(len) + 7) & ~size_t{7};
  out.resize(at + sizeof(h) + padded, 0);
  std::memcpy(out.data() + at, &h, sizeof(h));
  if (len) std::memcpy(out.data() + at + sizeof(h), src, len);
}

void CopyField(char* dst, size_t cap, std::string_view src) {
  const size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  std::memset(dst + n, 0, cap - n);
}

std::string FieldString(const char* src, size_t cap) {
  return std::string(src, strnlen(src, cap));
}

}  // namespace accel::wire
