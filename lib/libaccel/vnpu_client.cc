// vnpu_client.cc - libaccel's vnpu helpers: BO mapping and the client side of the user-mode
// ring (include/accel/libaccel_vnpu.h; the layout is uapi/accel/vnpu.h's).
#include <accel/libaccel_vnpu.h>

#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <new>

struct accel_vnpu_ring {
  accel_handle* h = nullptr;
  uint32_t id = 0;
  uint32_t flags = 0;
  int ring_fd = -1, doorbell_fd = -1, completion_fd = -1;
  uint8_t* map = nullptr;
  uint64_t size = 0;
  vnpu_ring_layout* layout = nullptr;
  vnpu_ring_sqe* sqes = nullptr;
  vnpu_ring_cqe* cqes = nullptr;
  uint32_t sq_entries = 0, cq_entries = 0;
  std::mutex submit_mu;  // producers
  std::mutex reap_mu;    // consumers
};

namespace {

uint32_t LoadAcquire(const uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
void StoreRelease(uint32_t* p, uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void CloseRing(accel_vnpu_ring* r) {
  if (r->map) munmap(r->map, r->size);
  for (int fd : {r->ring_fd, r->doorbell_fd, r->completion_fd})
    if (fd >= 0) close(fd);
  delete r;
}

void Ring(int fd) {
  uint64_t one = 1;
  (void)!write(fd, &one, sizeof(one));
}

}  // namespace

int accel_vnpu_bo_map(accel_handle* h, uint32_t handle, void** addr, uint64_t* size) {
  if (h == nullptr || addr == nullptr || size == nullptr) return -EINVAL;
  vnpu_bo_info info{};
  info.handle = handle;
  if (int rc = accel_ioctl(h, VNPU_IOCTL_BO_INFO, &info); rc < 0) return rc;
  vnpu_bo_export exp{};
  exp.handle = handle;
  exp.fd = -1;
  if (int rc = accel_ioctl(h, VNPU_IOCTL_BO_EXPORT, &exp); rc < 0) return rc;
  void* p = mmap(nullptr, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, exp.fd, 0);
  const int e = errno;
  close(exp.fd);  // the mapping keeps the memory
  if (p == MAP_FAILED) return -e;
  *addr = p;
  *size = info.size;
  return 0;
}

int accel_vnpu_bo_unmap(void* addr, uint64_t size) {
  if (addr == nullptr) return -EINVAL;
  return munmap(addr, size) == 0 ? 0 : -errno;
}

int accel_vnpu_ring_create(accel_handle* h, uint32_t cmdq_id, uint32_t entries, uint32_t flags,
                           accel_vnpu_ring** out) {
  if (h == nullptr || out == nullptr) return -EINVAL;
  *out = nullptr;
  vnpu_ring_create req{};
  req.entries = entries;
  req.flags = flags;
  req.cmdq_id = cmdq_id;
  req.ring_fd = req.doorbell_fd = req.completion_fd = -1;
  if (int rc = accel_ioctl(h, VNPU_IOCTL_RING_CREATE, &req); rc < 0) return rc;
  auto* r = new (std::nothrow) accel_vnpu_ring;
  if (r == nullptr) {
    close(req.ring_fd);
    close(req.doorbell_fd);
    close(req.completion_fd);
    return -ENOMEM;
  }
  r->h = h;
  r->id = req.ring_id;
  r->flags = flags;
  r->ring_fd = req.ring_fd;
  r->doorbell_fd = req.doorbell_fd;
  r->completion_fd = req.completion_fd;
  r->size = req.ring_size;
  void* p = mmap(nullptr, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->ring_fd, 0);
  if (p == MAP_FAILED) {
    const int e = errno;
    vnpu_ring_destroy d{r->id, 0};
    (void)accel_ioctl(h, VNPU_IOCTL_RING_DESTROY, &d);
    CloseRing(r);
    return -e;
  }
  r->map = static_cast<uint8_t*>(p);
  r->layout = reinterpret_cast<vnpu_ring_layout*>(r->map);
  r->sq_entries = r->layout->sq_entries;
  r->cq_entries = r->layout->cq_entries;
  // The daemon laid the ring out; still, never trust an offset into our own memory blindly.
  const uint64_t sq_end =
      uint64_t{r->layout->sqe_offset} + uint64_t{r->sq_entries} * sizeof(vnpu_ring_sqe);
  const uint64_t cq_end =
      uint64_t{r->layout->cqe_offset} + uint64_t{r->cq_entries} * sizeof(vnpu_ring_cqe);
  if (r->sq_entries != entries || r->cq_entries != 2 * entries || sq_end > r->size ||
      cq_end > r->size) {
    vnpu_ring_destroy d{r->id, 0};
    (void)accel_ioctl(h, VNPU_IOCTL_RING_DESTROY, &d);
    CloseRing(r);
    return -EPROTO;
  }
  r->sqes = reinterpret_cast<vnpu_ring_sqe*>(r->map + r->layout->sqe_offset);
  r->cqes = reinterpret_cast<vnpu_ring_cqe*>(r->map + r->layout->cqe_offset);
  *out = r;
  return 0;
}

int accel_vnpu_ring_submit(accel_vnpu_ring* r, const vnpu_ring_sqe* sqes, uint32_t n) {
  if (r == nullptr || (sqes == nullptr && n != 0)) return -EINVAL;
  uint32_t queued;
  {
    std::lock_guard lock(r->submit_mu);
    vnpu_ring_indices& sq = r->layout->sq;
    const uint32_t tail = __atomic_load_n(&sq.tail, __ATOMIC_RELAXED);
    const uint32_t head = LoadAcquire(&sq.head);
    const uint32_t room = r->sq_entries - (tail - head);
    queued = n < room ? n : room;
    for (uint32_t i = 0; i < queued; ++i)
      std::memcpy(&r->sqes[(tail + i) & (r->sq_entries - 1)], &sqes[i], sizeof(vnpu_ring_sqe));
    // seq_cst store, then seq_cst load of the flags below: the other half of the poller's "set
    // NEED_WAKEUP, then re-read the tail" (Dekker: one of the two sees the other).
    __atomic_store_n(&sq.tail, tail + queued, __ATOMIC_SEQ_CST);
  }
  if (queued == 0) return 0;
  if (r->flags & VNPU_RING_POLL) {
    if (__atomic_load_n(&r->layout->sq.flags, __ATOMIC_SEQ_CST) & VNPU_RING_NEED_WAKEUP)
      Ring(r->doorbell_fd);
  } else {
    Ring(r->doorbell_fd);
  }
  return static_cast<int>(queued);
}

int accel_vnpu_ring_reap(accel_vnpu_ring* r, vnpu_ring_cqe* out, uint32_t max) {
  if (r == nullptr || (out == nullptr && max != 0)) return -EINVAL;
  std::lock_guard lock(r->reap_mu);
  vnpu_ring_indices& cq = r->layout->cq;
  const uint32_t head = __atomic_load_n(&cq.head, __ATOMIC_RELAXED);
  const uint32_t tail = LoadAcquire(&cq.tail);
  uint32_t ready = tail - head;
  if (ready > r->cq_entries) return -EPROTO;  // not a tail the daemon could have written
  const uint32_t n = ready < max ? ready : max;
  for (uint32_t i = 0; i < n; ++i)
    std::memcpy(&out[i], &r->cqes[(head + i) & (r->cq_entries - 1)], sizeof(vnpu_ring_cqe));
  // Nothing taken, nothing written: the daemon's thread reads this line on every batch.
  if (n) StoreRelease(&cq.head, head + n);
  return static_cast<int>(n);
}

int accel_vnpu_ring_wait(accel_vnpu_ring* r, int timeout_ms) {
  if (r == nullptr) return -EINVAL;
  vnpu_ring_indices& cq = r->layout->cq;
  // seq_cst: after the seq_cst fetch_or of WANT_WAKEUP, as the device's tail store is.
  auto ready = [&] {
    return __atomic_load_n(&cq.tail, __ATOMIC_SEQ_CST) !=
           __atomic_load_n(&cq.head, __ATOMIC_RELAXED);
  };
  if (ready()) return 0;
  __atomic_fetch_or(&cq.flags, VNPU_RING_CQ_WANT_WAKEUP, __ATOMIC_SEQ_CST);
  int rc = 0;
  while (!ready()) {
    pollfd pfd{r->completion_fd, POLLIN, 0};
    int n = poll(&pfd, 1, timeout_ms);
    if (n < 0) {
      rc = -errno;
      break;
    }
    if (n == 0) {
      rc = ready() ? 0 : -ETIME;
      break;
    }
    uint64_t v;
    (void)!read(r->completion_fd, &v, sizeof(v));
  }
  __atomic_fetch_and(&cq.flags, ~VNPU_RING_CQ_WANT_WAKEUP, __ATOMIC_SEQ_CST);
  return rc;
}

int accel_vnpu_ring_destroy(accel_vnpu_ring* r) {
  if (r == nullptr) return -EINVAL;
  vnpu_ring_destroy d{r->id, 0};
  const int rc = accel_ioctl(r->h, VNPU_IOCTL_RING_DESTROY, &d);
  CloseRing(r);
  return rc;
}

uint32_t accel_vnpu_ring_id(const accel_vnpu_ring* r) {
  return r ? r->id : 0;
}
