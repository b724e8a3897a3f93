// user_ring_test.cc - UserRing, the device side of the user-mode submission ring, against a
// client written here from the shared layout of uapi/accel/vnpu.h alone (as a runtime in
// another process would write it): NOPs, refused and accepted submissions, the doorbell, POLL
// mode's NEED_WAKEUP protocol, the completion eventfd, hostile indices, Stop.
//
// The client maps ring_fd itself, so the two sides share pages through two mappings, as they
// do across processes. Waits are generous deadlines on conditions, never assertions on speed.
#include "drivers/vnpu/user_ring.h"

#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace accel::vnpu {
namespace {

using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(30);

// Polls `done` until it holds or the deadline passes.
bool Eventually(const std::function<bool()>& done) {
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

vnpu_ring_sqe Nop(uint64_t user_data) {
  vnpu_ring_sqe e{};
  e.opcode = VNPU_OP_NOP;
  e.user_data = user_data;
  return e;
}

// The client side: its own mapping of the ring memfd, its own copies of the indices it owns.
class Client {
 public:
  explicit Client(const UserRing& ring) : size_(ring.size()) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, ring.ring_fd(), 0);
    EXPECT_NE(p, MAP_FAILED);
    map_ = static_cast<uint8_t*>(p);
    layout_ = reinterpret_cast<vnpu_ring_layout*>(map_);
    sq_entries_ = layout_->sq_entries;
    cq_entries_ = layout_->cq_entries;
    sqes_ = reinterpret_cast<vnpu_ring_sqe*>(map_ + layout_->sqe_offset);
    cqes_ = reinterpret_cast<vnpu_ring_cqe*>(map_ + layout_->cqe_offset);
    doorbell_ = ring.doorbell_fd();
  }
  ~Client() { munmap(map_, size_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Writes the entry, then publishes the tail (release), as the uAPI says a producer does.
  void Push(const vnpu_ring_sqe& e) {
    std::memcpy(&sqes_[sq_tail_ & (sq_entries_ - 1)], &e, sizeof(e));
    ++sq_tail_;
    __atomic_store_n(&layout_->sq.tail, sq_tail_, __ATOMIC_RELEASE);
  }
  void Doorbell() {
    uint64_t one = 1;
    ASSERT_EQ(write(doorbell_, &one, sizeof(one)), 8);
  }
  // io_uring's SQPOLL rule: after publishing, ring only if the poller said it sleeps. The flags
  // are read with a seq_cst read-modify-write that changes nothing rather than after a fence:
  // ordered against the poller's own fetch_or of NEED_WAKEUP on the same word, either we see
  // the flag or the poller sees our tail; and GCC's TSan does not model fences (-Wtsan).
  bool DoorbellIfNeeded() {
    if (!(__atomic_fetch_or(&layout_->sq.flags, 0u, __ATOMIC_SEQ_CST) & VNPU_RING_NEED_WAKEUP))
      return false;
    Doorbell();
    return true;
  }
  uint32_t SqFlags() const { return __atomic_load_n(&layout_->sq.flags, __ATOMIC_ACQUIRE); }
  uint32_t SqHead() const { return __atomic_load_n(&layout_->sq.head, __ATOMIC_ACQUIRE); }
  uint32_t CqTail() const { return __atomic_load_n(&layout_->cq.tail, __ATOMIC_ACQUIRE); }
  uint32_t Ready() const { return CqTail() - cq_head_; }
  bool WaitReady(uint32_t n) {
    return Eventually([&] { return Ready() >= n; });
  }
  // Takes the oldest completion, then releases the head.
  vnpu_ring_cqe Reap() {
    vnpu_ring_cqe c;
    std::memcpy(&c, &cqes_[cq_head_ & (cq_entries_ - 1)], sizeof(c));
    ++cq_head_;
    __atomic_store_n(&layout_->cq.head, cq_head_, __ATOMIC_RELEASE);
    return c;
  }

  vnpu_ring_layout* layout() { return layout_; }
  uint8_t* map() { return map_; }
  uint64_t size() const { return size_; }
  uint32_t sq_entries() const { return sq_entries_; }
  uint32_t cq_entries() const { return cq_entries_; }
  void set_sq_tail(uint32_t t) { sq_tail_ = t; }
  void set_cq_head(uint32_t h) { cq_head_ = h; }

 private:
  uint64_t size_;
  uint8_t* map_ = nullptr;
  vnpu_ring_layout* layout_ = nullptr;
  vnpu_ring_sqe* sqes_ = nullptr;
  vnpu_ring_cqe* cqes_ = nullptr;
  uint32_t sq_entries_ = 0, cq_entries_ = 0;
  uint32_t sq_tail_ = 0, cq_head_ = 0;
  int doorbell_ = -1;
};

// The device's part: NOPs get increasing fences (as the driver's nop callback issues them);
// other submissions are refused with `refuse_with` or, when it is 0, accepted and remembered
// for the test to Complete().
struct Device {
  std::mutex mu;
  uint64_t next_fence = 1;
  int nops = 0;
  int submits = 0;
  int refuse_with = -EINVAL;
  std::vector<std::pair<uint64_t, std::shared_ptr<UserRing>>> accepted;

  std::shared_ptr<UserRing> Create(uint32_t entries, uint32_t flags) {
    Result<std::shared_ptr<UserRing>> r = UserRing::Create(
        1, entries, flags, 3,
        [this](const vnpu_ring_sqe& sqe, const std::shared_ptr<UserRing>& ring,
               vnpu_ring_cqe* refused) {
          std::lock_guard lock(mu);
          ++submits;
          if (refuse_with) {
            refused->result = refuse_with;
            return false;
          }
          accepted.emplace_back(sqe.user_data, ring);
          return true;
        },
        [this](const vnpu_ring_sqe& sqe, vnpu_ring_cqe* cqe) {
          std::lock_guard lock(mu);
          ++nops;
          if (sqe.flags) {
            cqe->result = -EINVAL;
            return;
          }
          cqe->fence = next_fence++;
          cqe->status = VNPU_JOB_SUCCESS;
        });
    EXPECT_TRUE(r);
    return r ? *r : nullptr;
  }
  int Nops() {
    std::lock_guard lock(mu);
    return nops;
  }
  int Submits() {
    std::lock_guard lock(mu);
    return submits;
  }
  void Refuse(int negative_errno) {
    std::lock_guard lock(mu);
    refuse_with = negative_errno;
  }
};

TEST(VnpuUserRingTest, CreateRefusesBadShapes) {
  for (uint32_t entries : {0u, 1u, 3u, 12u, 2u * VNPU_RING_MAX_ENTRIES})
    EXPECT_EQ(UserRing::Create(1, entries, 0, 1, nullptr, nullptr).error(), -EINVAL) << entries;
  EXPECT_EQ(UserRing::Create(1, 8, 0x80, 1, nullptr, nullptr).error(), -EINVAL);
}

TEST(VnpuUserRingTest, TheLayoutIsTheUapisAndFitsTheMapping) {
  Device d;
  for (uint32_t entries : {2u, 8u, 256u, uint32_t{VNPU_RING_MAX_ENTRIES}}) {
    std::shared_ptr<UserRing> ring = d.Create(entries, 0);
    ASSERT_TRUE(ring);
    Client c(*ring);
    const vnpu_ring_layout& l = *c.layout();
    EXPECT_EQ(l.sq_entries, entries);
    EXPECT_EQ(l.cq_entries, 2 * entries);
    EXPECT_EQ(l.sq.mask, entries - 1);
    EXPECT_EQ(l.cq.mask, 2 * entries - 1);
    EXPECT_GE(l.sqe_offset, sizeof(vnpu_ring_layout));
    EXPECT_GE(l.cqe_offset, l.sqe_offset + uint64_t{entries} * sizeof(vnpu_ring_sqe));
    EXPECT_LE(l.cqe_offset + uint64_t{2 * entries} * sizeof(vnpu_ring_cqe), ring->size());
    EXPECT_EQ(ring->size() % 4096, 0u);
    EXPECT_EQ(ring->id(), 1u);
    EXPECT_EQ(ring->cmdq_id(), 3u);
  }
}

TEST(VnpuUserRingTest, NopsCompleteThroughTheNopCallback) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  for (uint64_t i = 1; i <= 5; ++i) c.Push(Nop(100 + i));
  c.Doorbell();
  ASSERT_TRUE(c.WaitReady(5));
  for (uint64_t i = 1; i <= 5; ++i) {
    const vnpu_ring_cqe e = c.Reap();
    EXPECT_EQ(e.user_data, 100 + i);
    EXPECT_EQ(e.fence, i);
    EXPECT_EQ(e.result, 0);
    EXPECT_EQ(e.status, uint32_t{VNPU_JOB_SUCCESS});
  }
  EXPECT_EQ(d.Nops(), 5);
  EXPECT_EQ(d.Submits(), 0);
  EXPECT_EQ(c.SqHead(), 5u);
  EXPECT_EQ(ring->completed(), 5u);
  // More than the ring holds, in several rounds: indices wrap.
  for (uint64_t i = 0; i < 40; ++i) {
    c.Push(Nop(i));
    c.Doorbell();
    ASSERT_TRUE(c.WaitReady(1)) << i;
    EXPECT_EQ(c.Reap().user_data, i);
  }
  ring->Stop();
}

TEST(VnpuUserRingTest, RefusalsArePostedWithTheirErrnoAndAcceptedJobsWhenTheyEnd) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  vnpu_ring_sqe copy{};
  copy.opcode = VNPU_OP_COPY;
  copy.num_bos = 2;
  copy.user_data = 1;
  d.Refuse(-ERANGE);
  c.Push(copy);
  vnpu_ring_sqe flagged = Nop(2);
  flagged.flags = 1;  // NOPs are refused by the nop callback too
  c.Push(flagged);
  vnpu_ring_sqe nop_with_bos = Nop(3);
  nop_with_bos.num_bos = 1;  // not a plain NOP: goes to the submit path
  c.Push(nop_with_bos);
  c.Doorbell();
  ASSERT_TRUE(c.WaitReady(3));
  vnpu_ring_cqe e = c.Reap();
  EXPECT_EQ(e.user_data, 1u);
  EXPECT_EQ(e.result, -ERANGE);
  EXPECT_EQ(e.fence, 0u);
  e = c.Reap();
  EXPECT_EQ(e.user_data, 2u);
  EXPECT_EQ(e.result, -EINVAL);
  e = c.Reap();
  EXPECT_EQ(e.user_data, 3u);
  EXPECT_EQ(e.result, -ERANGE);
  EXPECT_EQ(d.Submits(), 2);
  d.Refuse(0);

