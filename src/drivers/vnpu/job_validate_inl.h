// job_validate_inl.h - ValidateJob (job.h): every offset and length a kernel will touch is
// checked here, once, before the job is queued, so engines never bounds-check.
#ifndef ACCEL_DRIVERS_VNPU_JOB_VALIDATE_INL_H_
#define ACCEL_DRIVERS_VNPU_JOB_VALIDATE_INL_H_

#include <cerrno>

namespace accel::vnpu {

namespace validate_internal {

inline constexpr uint64_t kMaxElements = uint64_t{1} << 40;  // keeps n * 4 far from overflow
inline constexpr uint64_t kMaxGemmDim = 65536;
inline constexpr uint64_t kMaxSpinNs = 60ull * 1000 * 1000 * 1000;

inline uint32_t BoCount(uint32_t opcode) {
  switch (opcode) {
    case VNPU_OP_COPY:
    case VNPU_OP_AXPY:
    case VNPU_OP_REDUCE_SUM:
    case VNPU_OP_CRC32C:
      return 2;
    case VNPU_OP_GEMM:
      return 3;
    default:
      return 0;
  }
}

// 0, or -ERANGE when [off, off + len) leaves the BO, -EINVAL when misaligned.
inline int CheckRange(const BufferObject& bo, uint64_t off, uint64_t len, uint64_t align) {
  if (off % align) return -EINVAL;
  return bo.InRange(off, len) ? 0 : -ERANGE;
}

}  // namespace validate_internal

template <typename FindBo>
int ValidateJob(const JobRequest& req, FindBo&& find, Job* job) {
  using namespace validate_internal;
  if (req.opcode >= VNPU_OP_COUNT || req.flags != 0) return -EINVAL;
  if (req.num_bos != BoCount(req.opcode)) return -EINVAL;
  for (uint32_t i = req.num_bos; i < VNPU_MAX_JOB_BOS; ++i)
    if (req.bo_handles[i] != 0) return -EINVAL;
  job->opcode = req.opcode;
  job->num_bos = req.num_bos;
  for (uint32_t i = 0; i < req.num_bos; ++i) {
    job->bos[i] = find(req.bo_handles[i]);
    if (!job->bos[i]) return -ENOENT;
  }
  for (uint32_t i = 0; i < VNPU_MAX_JOB_PARAMS; ++i) job->params[i] = req.params[i];
  const uint64_t* p = req.params;
  auto bo = [&](int i) -> const BufferObject& { return *job->bos[i]; };
  int rc = 0;
  switch (req.opcode) {
    case VNPU_OP_NOP:
      return 0;
    case VNPU_OP_SPIN:
      return p[0] <= kMaxSpinNs ? 0 : -EINVAL;
    case VNPU_OP_COPY:
      if ((rc = CheckRange(bo(0), p[0], p[2], 1))) return rc;
      return CheckRange(bo(1), p[1], p[2], 1);
    case VNPU_OP_AXPY:
      if (p[0] > kMaxElements || p[1] > UINT32_MAX) return -EINVAL;
      if ((rc = CheckRange(bo(0), p[2], p[0] * 4, 4))) return rc;
      return CheckRange(bo(1), p[3], p[0] * 4, 4);
    case VNPU_OP_REDUCE_SUM:
      if (p[0] > kMaxElements) return -EINVAL;
      if ((rc = CheckRange(bo(0), p[1], p[0] * 4, 4))) return rc;
      return CheckRange(bo(1), p[2], 4, 4);
    case VNPU_OP_CRC32C:
      if (p[3] > UINT32_MAX) return -EINVAL;
      if ((rc = CheckRange(bo(0), p[1], p[0], 1))) return rc;
      return CheckRange(bo(1), p[2], 4, 4);
    case VNPU_OP_GEMM: {
      const uint64_t m = p[0], n = p[1], k = p[2];
      if (m == 0 || n == 0 || k == 0 || m > kMaxGemmDim || n > kMaxGemmDim || k > kMaxGemmDim)
        return -EINVAL;
      if ((rc = CheckRange(bo(0), p[4], m * k * 4, 4))) return rc;
      if ((rc = CheckRange(bo(1), p[5], k * n * 4, 4))) return rc;
      return CheckRange(bo(2), p[6], m * n * 4, 4);
    }
  }
  return -EINVAL;
}

}  // namespace accel::vnpu

#endif  // ACCEL_DRIVERS_VNPU_JOB_VALIDATE_INL_H_
