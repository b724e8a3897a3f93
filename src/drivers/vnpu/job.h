// job.h - one job: what SUBMIT (or a ring entry) asked for, and where its end is reported.
//
// A job holds references to its buffer objects (a handle destroyed meanwhile does not free
// memory an engine is using) and to its file's shared context (fences, usage), which outlives
// the file itself until the last job of it is done.
#ifndef ACCEL_DRIVERS_VNPU_JOB_H_
#define ACCEL_DRIVERS_VNPU_JOB_H_

#include <uapi/accel/vnpu.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "drivers/vnpu/buffer_object.h"
#include "drivers/vnpu/fence_table.h"

namespace accel::vnpu {

class UserRing;

// What a file's jobs share with it: fences, usage counters. Lives as long as a job needs it.
struct FileContext {
  uint64_t client_id = 0;
  uint32_t pid = 0;
  FenceTable fences;
  std::atomic<uint64_t> busy_ns{0};  // engine time of its finished jobs
  std::atomic<uint64_t> jobs_done{0};
  std::atomic<bool> closed{false};
};

// The inputs of a job as SUBMIT and ring entries carry them.
struct JobRequest {
  uint32_t opcode = 0;
  uint32_t num_bos = 0;
  uint32_t flags = 0;
  uint32_t timeout_ms = 0;
  uint32_t bo_handles[VNPU_MAX_JOB_BOS] = {};
  uint64_t params[VNPU_MAX_JOB_PARAMS] = {};
};

struct Job {
  uint32_t opcode = VNPU_OP_NOP;
  uint32_t num_bos = 0;
  std::array<std::shared_ptr<BufferObject>, VNPU_MAX_JOB_BOS> bos;
  uint64_t params[VNPU_MAX_JOB_PARAMS] = {};
  uint32_t priority = VNPU_PRIORITY_NORMAL;
  uint32_t cmdq_id = 0;
  uint64_t timeout_ns = 0;
  uint64_t fence = 0;
  std::shared_ptr<FileContext> owner;
  // Ring jobs post their completion there too.
  std::shared_ptr<UserRing> ring;
  uint64_t user_data = 0;

  // Engine side. `cancel` stops the kernel; `cancel_status` says why (TIMED_OUT or ABORTED).
  std::atomic<bool> cancel{false};
  std::atomic<uint32_t> cancel_status{VNPU_JOB_ABORTED};
  bool hang = false;  // fault injection: runs as SPIN until the watchdog resets the engine
  uint64_t start_ns = 0;
};

using JobPtr = std::shared_ptr<Job>;

// Runs the job's computation on the calling (engine) thread; returns its VNPU_JOB_* status.
// The request was validated when the job was made (ValidateJob), so offsets are in range.
uint32_t ExecuteJob(Job& job);

// Checks a request against its BOs and builds the job (without owner/fence/priority). -EINVAL
// for a malformed request, -ERANGE for offsets or lengths outside a BO, -ENOENT for a handle
// the file does not have (the lookup is `find(handle)`, returning nullptr when absent).
template <typename FindBo>
int ValidateJob(const JobRequest& req, FindBo&& find, Job* job);

}  // namespace accel::vnpu

#include "drivers/vnpu/job_validate_inl.h"

#endif  // ACCEL_DRIVERS_VNPU_JOB_H_
