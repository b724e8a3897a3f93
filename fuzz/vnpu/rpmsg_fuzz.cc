// rpmsg_fuzz.cc - the firmware link's message parsers on arbitrary bytes.
//
// Input: the bytes of one rx buffer as a hostile firmware could have written them (the driver
// copies at most fw::kBufferSize of them out of shared memory before parsing). They go through
// the driver's path in FirmwareProcess: ParseRpmsg, then ParseNsAnnouncement for the name
// service or ParseFirmwareMessage otherwise; and, as the same bytes could come the other way,
// the firmware's ParseDriverMessage.
//
// Oracles: every verdict matches the rules of rpmsg.h and fw_messages.h restated here; every
// view points inside the input; accepted messages rebuild to the same bytes (BuildRpmsg,
// MakeNsAnnouncement) except the fields the builders define (reserved, flags, name padding).
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include "../fuzz_check.h"
#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/rpmsg.h"

namespace {

namespace fw = accel::vnpu::fw;
namespace fwlink = accel::vnpu::fwlink;

bool Inside(std::span<const uint8_t> inner, std::span<const uint8_t> outer) {
  return inner.data() >= outer.data() && inner.size() <= outer.size() &&
         static_cast<size_t>(inner.data() - outer.data()) <= outer.size() - inner.size();
}

uint32_t U32(std::span<const uint8_t> b, size_t off) {
  uint32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

void CheckNs(std::span<const uint8_t> p) {
  accel::Result<fwlink::NsAnnouncement> a = fwlink::ParseNsAnnouncement(p);
  bool expect = p.size() == sizeof(fw::RpmsgNsMessage);
  const void* nul = expect ? std::memchr(p.data(), 0, 32) : nullptr;
  expect = expect && nul != nullptr && nul != p.data();
  expect = expect && (U32(p, 36) == fw::kNsCreate || U32(p, 36) == fwlink::kNsDestroy);
  if (!a) {
    FUZZ_CHECK(!expect, "a well-formed announcement was refused with %d", a.error());
    FUZZ_CHECK(a.error() == -EBADMSG, "announcement refused with %d", a.error());
    return;
  }
  FUZZ_CHECK(expect, "a malformed %zu-byte announcement was accepted", p.size());
  FUZZ_CHECK(!a->name.empty() && a->name.size() < 32 && a->name.find('\0') == std::string::npos,
             "name of %zu bytes", a->name.size());
  FUZZ_CHECK(a->addr == U32(p, 32) && a->flags == U32(p, 36), "addr or flags differ");
  accel::Result<fw::RpmsgNsMessage> m = fwlink::MakeNsAnnouncement(a->name, a->addr);
  FUZZ_CHECK(m.ok(), "an accepted name does not rebuild (%d)", m.error());
  FUZZ_CHECK(std::memcmp(m->name, p.data(), a->name.size() + 1) == 0, "name does not rebuild");
}

void CheckFirmwareMessage(std::span<const uint8_t> p) {
  accel::Result<fwlink::FirmwareMessage> m = fwlink::ParseFirmwareMessage(p);
  if (!m) {
    FUZZ_CHECK(m.error() == -EBADMSG || m.error() == -ENOMSG, "refused with %d", m.error());
    if (m.error() == -ENOMSG) {
      FUZZ_CHECK(p.size() >= 4, "%zu bytes called an unknown type", p.size());
      const uint32_t t = U32(p, 0);
      FUZZ_CHECK(t != fw::kHello && t != fw::kHeartbeat && t != fw::kRasBlob,
                 "type %u called unknown", t);
    }
    return;
  }
  FUZZ_CHECK(p.size() >= 4, "accepted without a type");
  const uint32_t type = U32(p, 0);
  if (const auto* h = std::get_if<fw::Hello>(&*m)) {
    FUZZ_CHECK(
        type == fw::kHello && p.size() == sizeof(*h) && std::memcmp(h, p.data(), sizeof(*h)) == 0,
        "hello of %zu bytes", p.size());
  } else if (const auto* hb = std::get_if<fw::Heartbeat>(&*m)) {
    FUZZ_CHECK(type == fw::kHeartbeat && p.size() == sizeof(*hb) &&
                   std::memcmp(hb, p.data(), sizeof(*hb)) == 0,
               "heartbeat of %zu bytes", p.size());
  } else {
    const auto& blob = std::get<fwlink::RasBlobView>(*m);
    FUZZ_CHECK(type == fw::kRasBlob && p.size() > sizeof(fw::RasBlobHeader), "blob of %zu bytes",
               p.size());
    FUZZ_CHECK(blob.format == U32(p, 4), "format differs");
    FUZZ_CHECK(blob.blob.data() == p.data() + sizeof(fw::RasBlobHeader) &&
                   blob.blob.size() == p.size() - sizeof(fw::RasBlobHeader),
               "blob view outside the payload");
  }
}

void CheckDriverMessage(std::span<const uint8_t> p) {
  accel::Result<fwlink::DriverMessage> m = fwlink::ParseDriverMessage(p);
  if (!m) {
    FUZZ_CHECK(m.error() == -EBADMSG || m.error() == -ENOMSG || m.error() == -EINVAL,
               "refused with %d", m.error());
    return;
  }
  if (const auto* cf = std::get_if<fwlink::CheckedFault>(&*m)) {
    const fw::Fault* f = &cf->fault();
    FUZZ_CHECK(p.size() == sizeof(*f) && f->type == fw::kFault, "fault of %zu bytes", p.size());
    FUZZ_CHECK(fwlink::CheckFault(*f).ok(), "an accepted fault fails CheckFault");
    FUZZ_CHECK(std::memchr(f->message, 0, sizeof(f->message)) != nullptr, "message unterminated");
  } else {
    const uint32_t t = std::get<fw::Simple>(*m).type;
    FUZZ_CHECK(p.size() == 4 && (t == fw::kRasRequest || t == fw::kShutdown ||
                                 t == fw::kStopHeartbeat || t == fw::kProbeSandbox),
               "simple message %u of %zu bytes", t, p.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // What the driver copies out of a buffer; a block of exactly that size, so that ASan sees a
  // read one past its end.
  const size_t n = size < fw::kBufferSize ? size : fw::kBufferSize;
  auto copy = std::make_unique<uint8_t[]>(n);
  if (n) std::memcpy(copy.get(), data, n);
  const std::span<const uint8_t> bytes(copy.get(), n);

  accel::Result<fwlink::RpmsgMessage> m = fwlink::ParseRpmsg(bytes);
  bool expect = n >= sizeof(fw::RpmsgHeader);
  uint16_t len = 0;
  if (expect) {
    std::memcpy(&len, bytes.data() + 12, 2);
    expect = len <= fw::kMaxPayload && len <= n - sizeof(fw::RpmsgHeader);
  }
  if (!m) {
    FUZZ_CHECK(!expect, "a well-formed %zu-byte message was refused with %d", n, m.error());
    FUZZ_CHECK(m.error() == -EBADMSG, "refused with %d", m.error());
    return 0;
  }
  FUZZ_CHECK(expect, "a malformed %zu-byte message was accepted", n);
  FUZZ_CHECK(Inside(m->payload, bytes) && m->payload.data() == bytes.data() + 16 &&
                 m->payload.size() == len,
             "payload view disagrees with len %u", len);

  // Rebuilt: the same bytes but for reserved and flags, which the builder zeroes.
  std::vector<uint8_t> rebuilt(fw::kBufferSize);
  accel::Result<size_t> r = fwlink::BuildRpmsg(rebuilt, m->src, m->dst, m->payload);
  FUZZ_CHECK(r.ok() && *r == 16u + len, "an accepted message does not rebuild");
  std::memcpy(rebuilt.data() + 8, bytes.data() + 8, 4);
  std::memcpy(rebuilt.data() + 14, bytes.data() + 14, 2);
  FUZZ_CHECK(std::memcmp(rebuilt.data(), bytes.data(), *r) == 0, "message does not round-trip");

  if (m->dst == fw::kNsAddr) CheckNs(m->payload);
  CheckFirmwareMessage(m->payload);
  CheckDriverMessage(m->payload);
  return 0;
}