  // Accepted: nothing is posted until the job ends, then its completion is.
  vnpu_ring_sqe axpy{};
  axpy.opcode = VNPU_OP_AXPY;
  axpy.num_bos = 2;
  axpy.user_data = 4;
  c.Push(axpy);
  c.Doorbell();
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(d.mu);
    return d.accepted.size() == 1;
  }));
  EXPECT_EQ(c.Ready(), 0u);
  std::shared_ptr<UserRing> from_job;
  {
    std::lock_guard lock(d.mu);
    EXPECT_EQ(d.accepted[0].first, 4u);
    from_job = std::move(d.accepted[0].second);
    d.accepted.clear();
  }
  EXPECT_EQ(from_job.get(), ring.get());
  std::thread engine([&] { from_job->Complete(4, 77, VNPU_JOB_TIMED_OUT); });
  engine.join();
  ASSERT_TRUE(c.WaitReady(1));
  e = c.Reap();
  EXPECT_EQ(e.user_data, 4u);
  EXPECT_EQ(e.fence, 77u);
  EXPECT_EQ(e.result, 0);
  EXPECT_EQ(e.status, uint32_t{VNPU_JOB_TIMED_OUT});
  ring->Stop();
}

TEST(VnpuUserRingTest, PollModeSleepsWithNeedWakeupAndTheDoorbellWakesIt) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, VNPU_RING_POLL);
  Client c(*ring);
  ring->Start();
  // Idle, the poller goes to sleep and says so.
  ASSERT_TRUE(Eventually([&] { return (c.SqFlags() & VNPU_RING_NEED_WAKEUP) != 0; }));
  // Asleep, nothing clears the flag: only a doorbell (or a submission it sees before it
  // sleeps) does.
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_TRUE(c.SqFlags() & VNPU_RING_NEED_WAKEUP);
  c.Push(Nop(1));
  EXPECT_TRUE(c.DoorbellIfNeeded());
  ASSERT_TRUE(c.WaitReady(1));
  EXPECT_EQ(c.Reap().user_data, 1u);

  // The protocol never loses a submission, whether the poller is awake or asleep.
  for (uint64_t i = 0; i < 200; ++i) {
    c.Push(Nop(i));
    c.DoorbellIfNeeded();
    ASSERT_TRUE(c.WaitReady(1)) << "submission " << i << " was never consumed";
    EXPECT_EQ(c.Reap().user_data, i);
    if (i % 50 == 0) {  // let it fall asleep now and then
      ASSERT_TRUE(Eventually([&] { return (c.SqFlags() & VNPU_RING_NEED_WAKEUP) != 0; }));
    }
  }
  ring->Stop();
}

