// user_ring.cc - see user_ring.h.
#include "drivers/vnpu/user_ring.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace accel::vnpu {
namespace {

constexpr uint32_t kSqeOffset = 256;
// How long a POLL ring spins on an empty submission ring before it sleeps.
constexpr auto kPollIdle = std::chrono::microseconds(200);
// The longest a ring with a full completion ring sleeps before it looks again by itself.
constexpr int kMaxFullWaitMs = 64;

uint32_t LoadAcquire(const uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void StoreRelease(uint32_t* p, uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

uint64_t Align(uint64_t v, uint64_t a) {
  return (v + a - 1) & ~(a - 1);
}

}  // namespace

Result<std::shared_ptr<UserRing>> UserRing::Create(uint32_t id, uint32_t entries, uint32_t flags,
                                                   uint32_t cmdq_id, SubmitFn submit, NopFn nop) {
  if (entries < 2 || entries > VNPU_RING_MAX_ENTRIES || (entries & (entries - 1)) ||
      (flags & ~VNPU_RING_POLL))
    return Err(EINVAL);
  std::shared_ptr<UserRing> r(new UserRing);
  r->id_ = id;
  r->flags_ = flags;
  r->cmdq_id_ = cmdq_id;
  r->submit_ = std::move(submit);
  r->nop_ = std::move(nop);
  const uint32_t cq_entries = entries * 2;
  const uint64_t cqe_offset = Align(kSqeOffset + uint64_t{entries} * sizeof(vnpu_ring_sqe), 64);
  r->size_ = Align(cqe_offset + uint64_t{cq_entries} * sizeof(vnpu_ring_cqe), 4096);
  r->ring_fd_ = memfd_create("vnpu-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (r->ring_fd_ < 0) return Err(errno);
  if (ftruncate(r->ring_fd_, static_cast<off_t>(r->size_)) != 0 ||
      fcntl(r->ring_fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    return Err(errno);
  void* p = mmap(nullptr, r->size_, PROT_READ | PROT_WRITE, MAP_SHARED, r->ring_fd_, 0);
  if (p == MAP_FAILED) return Err(errno);
  r->map_ = static_cast<uint8_t*>(p);
  r->doorbell_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  r->completion_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  r->stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r->doorbell_fd_ < 0 || r->completion_fd_ < 0 || r->stop_fd_ < 0) return Err(errno);
  r->layout_ = reinterpret_cast<vnpu_ring_layout*>(r->map_);
  r->layout_->sq.mask = entries - 1;
  r->layout_->cq.mask = cq_entries - 1;
  r->layout_->sq_entries = entries;
  r->layout_->cq_entries = cq_entries;
  r->layout_->sqe_offset = kSqeOffset;
  r->layout_->cqe_offset = static_cast<uint32_t>(cqe_offset);
  r->sqes_ = reinterpret_cast<vnpu_ring_sqe*>(r->map_ + kSqeOffset);
  r->cqes_ = reinterpret_cast<vnpu_ring_cqe*>(r->map_ + cqe_offset);
  // Private copies of the geometry: the shared header is the client's to scribble on.
  r->sq_entries_ = entries;
  r->cq_entries_ = cq_entries;
  r->cq_mask_ = cq_entries - 1;
  return r;
}

UserRing::~UserRing() {
  Stop();
  if (map_) munmap(map_, size_);
  for (int fd : {ring_fd_, doorbell_fd_, completion_fd_, stop_fd_})
    if (fd >= 0) close(fd);
}

void UserRing::Start() {
  // The thread holds no reference: Stop() (from the device, before the last reference goes)
  // joins it.
  thread_ = std::thread([this] { Loop(); });
}

void UserRing::Stop() {
  if (stopping_.exchange(true)) return;
  uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof(one));
  if (thread_.joinable()) thread_.join();
}

void UserRing::Post(const vnpu_ring_cqe& cqe) {
  PostBatch(&cqe, 1);
}

void UserRing::PostBatch(const vnpu_ring_cqe* cqes, uint32_t n) {
  std::lock_guard lock(post_mu_);
  vnpu_ring_indices& cq = layout_->cq;
  // The tail in shared memory is only ever written here, but a client could scribble on it:
  // our own mask keeps every write inside the entries whatever it holds.
  const uint32_t tail = __atomic_load_n(&cq.tail, __ATOMIC_RELAXED);
  const uint32_t mask = cq_mask_;
  for (uint32_t i = 0; i < n; ++i) cqes_[(tail + i) & mask] = cqes[i];
  // Store the tail, then load the flags, both seq_cst, once per batch: the other half of the
  // client's "set WANT_WAKEUP, then load the tail" (Dekker: one of the two sees the other).
  __atomic_store_n(&cq.tail, tail + n, __ATOMIC_SEQ_CST);
  completed_.fetch_add(n, std::memory_order_relaxed);
  if (__atomic_load_n(&cq.flags, __ATOMIC_SEQ_CST) & VNPU_RING_CQ_WANT_WAKEUP) {
    uint64_t one = 1;
    (void)!write(completion_fd_, &one, sizeof(one));
  }
}

void UserRing::Complete(uint64_t user_data, uint64_t fence, uint32_t status) {
  vnpu_ring_cqe cqe{};
  cqe.user_data = user_data;
  cqe.fence = fence;
  cqe.status = status;
  Post(cqe);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
}

bool UserRing::Sleep(int timeout_ms) {
  pollfd fds[2] = {{doorbell_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, 2, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || fds[1].revents) return false;
    uint64_t v;
    if (n > 0) (void)!read(doorbell_fd_, &v, sizeof(v));
    return !stopping_.load();
  }
}

void UserRing::Loop() {
  vnpu_ring_indices& sq = layout_->sq;
  const uint32_t sq_entries = sq_entries_;
  const uint32_t cq_entries = cq_entries_;
  uint32_t head = 0;  // ours: the shared copy is only published, never trusted
  constexpr uint32_t kMaxBatch = 64;
  vnpu_ring_cqe done[kMaxBatch];
  bool idle = false;
  uint32_t spins = 0;
  int full_wait_ms = 0;  // backs off while the completion ring stays full
  auto idle_since = std::chrono::steady_clock::now();
  while (!stopping_.load(std::memory_order_relaxed)) {
    const uint32_t tail = LoadAcquire(&sq.tail);
    // A client that claims more than the ring holds is clamped to what can be valid.
    uint32_t pending = tail - head;
    if (pending > sq_entries) pending = sq_entries;
    if (pending == 0) {
      if (!idle) {
        idle = true;
        spins = 0;
        idle_since = std::chrono::steady_clock::now();
      }
      if (flags_ & VNPU_RING_POLL) {
        if ((++spins & 63) != 0 || std::chrono::steady_clock::now() - idle_since < kPollIdle) {
          __builtin_ia32_pause();
          continue;
        }
        __atomic_fetch_or(&sq.flags, VNPU_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&sq.tail, __ATOMIC_SEQ_CST) != head) {  // Dekker with the client
          __atomic_fetch_and(&sq.flags, ~VNPU_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
          continue;
        }
        if (!Sleep()) break;
        __atomic_fetch_and(&sq.flags, ~VNPU_RING_NEED_WAKEUP, __ATOMIC_SEQ_CST);
      } else if (!Sleep()) {
        break;
      }
      idle = false;
      continue;
    }
    idle = false;
    // The client's head first, then our tail: the client read a tail at least as new as its
    // head before publishing that head, so the tail read after acquiring the head cannot be
    // older, and only a client writing nonsense makes cq_used exceed the ring.
    const uint32_t cq_head = LoadAcquire(&layout_->cq.head);
    const uint32_t cq_used = __atomic_load_n(&layout_->cq.tail, __ATOMIC_ACQUIRE) - cq_head;
    const uint32_t busy = cq_used + in_flight_.load();
    if (cq_used > cq_entries) {
      // The client's cq.head is nonsense: nothing this ring says can be trusted any more.
      broken_.store(true, std::memory_order_relaxed);
      __atomic_fetch_or(&sq.flags, VNPU_RING_BROKEN, __ATOMIC_SEQ_CST);
      while (Sleep()) {
      }
      break;
    }
    if (busy >= cq_entries) {
      // Full: wait for the client to reap (its doorbell) or a job to end, without spinning.
      full_wait_ms = full_wait_ms == 0 ? 1 : std::min(full_wait_ms * 2, kMaxFullWaitMs);
      if (!Sleep(full_wait_ms)) break;
      continue;
    }
    full_wait_ms = 0;
    // A batch: as many entries as wait, the completion ring has room for, and kMaxBatch;
    // their completions are published together (one lock, one tail store, one fence).
    uint32_t n = pending;
    if (n > cq_entries - busy) n = cq_entries - busy;
    if (n > kMaxBatch) n = kMaxBatch;
    uint32_t posted = 0;
    for (uint32_t i = 0; i < n; ++i) {
      vnpu_ring_sqe sqe;
      std::memcpy(&sqe, &sqes_[(head + i) & (sq_entries - 1)], sizeof(sqe));
      vnpu_ring_cqe& cqe = done[posted];
      cqe = vnpu_ring_cqe{};
      cqe.user_data = sqe.user_data;
      if (sqe.opcode == VNPU_OP_NOP && sqe.num_bos == 0) {
        nop_(sqe, &cqe);
        ++posted;
      } else {
        // Completions of earlier entries first, so that the order stays the ring's.
        if (posted) PostBatch(done, posted);
        posted = 0;
        in_flight_.fetch_add(1, std::memory_order_acq_rel);
        vnpu_ring_cqe refused{};
        refused.user_data = sqe.user_data;
        if (!submit_(sqe, shared_from_this(), &refused)) {
          in_flight_.fetch_sub(1, std::memory_order_acq_rel);
          Post(refused);
        }
      }
    }
    head += n;
    StoreRelease(&sq.head, head);
    if (posted) PostBatch(done, posted);
  }
}

}  // namespace accel::vnpu
