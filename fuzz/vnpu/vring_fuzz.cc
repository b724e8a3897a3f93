// vring_fuzz.cc - a shared region whose header and rings were corrupted by the other side,
// with both sides' ring operations run on it.
//
// The region lives in one heap block of exactly its size, so that ASan reports any read or
// write outside the "mapping". The harness first plays the driver as FirmwareProcess does
// (InitRegion, every rx buffer posted, some tx messages sent), then lets the input overwrite
// what a hostile peer could, then runs:
//   - the firmware's side: ValidateRegion on the header, and on the layout it accepts, the
//     device halves of both queues (take every available buffer, read or write it, give it
//     back), parsing what it reads as firmware.cc does;
//   - the driver's side: GetUsed on both queues with the driver's own records, requeueing
//     rx buffers, parsing what it reads as FirmwareProcess does.
//
// Input:
//   byte 0       control: bits 0-1 log2(num) - 1 (num 2, 4, 8, 16); bit 2: the header is
//                overwritten too; bits 3-7: tx messages the driver sent first (mod num + 1)
//   next 56      the header (RegionHeader), when bit 2 is set
//   next         vring 0 then vring 1, as laid out for num (a short input leaves the rest as
//                the driver wrote it)
//   rest         the contents of the pool's first buffers (messages to parse)
//
// Oracles: no access outside the block (ASan); every buffer either side is handed lies in the
// pool of the layout it trusts; errors are -EAGAIN or -EPROTO only; the driver never gets the
// same buffer back twice without requeueing it.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "../fuzz_check.h"
#include "drivers/vnpu/fwlink/fw_messages.h"
#include "drivers/vnpu/fwlink/rpmsg.h"
#include "drivers/vnpu/fwlink/shared_region.h"
#include "drivers/vnpu/fwlink/virtqueue.h"

