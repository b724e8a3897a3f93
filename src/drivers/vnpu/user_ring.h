// user_ring.h - the user-mode submission ring: jobs without an ioctl each (the device side).
//
// DOC: the ring
//
// A client maps one memfd (struct vnpu_ring_layout, then the submission and completion
// entries; uapi/accel/vnpu.h) and produces submissions by writing entries and releasing the
// submission tail, as io_uring and the doorbell queues of NPUs work. The device side is one
// thread per ring. It consumes submissions and hands each to the device's submit path (the
// same validation as SUBMIT); completions are posted when the job ends, by whichever thread
// ends it. NOP entries complete at once on the ring thread: the cost of a job through the
// ring is then the cost of the ring itself, which is what the benchmark measures.
//
// Wake-ups: without VNPU_RING_POLL the ring thread sleeps on the doorbell eventfd whenever the
// submission ring is empty, so the client writes the doorbell after publishing. With POLL it
// spins for a while first, then sets VNPU_RING_NEED_WAKEUP in sq.flags, re-checks the tail,
// and sleeps; a client only rings when it sees that flag (io_uring's SQPOLL protocol). The
// completion eventfd is written after posting completions only while the client has set
// VNPU_RING_CQ_WANT_WAKEUP, so a polling client pays no syscall.
//
// The completion ring never overflows: the ring thread takes a submission only when the
// completion ring has room for it and every job already in flight. While it has none, the
// thread sleeps (the doorbell, or a timeout that backs off to 64 ms), never spins: a client
// that does not reap costs nothing. Indices that cannot be (the client wrote nonsense into
// cq.head) mark the ring VNPU_RING_BROKEN, and its thread sleeps until the ring is destroyed.
#ifndef ACCEL_DRIVERS_VNPU_USER_RING_H_
#define ACCEL_DRIVERS_VNPU_USER_RING_H_

#include <uapi/accel/vnpu.h>

#include <accel/result.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace accel::vnpu {

class UserRing : public std::enable_shared_from_this<UserRing> {
 public:
  // Called on the ring thread for each submission that is not a NOP. It either queues a job
  // that will call Complete() when it ends (returns true), or returns false having filled
  // `refused` (result = the negative errno SUBMIT would give); the ring then posts it.
  using SubmitFn = std::function<bool(
      const vnpu_ring_sqe& sqe, const std::shared_ptr<UserRing>& ring, vnpu_ring_cqe* refused)>;
  // Called for NOPs, which complete on the ring thread: issues the fence (may fail: -EAGAIN).
  using NopFn = std::function<void(const vnpu_ring_sqe& sqe, vnpu_ring_cqe* cqe)>;

  // `entries` a power of two in [2, VNPU_RING_MAX_ENTRIES] (-EINVAL otherwise).
  static Result<std::shared_ptr<UserRing>> Create(uint32_t id, uint32_t entries, uint32_t flags,
                                                  uint32_t cmdq_id, SubmitFn submit, NopFn nop);
  ~UserRing();
  UserRing(const UserRing&) = delete;
  UserRing& operator=(const UserRing&) = delete;

  void Start();
  // Stops the thread; jobs in flight may still Complete() (their completions go to a ring
  // nobody reads any more, which is harmless).
  void Stop();

  // A queued job ended: posts its completion.
  void Complete(uint64_t user_data, uint64_t fence, uint32_t status);

  uint32_t id() const { return id_; }
  uint32_t cmdq_id() const { return cmdq_id_; }
  int ring_fd() const { return ring_fd_; }
  int doorbell_fd() const { return doorbell_fd_; }
  int completion_fd() const { return completion_fd_; }
  uint64_t size() const { return size_; }
  uint64_t completed() const { return completed_.load(std::memory_order_relaxed); }
  bool broken() const { return broken_.load(std::memory_order_relaxed); }
  // Held as long as the ring exists (jobs may keep it past Stop()): a per-user charge, say,
  // released when the last reference goes.
  void set_charge(std::shared_ptr<void> charge) { charge_ = std::move(charge); }

 private:
  UserRing() = default;
  void Loop();
  // Waits for the doorbell or stop (at most timeout_ms; -1: no limit); false when stopping.
  bool Sleep(int timeout_ms = -1);
  void Post(const vnpu_ring_cqe& cqe);
  void PostBatch(const vnpu_ring_cqe* cqes, uint32_t n);

  uint32_t id_ = 0, flags_ = 0, cmdq_id_ = 0;
  SubmitFn submit_;
  NopFn nop_;
  int ring_fd_ = -1, doorbell_fd_ = -1, completion_fd_ = -1, stop_fd_ = -1;
  uint64_t size_ = 0;
  uint8_t* map_ = nullptr;
  vnpu_ring_layout* layout_ = nullptr;
  vnpu_ring_sqe* sqes_ = nullptr;
  vnpu_ring_cqe* cqes_ = nullptr;
  uint32_t sq_entries_ = 0, cq_entries_ = 0, cq_mask_ = 0;  // never read back from the map
  std::mutex post_mu_;  // completions come from engines and the ring thread
  std::atomic<uint32_t> in_flight_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> broken_{false};
  std::shared_ptr<void> charge_;
  std::thread thread_;
};

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_USER_RING_H_
