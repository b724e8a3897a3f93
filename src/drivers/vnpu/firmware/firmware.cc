// firmware.cc - see firmware.h.
#include "drivers/vnpu/firmware/firmware.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <variant>

#include "drivers/vnpu/fwlink/rpmsg.h"
#include "uapi/accel/accel.h"

namespace accel::vnpu::firmware {
namespace {

constexpr uint32_t kRpmsgAddrAny = 0xffffffff;  // RPMSG_ADDR_ANY: never a real source

uint64_t NowNs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void DrainEventfd(int fd) {
  uint64_t v;
  while (read(fd, &v, sizeof(v)) == static_cast<ssize_t>(sizeof(v))) {
  }
}

}  // namespace

Firmware::Firmware(std::span<uint8_t> region, const fwlink::RegionLayout& layout, int kick_fd,
                   int call_fd, FirmwareConfig cfg)
    : rx_(region, layout, 0, /*device_writes=*/true),
      tx_(region, layout, 1, /*device_writes=*/false),
      kick_fd_(kick_fd),
      call_fd_(call_fd),
      cfg_(std::move(cfg)),
      ras_(cfg_.serial),
      boot_ns_(NowNs(CLOCK_MONOTONIC)) {}

int Firmware::Run() {
  Result<fw::RpmsgNsMessage> ns = fwlink::MakeNsAnnouncement(fw::kServiceName, fw::kFirmwareAddr);
  if (!ns) return kExitSetup;
  Queue(fw::kNsAddr, &*ns, sizeof(*ns));
  for (;;) {
    if (Result<void> r = Flush(); !r) return kExitProtocol;
    Notify();
    pollfd p = {kick_fd_, POLLIN, 0};
    if (poll(&p, 1, PollTimeoutMs()) < 0 && errno != EINTR) {
      Log("poll: %s", strerror(errno));
      return kExitSetup;
    }
    if (p.revents & POLLIN) DrainEventfd(kick_fd_);
    if (const int rc = ServeTx(); rc >= 0) {
      Notify();  // hand back the buffers we consumed, even on the way out
      return rc;
    }
    if (have_driver_ && heartbeats_ && NowNs(CLOCK_MONOTONIC) >= next_beat_ns_) QueueHeartbeat();
  }
}

int Firmware::PollTimeoutMs() const {
  if (!have_driver_ || !heartbeats_) return -1;
  const uint64_t now = NowNs(CLOCK_MONOTONIC);
  if (now >= next_beat_ns_) return 0;
  return static_cast<int>((next_beat_ns_ - now + 999'999) / 1'000'000);  // never early
}

int Firmware::ServeTx() {
  // Each message queues at most two answers (HELLO and a blob). While the driver has not taken
  // what is queued, its messages wait in the tx ring, so its senders see -ENOBUFS instead of
  // us dropping answers.
  while (pending_.size() + 2 <= kMaxPending) {
    Result<fwlink::AvailBuffer> b = tx_.GetAvail();
    if (!b) {
      if (b.error() == -EAGAIN) return -1;
      Log("the driver corrupted the tx ring (%d); stopping", b.error());
      return kExitProtocol;
    }
    // Copied out before parsing: the driver cannot change it under our checks. One message
    // per buffer; a descriptor longer than that carries nothing more.
    std::array<uint8_t, fw::kBufferSize> local;
    const size_t n = std::min(b->data.size(), local.size());
    std::memcpy(local.data(), b->data.data(), n);
    (void)tx_.PutUsed(b->head, 0);  // head came from GetAvail: in range
    notify_ = true;

    Result<fwlink::RpmsgMessage> m = fwlink::ParseRpmsg({local.data(), n});
    if (!m) {
      Log("malformed rpmsg message dropped (%d)", m.error());
      continue;
    }
    if (m->dst != fw::kFirmwareAddr || (have_driver_ && m->src != driver_addr_)) {
      Log("message from %u to %u dropped", m->src, m->dst);
      continue;
    }
    Result<fwlink::DriverMessage> dm = fwlink::ParseDriverMessage(m->payload);
    if (!dm) {
      Log("malformed driver message dropped (%d)", dm.error());
      continue;
    }
    if (!have_driver_) {
      if (m->src == kRpmsgAddrAny || m->src == fw::kNsAddr || m->src == fw::kFirmwareAddr) {
        Log("first message from impossible address %u dropped", m->src);
        continue;
      }
      have_driver_ = true;
      driver_addr_ = m->src;
      const fw::Hello hello{fw::kHello,
                            kVersionMajor,
                            kVersionMinor,
                            kVersionPatch,
                            0,
                            cfg_.heartbeat_ms,
                            static_cast<uint32_t>(getpid())};
      Queue(driver_addr_, &hello, sizeof(hello));
      next_beat_ns_ = NowNs(CLOCK_MONOTONIC) + cfg_.heartbeat_ms * 1'000'000ull;
    }
    if (Handle(*dm)) return kExitOk;
  }
  return -1;
}

bool Firmware::Handle(const fwlink::DriverMessage& m) {
  if (const auto* f = std::get_if<fwlink::CheckedFault>(&m)) {
    ras_.Apply(*f, NowNs(CLOCK_REALTIME));
    QueueRasBlob();
    return false;
  }
  switch (std::get<fw::Simple>(m).type) {
    case fw::kRasRequest:
      QueueRasBlob();
      return false;
    case fw::kStopHeartbeat:
      heartbeats_ = false;
      return false;
    case fw::kProbeSandbox: {
      // What a compromised firmware would try first: reach the network. Sandboxed (main.cc),
      // the filter kills the process here; the log line after it shows when it did not.
      const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      Log("sandbox probe: socket(2) was allowed (%s)", s >= 0 ? "no sandbox" : strerror(errno));
      if (s >= 0) close(s);
      return false;
    }
    case fw::kShutdown:
      return true;
    default:
      return false;  // ParseDriverMessage lets no other type through
  }
}

void Firmware::QueueHeartbeat() {
  const uint64_t now = NowNs(CLOCK_MONOTONIC);
  const fw::Heartbeat hb{fw::kHeartbeat, ++heartbeat_seq_, now - boot_ns_};
  Queue(driver_addr_, &hb, sizeof(hb));
  // On schedule, without a burst of catch-up beats after a stall.
  const uint64_t period = cfg_.heartbeat_ms * 1'000'000ull;
  next_beat_ns_ += period;
  if (next_beat_ns_ <= now) next_beat_ns_ = now + period;
}

void Firmware::QueueRasBlob() {
  Result<std::vector<uint8_t>> blob = ras_.EncodeBlob(NowNs(CLOCK_REALTIME));
  if (!blob) {
    Log("cannot encode the RAS blob (%d)", blob.error());
    return;
  }
  std::vector<uint8_t> payload(sizeof(fw::RasBlobHeader) + blob->size());
  const fw::RasBlobHeader h{fw::kRasBlob, ACCEL_RAS_FMT_CBOR};
  std::memcpy(payload.data(), &h, sizeof(h));
  std::memcpy(payload.data() + sizeof(h), blob->data(), blob->size());
  Queue(driver_addr_, payload.data(), payload.size());
}

void Firmware::Queue(uint32_t dst, const void* payload, size_t len) {
  if (pending_.size() >= kMaxPending) {
    pending_.pop_front();
    Log("the driver posts no rx buffers: oldest message dropped");
  }
  const auto* p = static_cast<const uint8_t*>(payload);
  pending_.push_back({dst, std::vector<uint8_t>(p, p + len)});
}

Result<void> Firmware::Flush() {
  while (!pending_.empty()) {
    Result<fwlink::AvailBuffer> b = rx_.GetAvail();
    if (!b) {
      if (b.error() == -EAGAIN) return {};  // the driver kicks when it posts more
      Log("the driver corrupted the rx ring (%d); stopping", b.error());
      return Errno{b.error()};
    }
    const Outgoing& out = pending_.front();
    Result<size_t> n = fwlink::BuildRpmsg(b->data, fw::kFirmwareAddr, out.dst, out.payload);
    if (!n) {
      Log("rx buffer of %zu bytes cannot hold a message; stopping", b->data.size());
      return Err(EPROTO);
    }
    (void)rx_.PutUsed(b->head, static_cast<uint32_t>(*n));
    notify_ = true;
    pending_.pop_front();
  }
  return {};
}

void Firmware::Notify() {
  if (!notify_) return;
  notify_ = false;
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(call_fd_, &one, sizeof(one));
}

void Firmware::Log(const char* fmt, ...) {
  if (log_budget_ == 0) return;
  if (--log_budget_ == 0) {
    std::fprintf(stderr, "vnpu-fw[%d]: too many messages; going quiet\n", getpid());
    return;
  }
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "vnpu-fw[%d]: %s\n", getpid(), line);
}

}  // namespace accel::vnpu::firmware