namespace {

namespace fw = accel::vnpu::fw;
namespace fwlink = accel::vnpu::fwlink;

// Cursor over the input.
struct Input {
  const uint8_t* p;
  size_t n;
  // Copies up to `len` bytes to `dst` (fewer when the input runs out).
  void Overlay(uint8_t* dst, size_t len) {
    const size_t k = len < n ? len : n;
    if (k) std::memcpy(dst, p, k);
    p += k;
    n -= k;
  }
};

bool InPool(std::span<const uint8_t> b, const uint8_t* base, const fwlink::RegionLayout& l) {
  const uint8_t* pool = base + l.pool_offset;
  return b.data() >= pool && b.size() <= l.pool_size &&
         static_cast<uint64_t>(b.data() - pool) <= l.pool_size - b.size();
}

void CheckError(int err, const char* what) {
  FUZZ_CHECK(err == -EAGAIN || err == -EPROTO, "%s: %d", what, err);
}

// What firmware.cc does with a message: copy one buffer's worth, parse it.
void ParseAsFirmware(std::span<const uint8_t> data) {
  uint8_t local[fw::kBufferSize];
  const size_t n = data.size() < sizeof(local) ? data.size() : sizeof(local);
  std::memcpy(local, data.data(), n);
  accel::Result<fwlink::RpmsgMessage> m = fwlink::ParseRpmsg({local, n});
  if (m) (void)fwlink::ParseDriverMessage(m->payload);
}

// The firmware's side, on whatever layout it accepts.
void RunDevice(std::span<uint8_t> region) {
  accel::Result<fwlink::RegionLayout> l = fwlink::ValidateRegion(region);
  if (!l) return;
  fwlink::DeviceQueue rx(region, *l, 0, /*device_writes=*/true);
  fwlink::DeviceQueue tx(region, *l, 1, /*device_writes=*/false);
  for (uint32_t i = 0; i < 2 * l->num + 2; ++i) {
    accel::Result<fwlink::AvailBuffer> b = tx.GetAvail();
    if (!b) {
      CheckError(b.error(), "device tx");
      break;
    }
    FUZZ_CHECK(InPool(b->data, region.data(), *l), "tx buffer outside the pool");
    ParseAsFirmware(b->data);
    FUZZ_CHECK(tx.PutUsed(b->head, 0).ok(), "PutUsed of a head GetAvail gave");
  }
  const fw::Heartbeat hb{fw::kHeartbeat, 1, 1};
  for (uint32_t i = 0; i < 2 * l->num + 2; ++i) {
    accel::Result<fwlink::AvailBuffer> b = rx.GetAvail();
    if (!b) {
      CheckError(b.error(), "device rx");
      break;
    }
    FUZZ_CHECK(InPool(b->data, region.data(), *l), "rx buffer outside the pool");
    accel::Result<size_t> n =
        fwlink::BuildRpmsg(b->data, fw::kFirmwareAddr, fw::kDriverAddr,
                           {reinterpret_cast<const uint8_t*>(&hb), sizeof(hb)});
    FUZZ_CHECK(rx.PutUsed(b->head, n ? static_cast<uint32_t>(*n) : 0).ok(), "rx PutUsed");
  }
}

// The driver's side: what it gets back must be what it posted.
void RunDriver(std::span<uint8_t> region, const fwlink::RegionLayout& l, fwlink::DriverQueue& q,
               int index, std::vector<uint32_t>& posted_len) {
  for (uint32_t i = 0; i < 2 * l.num + 2; ++i) {
    accel::Result<fwlink::UsedBuffer> u = q.GetUsed();
    if (!u) {
      CheckError(u.error(), "driver");
      return;  // -EPROTO: FirmwareProcess would kill the firmware here
    }
    FUZZ_CHECK(u->id < l.num && posted_len[u->id] != 0, "id %u was not in flight", u->id);
    const uint8_t* want = region.data() + l.buffer_offset(index * l.num + u->id);
    FUZZ_CHECK(u->data.data() == want && u->data.size() == posted_len[u->id],
               "buffer %u is not the one posted", u->id);
    FUZZ_CHECK(u->len <= u->data.size(), "used len %u beyond the buffer", u->len);
    posted_len[u->id] = 0;
    if (index == 0) {  // as FirmwareProcess::ReceiveAll: copy out, requeue, parse
      uint8_t local[fw::kBufferSize];
      std::memcpy(local, u->data.data(), u->len);
      FUZZ_CHECK(q.Add(u->id, l.buffer_offset(u->id), fw::kBufferSize, true).ok(), "requeue");
      posted_len[u->id] = fw::kBufferSize;
      accel::Result<fwlink::RpmsgMessage> m = fwlink::ParseRpmsg({local, u->len});
      if (m) (void)fwlink::ParseFirmwareMessage(m->payload);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Input in{data + 1, size - 1};
  const uint8_t control = data[0];
  const uint32_t num = 2u << (control & 3);
  accel::Result<fwlink::RegionLayout> layout = fwlink::LayoutFor(num);
  FUZZ_CHECK(layout.ok(), "LayoutFor(%u)", num);
  const fwlink::RegionLayout& l = *layout;
  auto block = std::make_unique<uint8_t[]>(l.region_size);
  const std::span<uint8_t> region(block.get(), l.region_size);
  fwlink::InitRegion(region, l);

  // The driver, before the peer does anything: every rx buffer posted, some tx messages sent.
  fwlink::DriverQueue rx(region, l, 0), tx(region, l, 1);
  std::vector<uint32_t> rx_len(num, 0), tx_len(num, 0);
  for (uint16_t i = 0; i < num; ++i) {
    FUZZ_CHECK(rx.Add(i, l.buffer_offset(i), fw::kBufferSize, true).ok(), "post rx");
    rx_len[i] = fw::kBufferSize;
  }
  const uint32_t sends = (control >> 3) % (num + 1);
  const fw::Simple req{fw::kRasRequest};
  for (uint16_t i = 0; i < sends; ++i) {
    const uint64_t off = l.buffer_offset(num + i);
    accel::Result<size_t> n =
        fwlink::BuildRpmsg(region.subspan(off, fw::kBufferSize), fw::kDriverAddr, fw::kFirmwareAddr,
                           {reinterpret_cast<const uint8_t*>(&req), 4});
    FUZZ_CHECK(n.ok() && tx.Add(i, off, static_cast<uint32_t>(*n), false).ok(), "send");
    tx_len[i] = static_cast<uint32_t>(*n);
  }

  // The peer's corruption.
  if (control & 4) in.Overlay(region.data(), sizeof(fwlink::RegionHeader));
  in.Overlay(region.data() + l.vring_offset[0], l.vring_size);
  in.Overlay(region.data() + l.vring_offset[1], l.vring_size);
  in.Overlay(region.data() + l.pool_offset, l.pool_size);

  RunDevice(region);
  RunDriver(region, l, rx, 0, rx_len);
  RunDriver(region, l, tx, 1, tx_len);
  return 0;
}