TEST(VnpuUserRingTest, TheCompletionEventfdIsWrittenOnlyWhenAsked) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  c.Push(Nop(1));
  c.Doorbell();
  ASSERT_TRUE(c.WaitReady(1));
  c.Reap();
  uint64_t v = 0;
  EXPECT_EQ(read(ring->completion_fd(), &v, sizeof(v)), -1);  // nobody asked: not written
  EXPECT_EQ(errno, EAGAIN);

  __atomic_fetch_or(&c.layout()->cq.flags, VNPU_RING_CQ_WANT_WAKEUP, __ATOMIC_SEQ_CST);
  c.Push(Nop(2));
  c.Doorbell();
  pollfd p{ring->completion_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30000), 1);
  EXPECT_EQ(read(ring->completion_fd(), &v, sizeof(v)), 8);
  EXPECT_GE(v, 1u);
  ASSERT_TRUE(c.WaitReady(1));
  EXPECT_EQ(c.Reap().user_data, 2u);
  ring->Stop();
}

// A client publishing a tail a million entries ahead: the ring reads only its own slots
// (every completion carries the user_data of one of the 8 entries written), stops when the
// completion ring is full, resumes when it is reaped, and Stop() still joins.
TEST(VnpuUserRingTest, AGarbageSqTailNeverLeavesTheRing) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  for (uint64_t i = 0; i < 8; ++i) c.Push(Nop(1000 + i));
  c.set_sq_tail(1000000);
  __atomic_store_n(&c.layout()->sq.tail, 1000000u, __ATOMIC_RELEASE);
  c.Doorbell();
  const uint32_t cq = c.cq_entries();
  ASSERT_TRUE(c.WaitReady(cq));
  // Full: the ring takes no more until the client reaps (it never overwrites completions).
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(c.Ready(), cq);
  EXPECT_EQ(c.SqHead(), cq);
  for (uint32_t i = 0; i < cq; ++i) {
    const vnpu_ring_cqe e = c.Reap();
    EXPECT_EQ(e.user_data, 1000 + i % c.sq_entries()) << i;
  }
  ASSERT_TRUE(c.WaitReady(cq));  // it went on with the next round
  for (uint32_t i = 0; i < cq; ++i) EXPECT_EQ(c.Reap().user_data, 1000 + i % c.sq_entries());
  ring->Stop();  // although it believes ~a million entries are pending
  EXPECT_LE(d.Nops(), 3 * static_cast<int>(cq));
}

