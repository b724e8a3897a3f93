// virtqueue.cc - see virtqueue.h.
#include "drivers/vnpu/fwlink/virtqueue.h"

#include <atomic>
#include <cerrno>
#include <cstring>

namespace accel::vnpu::fwlink {
namespace {

// Field offsets inside the parts of a vring (virtio 1.x 2.7.6, 2.7.8).
constexpr uint64_t kRingIdx = 2;   // avail.idx, used.idx (after le16 flags)
constexpr uint64_t kRingData = 4;  // avail.ring[], used.ring[]
constexpr uint64_t kDescAddr = 0, kDescLen = 8, kDescFlags = 12, kDescNext = 14;
constexpr uint64_t kUsedId = 0, kUsedLen = 4;

constexpr uint64_t AlignUp(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

// Every shared word is read and written through these: one access each (never re-read by the
// compiler), and the ordering the DOC in virtqueue.h describes. The mapping is page-aligned and
// every field naturally aligned, as std::atomic_ref requires.
template <typename T>
T Load(uint8_t* p, std::memory_order order = std::memory_order_relaxed) {
  return std::atomic_ref<T>(*reinterpret_cast<T*>(p)).load(order);
}

template <typename T>
void Store(uint8_t* p, T v, std::memory_order order = std::memory_order_relaxed) {
  std::atomic_ref<T>(*reinterpret_cast<T*>(p)).store(v, order);
}

// [off, off + len) inside the pool, without overflowing.
bool InPool(const RegionLayout& l, uint64_t off, uint64_t len) {
  if (off < l.pool_offset) return false;
  const uint64_t rel = off - l.pool_offset;
  return rel <= l.pool_size && len <= l.pool_size - rel;
}

// The vring of `index` fits the region (a layout from LayoutFor/ValidateRegion always does;
// this keeps a mismatched pair from reaching memory at all).
bool Fits(std::span<uint8_t> region, const RegionLayout& l, int index) {
  if (index < 0 || index > 1 || l.num == 0) return false;
  const uint64_t off = l.vring_offset[index];
  const uint64_t size = VringLayout::For(l.num).size;
  return off <= region.size() && size <= region.size() - off && l.pool_offset <= region.size() &&
         l.pool_size <= region.size() - l.pool_offset;
}

}  // namespace

VringLayout VringLayout::For(uint32_t num) {
  VringLayout v;
  v.desc = 0;
  v.avail = sizeof(VringDesc) * static_cast<uint64_t>(num);
  v.used = AlignUp(v.avail + 6 + 2ull * num, 64);  // own cache line; the spec asks for 4
  v.size = v.used + 6 + sizeof(VringUsedElem) * static_cast<uint64_t>(num);
  return v;
}

// ---- driver -------------------------------------------------------------------------------

DriverQueue::DriverQueue(std::span<uint8_t> region, const RegionLayout& layout, int index)
    : region_(region), layout_(layout) {
  if (!Fits(region, layout, index)) return;  // num_ stays 0: every Add is -EINVAL
  num_ = layout.num;
  vl_ = VringLayout::For(num_);
  ring_ = region.data() + layout.vring_offset[index];
  std::memset(ring_, 0, vl_.size);
  shadow_.resize(num_);
}

Result<void> DriverQueue::Add(uint16_t id, uint64_t addr, uint32_t len, bool device_writes) {
  if (id >= num_ || !InPool(layout_, addr, len)) return Err(EINVAL);
  Shadow& s = shadow_[id];
  if (s.in_flight) return Err(EBUSY);
  s = {addr, len, true};
  ++in_flight_;

  uint8_t* d = ring_ + vl_.desc + sizeof(VringDesc) * id;
  Store<uint64_t>(d + kDescAddr, addr);
  Store<uint32_t>(d + kDescLen, len);
  Store<uint16_t>(d + kDescFlags, device_writes ? kDescFlagWrite : 0);
  Store<uint16_t>(d + kDescNext, 0);
  const uint32_t slot = avail_idx_ & (num_ - 1);
  Store<uint16_t>(ring_ + vl_.avail + kRingData + 2 * slot, id);
  ++avail_idx_;
  // Publishes the descriptor and the ring entry written above.
  Store<uint16_t>(ring_ + vl_.avail + kRingIdx, avail_idx_, std::memory_order_release);
  return {};
}

Result<UsedBuffer> DriverQueue::GetUsed() {
  if (num_ == 0) return Err(EAGAIN);
  const auto used_idx = Load<uint16_t>(ring_ + vl_.used + kRingIdx, std::memory_order_acquire);
  if (used_idx == last_used_) return Err(EAGAIN);
  // The device cannot have used more buffers than we have in flight.
  if (static_cast<uint16_t>(used_idx - last_used_) > in_flight_) return Err(EPROTO);
  const uint32_t slot = last_used_ & (num_ - 1);
  uint8_t* e = ring_ + vl_.used + kRingData + sizeof(VringUsedElem) * slot;
  const auto id = Load<uint32_t>(e + kUsedId);
  const auto len = Load<uint32_t>(e + kUsedLen);
  if (id >= num_ || !shadow_[id].in_flight || len > shadow_[id].len) return Err(EPROTO);
  Shadow& s = shadow_[id];
  s.in_flight = false;
  --in_flight_;
  ++last_used_;
  return UsedBuffer{static_cast<uint16_t>(id), len, region_.subspan(s.addr, s.len)};
}

// ---- device -------------------------------------------------------------------------------

DeviceQueue::DeviceQueue(std::span<uint8_t> region, const RegionLayout& layout, int index,
                         bool device_writes)
    : region_(region), layout_(layout), device_writes_(device_writes) {
  if (!Fits(region, layout, index)) return;  // num_ stays 0: nothing is ever available
  num_ = layout.num;
  vl_ = VringLayout::For(num_);
  ring_ = region.data() + layout.vring_offset[index];
}

Result<AvailBuffer> DeviceQueue::GetAvail() {
  if (num_ == 0) return Err(EAGAIN);
  const auto avail_idx = Load<uint16_t>(ring_ + vl_.avail + kRingIdx, std::memory_order_acquire);
  if (avail_idx == last_avail_) return Err(EAGAIN);
  if (static_cast<uint16_t>(avail_idx - last_avail_) > num_) return Err(EPROTO);
  const uint32_t slot = last_avail_ & (num_ - 1);
  const auto head = Load<uint16_t>(ring_ + vl_.avail + kRingData + 2 * slot);
  ++last_avail_;
  if (head >= num_) return Err(EPROTO);
  // Each field read once into a local; only the locals are checked and used.
  uint8_t* d = ring_ + vl_.desc + sizeof(VringDesc) * head;
  const auto addr = Load<uint64_t>(d + kDescAddr);
  const auto len = Load<uint32_t>(d + kDescLen);
  const auto flags = Load<uint16_t>(d + kDescFlags);
  if ((flags & (kDescFlagNext | kDescFlagIndirect)) != 0) return Err(EPROTO);
  if (((flags & kDescFlagWrite) != 0) != device_writes_) return Err(EPROTO);
  if (!InPool(layout_, addr, len)) return Err(EPROTO);
  return AvailBuffer{head, region_.subspan(addr, len)};
}

Result<void> DeviceQueue::PutUsed(uint16_t head, uint32_t len) {
  if (head >= num_) return Err(EINVAL);
  const uint32_t slot = used_idx_ & (num_ - 1);
  uint8_t* e = ring_ + vl_.used + kRingData + sizeof(VringUsedElem) * slot;
  Store<uint32_t>(e + kUsedId, head);
  Store<uint32_t>(e + kUsedLen, len);
  ++used_idx_;
  // Publishes the entry, and whatever the device wrote into the buffer before it.
  Store<uint16_t>(ring_ + vl_.used + kRingIdx, used_idx_, std::memory_order_release);
  return {};
}

}  // namespace accel::vnpu::fwlink
