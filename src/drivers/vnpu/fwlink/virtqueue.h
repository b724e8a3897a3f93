// virtqueue.h - one virtio 1.x split virtqueue in shared memory: the driver's half (make
// buffers available, take used ones back) and the device's half (take available buffers, give
// them back used).
//
// DOC: the ring and who writes what
//
// A vring of `num` entries (a power of two) is three parts, laid out as virtio 1.x section 2.7
// says (all little-endian):
//
//   descriptor table  num x {le64 addr; le32 len; le16 flags; le16 next}     16-byte aligned
//   available ring    {le16 flags; le16 idx; le16 ring[num]; le16 used_event}  2-byte aligned
//   used ring         {le16 flags; le16 idx; {le32 id; le32 len} ring[num];
//                      le16 avail_event}                                      4-byte aligned
//
// The used ring here starts on its own 64-byte line (the spec's 4 is a minimum): the driver
// writes the available ring and the device the used ring, so they should not share a cache
// line. `addr` is a byte offset into the shared region (shared_region.h), never a pointer.
//
// The driver writes descriptors and the available ring and only reads the used ring; the
// device the reverse. Each side publishes with a release store of its `idx` after writing the
// entries, and reads the other's `idx` with an acquire load before reading entries: the rings
// live in memory two processes share, so these are std::atomic_ref operations on the mapped
// words (lock-free for 16 bits, hence valid across processes).
//
// Both sides treat what the other wrote as hostile. The device checks every available entry
// (head < num, no chaining, no indirect table, the direction flag it expects, addr/len inside
// the buffer pool) and reads each shared word exactly once, so a descriptor rewritten while it
// is being checked cannot slip past. The driver never reads its descriptors back: it keeps its
// own copy of each (as Linux's desc_extra does) and checks every used entry against it (an id
// it has in flight, a len within the buffer). A violation is -EPROTO: the other side is broken
// and the link should be torn down; the queue does not try to resynchronise.
//
// Not used: VIRTIO_F_EVENT_IDX and the NO_NOTIFY/NO_INTERRUPT flags (used_event and
// avail_event are written as zero and ignored): every side notifies through its eventfd after
// each batch, which is cheap at the rates this link carries. Each descriptor is one whole
// buffer; chains are never built and are refused when seen.
//
//   DriverQueue tx(region, layout, 1);                   // resets vq 1
//   tx.Add(id, layout.buffer_offset(num + id), len, false);
//   DeviceQueue dev(region, layout, 1, false);           // on the other side
//   Result<AvailBuffer> b = dev.GetAvail();              // -EAGAIN when empty
//   dev.PutUsed(b->head, 0);
//   Result<UsedBuffer> u = tx.GetUsed();                 // id back, buffer free again
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_VIRTQUEUE_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_VIRTQUEUE_H_

#include <accel/result.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/vnpu/fwlink/shared_region.h"

namespace accel::vnpu::fwlink {

inline constexpr uint16_t kDescFlagNext = 1;      // VIRTQ_DESC_F_NEXT
inline constexpr uint16_t kDescFlagWrite = 2;     // VIRTQ_DESC_F_WRITE: device writes
inline constexpr uint16_t kDescFlagIndirect = 4;  // VIRTQ_DESC_F_INDIRECT

struct VringDesc {
  uint64_t addr;  // byte offset into the shared region
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(VringDesc) == 16);

struct VringUsedElem {
  uint32_t id;   // head of the descriptor chain (here: the descriptor)
  uint32_t len;  // bytes the device wrote into the buffer
};
static_assert(sizeof(VringUsedElem) == 8);

// Where the parts of one vring lie, relative to its start.
struct VringLayout {
  uint64_t desc = 0;
  uint64_t avail = 0;
  uint64_t used = 0;
  uint64_t size = 0;  // bytes of the whole vring

  static VringLayout For(uint32_t num);
};

// A buffer the device gave back.
struct UsedBuffer {
  uint16_t id = 0;
  uint32_t len = 0;         // bytes the device says it wrote (<= data.size())
  std::span<uint8_t> data;  // the whole buffer, as the driver posted it
};

// A buffer the driver made available, as the device checked it.
struct AvailBuffer {
  uint16_t head = 0;
  std::span<uint8_t> data;  // inside the buffer pool
};

// The driver's half. Not thread-safe: one owner (or a lock) per queue.
class DriverQueue {
 public:
  // Resets vring `index` of the region (zeroes it): the driver owns the layout.
  DriverQueue(std::span<uint8_t> region, const RegionLayout& layout, int index);

  // Makes buffer `id` (the descriptor with that number) available: `len` bytes at region
  // offset `addr`, which the device may write when `device_writes` (rx) or only read (tx).
  // -EINVAL for an id out of range or a buffer outside the pool; -EBUSY if id is in flight.
  Result<void> Add(uint16_t id, uint64_t addr, uint32_t len, bool device_writes);

  // The next buffer the device gave back; -EAGAIN when there is none. -EPROTO when the device
  // wrote an entry that names no buffer in flight or a len beyond the buffer: the link is
  // broken (see DOC above).
  Result<UsedBuffer> GetUsed();

  uint32_t num() const { return num_; }
  uint32_t in_flight() const { return in_flight_; }

 private:
  struct Shadow {  // the driver's own copy of a descriptor it made available
    uint64_t addr = 0;
    uint32_t len = 0;
    bool in_flight = false;
  };

  std::span<uint8_t> region_;
  RegionLayout layout_;
  uint8_t* ring_ = nullptr;
  VringLayout vl_;
  uint32_t num_ = 0;
  uint16_t avail_idx_ = 0;  // next avail.idx to publish
  uint16_t last_used_ = 0;  // used entries consumed so far
  uint32_t in_flight_ = 0;
  std::vector<Shadow> shadow_;
};

// The device's half. Not thread-safe: one owner per queue.
class DeviceQueue {
 public:
  // `device_writes`: the direction this queue carries; a descriptor flagged otherwise is
  // refused (rx buffers must be device-writable, tx buffers must not).
  DeviceQueue(std::span<uint8_t> region, const RegionLayout& layout, int index, bool device_writes);

  // The next available buffer; -EAGAIN when there is none. -EPROTO when the driver published
  // more entries than the ring holds, a head out of range, a chained or indirect descriptor,
  // the wrong direction, or a buffer outside the pool. A refused entry is consumed.
  Result<AvailBuffer> GetAvail();

  // Gives buffer `head` back with `len` bytes written. -EINVAL for a head out of range.
  Result<void> PutUsed(uint16_t head, uint32_t len);

  uint32_t num() const { return num_; }

 private:
  std::span<uint8_t> region_;
  RegionLayout layout_;
  uint8_t* ring_ = nullptr;
  VringLayout vl_;
  uint32_t num_ = 0;
  bool device_writes_ = false;
  uint16_t last_avail_ = 0;  // available entries consumed so far
  uint16_t used_idx_ = 0;    // next used.idx to publish
};

}  // namespace accel::vnpu::fwlink

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_VIRTQUEUE_H_