// A client whose completion head runs ahead of the tail: the ring waits for room rather than
// posting over unreaped entries; Stop() joins it.
// CPU time this process spent while the test thread sleeps `ms`: what the ring thread burns.
double CpuMsWhileSleeping(int ms) {
  timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  std::this_thread::sleep_for(milliseconds(ms));
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

// Issue 12 A4: a garbage cq.head with a submission pending made the ring thread yield()
// forever (two such rings pinned both cores). Now the ring is marked broken, posts nothing,
// and its thread sleeps until the ring is destroyed.
TEST(VnpuUserRingTest, AGarbageCqHeadMarksTheRingBrokenAndItStopsCostingCpu) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  __atomic_store_n(&c.layout()->cq.head, 12345u, __ATOMIC_RELEASE);
  c.Push(Nop(1));
  c.Doorbell();
  ASSERT_TRUE(Eventually([&] { return (c.SqFlags() & VNPU_RING_BROKEN) != 0; }));
  EXPECT_TRUE(ring->broken());
  // A spinning thread would burn about the whole interval; a sleeping one nearly nothing.
  EXPECT_LT(CpuMsWhileSleeping(300), 100.0);
  c.Doorbell();  // a broken ring stays broken
  EXPECT_EQ(c.CqTail(), 0u);
  EXPECT_EQ(d.Nops(), 0);
  ring->Stop();
}

