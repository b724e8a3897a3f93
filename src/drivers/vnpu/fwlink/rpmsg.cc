// rpmsg.cc - see rpmsg.h.
#include "drivers/vnpu/fwlink/rpmsg.h"

#include <cerrno>
#include <cstring>

namespace accel::vnpu::fwlink {

Result<size_t> BuildRpmsg(std::span<uint8_t> buffer, uint32_t src, uint32_t dst,
                          std::span<const uint8_t> payload) {
  if (payload.size() > fw::kMaxPayload || buffer.size() < sizeof(fw::RpmsgHeader) ||
      payload.size() > buffer.size() - sizeof(fw::RpmsgHeader))
    return Err(EMSGSIZE);
  fw::RpmsgHeader h{};
  h.src = src;
  h.dst = dst;
  h.len = static_cast<uint16_t>(payload.size());
  std::memcpy(buffer.data(), &h, sizeof(h));
  if (!payload.empty()) std::memcpy(buffer.data() + sizeof(h), payload.data(), payload.size());
  return sizeof(h) + payload.size();
}

Result<RpmsgMessage> ParseRpmsg(std::span<const uint8_t> bytes) {
  fw::RpmsgHeader h;
  if (bytes.size() < sizeof(h)) return Err(EBADMSG);
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (h.len > fw::kMaxPayload || h.len > bytes.size() - sizeof(h)) return Err(EBADMSG);
  return RpmsgMessage{h.src, h.dst, h.flags, bytes.subspan(sizeof(h), h.len)};
}

Result<fw::RpmsgNsMessage> MakeNsAnnouncement(std::string_view name, uint32_t addr) {
  fw::RpmsgNsMessage m{};
  if (name.empty() || name.find('\0') != std::string_view::npos) return Err(EINVAL);
  if (name.size() >= sizeof(m.name)) return Err(ENAMETOOLONG);
  std::memcpy(m.name, name.data(), name.size());
  m.addr = addr;
  m.flags = fw::kNsCreate;
  return m;
}

Result<NsAnnouncement> ParseNsAnnouncement(std::span<const uint8_t> payload) {
  fw::RpmsgNsMessage m;
  if (payload.size() != sizeof(m)) return Err(EBADMSG);
  std::memcpy(&m, payload.data(), sizeof(m));
  const void* nul = std::memchr(m.name, '\0', sizeof(m.name));
  if (nul == nullptr || nul == m.name) return Err(EBADMSG);
  if (m.flags != fw::kNsCreate && m.flags != kNsDestroy) return Err(EBADMSG);
  NsAnnouncement a;
  a.name.assign(m.name, static_cast<const char*>(nul) - m.name);
  a.addr = m.addr;
  a.flags = m.flags;
  return a;
}

}  // namespace accel::vnpu::fwlink
