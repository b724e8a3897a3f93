// fence_table.h - one file's fences: a number per job, and the job's status once it ends.
//
// Fences are per file (as a DRM syncobj handle is), increasing from 1. The table keeps the
// statuses of the last kWindow fences in a ring, so it costs 64 KiB per file however many jobs
// run; a fence older than that is unknown (-EINVAL), like one never issued. A slot is reused
// only when its job has ended, and at most kMaxInFlight jobs of a file may be pending, so a
// pending status is never overwritten.
#ifndef ACCEL_DRIVERS_VNPU_FENCE_TABLE_H_
#define ACCEL_DRIVERS_VNPU_FENCE_TABLE_H_

#include <uapi/accel/vnpu.h>

#include <accel/result.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace accel::vnpu {

class FenceTable {
 public:
  static constexpr uint64_t kWindow = 65536;
  static constexpr uint32_t kMaxInFlight = 4096;

  FenceTable() : status_(kWindow, VNPU_JOB_SUCCESS) {}

  // A new pending fence. -EAGAIN when kMaxInFlight jobs of this file are pending, or the slot
  // the new fence needs still holds a pending one.
  Result<uint64_t> Issue() {
    std::lock_guard lock(mu_);
    if (in_flight_ >= kMaxInFlight) return Err(EAGAIN);
    const uint64_t fence = last_ + 1;
    uint8_t& slot = status_[fence % kWindow];
    if (fence > kWindow && slot == VNPU_JOB_PENDING) return Err(EAGAIN);
    slot = VNPU_JOB_PENDING;
    last_ = fence;
    ++in_flight_;
    return fence;
  }

  // A fence for a job that has already ended with `status` (a NOP): Issue + Signal, one lock.
  Result<uint64_t> IssueSignaled(uint32_t status) {
    std::lock_guard lock(mu_);
    const uint64_t fence = last_ + 1;
    uint8_t& slot = status_[fence % kWindow];
    if (fence > kWindow && slot == VNPU_JOB_PENDING) return Err(EAGAIN);
    slot = static_cast<uint8_t>(status);
    last_ = fence;
    return fence;
  }

  // The job behind `fence` ended with `status` (a VNPU_JOB_* other than PENDING).
  void Signal(uint64_t fence, uint32_t status) {
    std::lock_guard lock(mu_);
    uint8_t& slot = status_[fence % kWindow];
    if (slot == VNPU_JOB_PENDING) --in_flight_;
    slot = static_cast<uint8_t>(status);
  }

  // VNPU_JOB_* of `fence`; -EINVAL when it was never issued or fell out of the window.
  Result<uint32_t> Status(uint64_t fence) const {
    std::lock_guard lock(mu_);
    if (fence == 0 || fence > last_ || last_ - fence >= kWindow) return Err(EINVAL);
    return static_cast<uint32_t>(status_[fence % kWindow]);
  }

  uint32_t in_flight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<uint8_t> status_;
  uint64_t last_ = 0;
  uint32_t in_flight_ = 0;
};

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_FENCE_TABLE_H_
