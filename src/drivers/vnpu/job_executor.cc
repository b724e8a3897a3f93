// job_executor.cc - ExecuteJob (job.h): a validated job's computation, on an engine thread.
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "drivers/vnpu/job.h"
#include "drivers/vnpu/kernels/kernels.h"

namespace accel::vnpu {
namespace {

float FloatBits(uint64_t bits) {
  const uint32_t b = static_cast<uint32_t>(bits);
  float f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

template <typename T>
T* At(const Job& job, int bo, uint64_t offset) {
  return reinterpret_cast<T*>(job.bos[bo]->data() + offset);
}

// The SPIN opcode and an injected hang: busy until `ns` pass (0: forever) or the engine is
// reset. It yields between checks so that a hung engine does not starve the host's others.
int Spin(uint64_t ns, const std::atomic<bool>& cancel) {
  const auto start = std::chrono::steady_clock::now();
  while (!cancel.load(std::memory_order_relaxed)) {
    if (ns && std::chrono::steady_clock::now() - start >= std::chrono::nanoseconds(ns)) return 0;
    std::this_thread::yield();
  }
  return -ECANCELED;
}

// The byte range each BO of the job touches: what a poisoned page makes fail.
bool TouchesPoison(const Job& job) {
  const uint64_t* p = job.params;
  switch (job.opcode) {
    case VNPU_OP_COPY:
      return job.bos[0]->Poisoned(p[0], p[2]) || job.bos[1]->Poisoned(p[1], p[2]);
    case VNPU_OP_AXPY:
      return job.bos[0]->Poisoned(p[2], p[0] * 4) || job.bos[1]->Poisoned(p[3], p[0] * 4);
    case VNPU_OP_REDUCE_SUM:
      return job.bos[0]->Poisoned(p[1], p[0] * 4) || job.bos[1]->Poisoned(p[2], 4);
    case VNPU_OP_CRC32C:
      return job.bos[0]->Poisoned(p[1], p[0]) || job.bos[1]->Poisoned(p[2], 4);
    case VNPU_OP_GEMM:
      return job.bos[0]->Poisoned(p[4], p[0] * p[2] * 4) ||
             job.bos[1]->Poisoned(p[5], p[2] * p[1] * 4) ||
             job.bos[2]->Poisoned(p[6], p[0] * p[1] * 4);
    default:
      return false;
  }
}

}  // namespace

uint32_t ExecuteJob(Job& job) {
  const std::atomic<bool>* cancel = &job.cancel;
  if (TouchesPoison(job)) return VNPU_JOB_MEMORY_ERROR;
  const uint64_t* p = job.params;
  int rc = 0;
  if (job.hang) {
    rc = Spin(0, *cancel);
  } else {
    switch (job.opcode) {
      case VNPU_OP_NOP:
        break;
      case VNPU_OP_SPIN:
        rc = Spin(p[0], *cancel);
        break;
      case VNPU_OP_COPY:
        rc = kernels::Copy(At<uint8_t>(job, 0, p[0]), At<uint8_t>(job, 1, p[1]), p[2], cancel);
        break;
      case VNPU_OP_AXPY:
        rc = kernels::Axpy(p[0], FloatBits(p[1]), At<float>(job, 0, p[2]), At<float>(job, 1, p[3]),
                           cancel);
        break;
      case VNPU_OP_REDUCE_SUM:
        rc = kernels::ReduceSum(At<float>(job, 0, p[1]), p[0], At<float>(job, 1, p[2]), cancel);
        break;
      case VNPU_OP_CRC32C:
        rc = kernels::Crc32c(At<uint8_t>(job, 0, p[1]), p[0], static_cast<uint32_t>(p[3]),
                             At<uint32_t>(job, 1, p[2]), cancel);
        break;
      case VNPU_OP_GEMM:
        rc = kernels::Gemm(At<float>(job, 0, p[4]), At<float>(job, 1, p[5]),
                           At<float>(job, 2, p[6]), static_cast<uint32_t>(p[0]),
                           static_cast<uint32_t>(p[1]), static_cast<uint32_t>(p[2]),
                           FloatBits(p[3]), FloatBits(p[3] >> 32), cancel);
        break;
      default:
        return VNPU_JOB_ABORTED;  // unreachable: validated at submit
    }
  }
  if (rc == -ECANCELED) return job.cancel_status.load();
  return rc == 0 ? VNPU_JOB_SUCCESS : VNPU_JOB_ABORTED;
}

}  // namespace accel::vnpu
