// shared_region.h - the memory vnpu's driver and its firmware share: two split virtqueues and
// the rpmsg buffers they carry, in one sealed memfd.
//
// DOC: layout and lifetime
//
// The driver creates the region (SharedRegion::Create), lays it out, seals its size and hands
// the memfd to vnpu-fw, which maps it (SharedRegion::Map). Each process maps it wherever it
// likes, so nothing inside holds a pointer: every address is a byte offset from the start.
//
//   offset 0          RegionHeader (one page): magic, version, num, buffer size, offsets
//   vring_offset[0]   vq 0 (rx, firmware -> driver), virtio 1.x split layout (virtqueue.h)
//   vring_offset[1]   vq 1 (tx, driver -> firmware)
//   pool_offset       2 * num buffers of buffer_size bytes: rx buffers 0..num-1, then tx
//   region_size       end
//
// Every part starts on a page boundary. The firmware treats the header as hostile input:
// ValidateRegion() checks every field and offset against the size it actually mapped and
// returns a RegionLayout the firmware uses from then on; it never reads the header again, so a
// driver rewriting it later changes nothing. The memfd is sealed against shrinking and growing
// (and against new seals) before the firmware sees it, so a mapping can never fault (SIGBUS),
// and Map() refuses a memfd without those seals.
//
// The SharedRegion object owns the descriptor and the mapping; the region lives until both
// processes have dropped theirs (the driver's destructor, the firmware's exit).
//
//   Result<SharedRegion> r = SharedRegion::Create(64);        // driver
//   Result<SharedRegion> m = SharedRegion::Map(3);            // firmware, fd 3
//   uint8_t* vq0 = m->base() + m->layout().vring_offset[0];
#ifndef ACCEL_DRIVERS_VNPU_FWLINK_SHARED_REGION_H_
#define ACCEL_DRIVERS_VNPU_FWLINK_SHARED_REGION_H_

#include <accel/result.h>

#include <cstddef>
#include <cstdint>
#include <span>

namespace accel::vnpu::fwlink {

inline constexpr uint32_t kRegionMagic = 0x5550'4e76;  // "vNPU" in memory (little-endian)
inline constexpr uint32_t kRegionVersion = 1;
inline constexpr uint32_t kRegionPage = 4096;
inline constexpr uint32_t kMinQueueSize = 2;
// 1024 entries per queue is 2048 buffers, 8 MiB of pool; virtio allows 32768, but nothing here
// needs more than a few dozen messages in flight.
inline constexpr uint32_t kMaxQueueSize = 1024;

// The first bytes of the region. Little-endian, fixed width, no holes.
struct RegionHeader {
  uint32_t magic;            // kRegionMagic
  uint32_t version;          // kRegionVersion
  uint32_t queue_size;       // num: entries per virtqueue, a power of two
  uint32_t buffer_size;      // bytes per rpmsg buffer, header included (fw::kBufferSize)
  uint64_t region_size;      // bytes of the whole region (the memfd's size)
  uint64_t vring_offset[2];  // vq 0 (rx), vq 1 (tx)
  uint64_t pool_offset;      // the buffer pool
  uint32_t num_buffers;      // 2 * queue_size
  uint32_t reserved;         // zero
};
static_assert(sizeof(RegionHeader) == 56);

// Where everything lives, as the driver laid it out or as the firmware validated it.
struct RegionLayout {
  uint32_t num = 0;  // entries per virtqueue
  uint64_t vring_offset[2] = {0, 0};
  uint64_t vring_size = 0;  // bytes of one vring (VringLayout::size)
  uint64_t pool_offset = 0;
  uint64_t pool_size = 0;  // 2 * num * fw::kBufferSize
  uint64_t region_size = 0;

  // Offset of buffer i of the pool (0 <= i < 2 * num).
  uint64_t buffer_offset(uint32_t i) const;
};

// The layout the driver uses for `num` entries per queue: -EINVAL unless num is a power of two
// in [kMinQueueSize, kMaxQueueSize].
Result<RegionLayout> LayoutFor(uint32_t num);

// Writes the header for `layout` and zeroes both vrings: the driver's side, before the firmware
// exists. `region` must hold layout.region_size bytes.
void InitRegion(std::span<uint8_t> region, const RegionLayout& layout);

// The firmware's side: reads the header of `region` once and checks it as hostile input
// (magic, version, a power-of-two num in range, fw::kBufferSize, page-aligned parts that lie
// inside `region` and do not overlap). -EBADMSG for a wrong magic or a region smaller than a
// header, -EPROTONOSUPPORT for another version or buffer size, -EINVAL for any other field.
Result<RegionLayout> ValidateRegion(std::span<const uint8_t> region);

class SharedRegion {
 public:
  // Driver: a memfd of LayoutFor(num).region_size bytes, sealed (SHRINK, GROW, SEAL), mapped,
  // laid out. The descriptor is close-on-exec; the spawner dup2()s it into the child.
  static Result<SharedRegion> Create(uint32_t num);
  // Firmware: takes ownership of `fd`, checks its seals, maps it and validates the header.
  // -EPERM when the size is not sealed (the driver could truncate it under us).
  static Result<SharedRegion> Map(int fd);

  SharedRegion(SharedRegion&& other) noexcept;
  SharedRegion& operator=(SharedRegion&& other) noexcept;
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  ~SharedRegion();

  int fd() const { return fd_; }
  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  std::span<uint8_t> bytes() const { return {base_, size_}; }
  const RegionLayout& layout() const { return layout_; }

 private:
  SharedRegion(int fd, uint8_t* base, size_t size, const RegionLayout& layout)
      : fd_(fd), base_(base), size_(size), layout_(layout) {}
  void Release();

  int fd_ = -1;
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  RegionLayout layout_;
};

}  // namespace accel::vnpu::fwlink

#endif  // ACCEL_DRIVERS_VNPU_FWLINK_SHARED_REGION_H_