// Issue 12 A4: a completion ring the client does not reap is full, not broken: the ring thread
// waits without spinning, and resumes when the client reaps and rings the doorbell.
TEST(VnpuUserRingTest, AFullCompletionRingSleepsUntilTheClientReaps) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(2, 0);  // 2 submissions, 4 completions
  Client c(*ring);
  ring->Start();
  for (uint64_t i = 0; i < 4; ++i) {
    c.Push(Nop(i));
    c.Doorbell();
    ASSERT_TRUE(Eventually([&] { return c.CqTail() == i + 1; }));
  }
  c.Push(Nop(4));
  c.Push(Nop(5));
  c.Doorbell();
  EXPECT_LT(CpuMsWhileSleeping(300), 100.0);
  EXPECT_EQ(c.CqTail(), 4u);  // no room: nothing posted, nothing overwritten
  EXPECT_FALSE(ring->broken());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.Reap().user_data, static_cast<uint64_t>(i));
  c.Doorbell();
  ASSERT_TRUE(c.WaitReady(2));
  EXPECT_EQ(c.Reap().user_data, 4u);
  EXPECT_EQ(c.Reap().user_data, 5u);
  ring->Stop();
}

// The completion ring's mask, entry count and tail live in the map the client writes. Were the
// device to read its geometry back from there, a client setting both to all-ones (cq_entries
// 0) would make acceld write a completion wherever `cq.tail` points: out of the ring, into
// whatever is mapped after it (here: the padding after the completion entries, so that a
// regression fails instead of crashing). Found by this test; fixed in 9e6a2ea (private copies).
TEST(VnpuUserRingTest, HostileCqMaskAndEntriesNeverMoveACompletionOutOfTheRing) {
  Device d;
  std::shared_ptr<UserRing> ring = d.Create(8, 0);
  Client c(*ring);
  ring->Start();
  c.Push(Nop(1));  // the ring thread has read its layout by the time this completes
  c.Doorbell();
  ASSERT_TRUE(c.WaitReady(1));
  c.Reap();

  const uint64_t cq_end = c.layout()->cqe_offset + uint64_t{c.cq_entries()} * sizeof(vnpu_ring_cqe);
  constexpr uint32_t kIndex = 40;  // lands after the entries but inside the page
  ASSERT_LT(c.layout()->cqe_offset + uint64_t{kIndex + 1} * sizeof(vnpu_ring_cqe), c.size());
  ASSERT_GE(c.layout()->cqe_offset + uint64_t{kIndex} * sizeof(vnpu_ring_cqe), cq_end);
  c.layout()->cq.mask = 0xffffffffu;
  c.layout()->cq_entries = 0;
  __atomic_store_n(&c.layout()->cq.head, kIndex, __ATOMIC_RELEASE);  // room, as far as it knows
  __atomic_store_n(&c.layout()->cq.tail, kIndex, __ATOMIC_RELEASE);
  c.Push(Nop(0x5a5a5a5a));
  c.Doorbell();
  ASSERT_TRUE(Eventually([&] { return d.Nops() == 2; }));
  Eventually([&] { return c.CqTail() != kIndex; });
  ring->Stop();
  size_t stray = 0;
  for (uint64_t off = cq_end; off < c.size(); ++off) stray += c.map()[off] != 0;
  EXPECT_EQ(stray, 0u) << "the completion was written " << stray
                       << " bytes past the completion ring (hostile cq.mask/cq_entries)";
}

TEST(VnpuUserRingTest, StopJoinsWhetherAsleepSpinningOrNeverStarted) {
  Device d;
  {
    std::shared_ptr<UserRing> asleep = d.Create(8, 0);
    asleep->Start();
    std::this_thread::sleep_for(milliseconds(5));
    asleep->Stop();
    asleep->Stop();  // twice is harmless
  }
  {
    std::shared_ptr<UserRing> polling = d.Create(8, VNPU_RING_POLL);
    Client c(*polling);
    polling->Start();
    c.Push(Nop(1));  // keeps it busy for a moment: Stop() may find it spinning
    polling->Stop();
  }
  {
    std::shared_ptr<UserRing> never = d.Create(8, 0);
    never->Stop();
  }
  // Without Stop(): the last reference joins the thread.
  std::shared_ptr<UserRing> dropped = d.Create(8, VNPU_RING_POLL);
  dropped->Start();
  dropped.reset();
}

}  // namespace
}  // namespace accel::vnpu
