// vnpu_ioctls.cc - the driver-range commands of uapi/accel/vnpu.h. The dispatcher has already
// sized the struct (zero-extended) and judged ROOT_ONLY; handlers check the rest.
#include <signal.h>

#include <cerrno>
#include <cstddef>

#include "drivers/vnpu/vnpu_device.h"

namespace accel::vnpu {
namespace {

VnpuFile* FileOf(const accel_call* call) {
  return static_cast<VnpuFile*>(call->file_priv);
}

bool HostHas(const accel_host_ops* ops, size_t end) {
  return ops->struct_size >= end;
}

}  // namespace

int VnpuDevice::GetParam(const accel_call*, vnpu_get_param* arg) {
  if (arg->pad) return -EINVAL;
  switch (arg->param) {
    case VNPU_PARAM_DEVICE_ID:
      arg->value = 0x7e51;
      return 0;
    case VNPU_PARAM_NUM_ENGINES:
      arg->value = scheduler_->engines();
      return 0;
    case VNPU_PARAM_MEMORY_SIZE:
      arg->value = memory_->size();
      return 0;
    case VNPU_PARAM_MEMORY_USED:
      arg->value = memory_->used();
      return 0;
    case VNPU_PARAM_FW_VERSION: {
      std::lock_guard lock(fw_mu_);
      arg->value =
          fw_hello_ ? (uint64_t{hello_.major} << 32) | (uint64_t{hello_.minor} << 16) | hello_.patch
                    : 0;
      return 0;
    }
    case VNPU_PARAM_CAPABILITIES:
      arg->value = VNPU_CAP_USER_RING | VNPU_CAP_FAULT_INJECT |
                   (driver_->config.firmware ? VNPU_CAP_FW_PROCESS : 0);
      return 0;
    case VNPU_PARAM_JOB_TIMEOUT_MS:
      arg->value = driver_->config.job_timeout_ms;
      return 0;
    case VNPU_PARAM_RESET_COUNT:
      arg->value = reset_count_.load();
      return 0;
    case VNPU_PARAM_MAX_BO_SIZE:
      arg->value = std::min<uint64_t>(memory_->size(), (uint64_t{1} << 32) - kPageSize);
      return 0;
  }
  return -EINVAL;
}

int VnpuDevice::BoCreate(const accel_call* call, vnpu_bo_create* arg) {
  if (arg->flags) return -EINVAL;
  const uint64_t max = std::min<uint64_t>(memory_->size(), (uint64_t{1} << 32) - kPageSize);
  if (arg->size == 0 || arg->size > max) return -EINVAL;
  Result<std::shared_ptr<BufferObject>> bo = BufferObject::Create(memory_, arg->size);
  if (!bo) return bo.error();
  VnpuFile* f = FileOf(call);
  std::lock_guard lock(f->mu);
  // Handles are never reused while the file lives; 2^30 of them keeps fake offsets below 2^62.
  if (f->next_bo >= (1u << 30)) return -ENOSPC;
  const uint32_t handle = f->next_bo++;
  f->bo_bytes += (*bo)->size();
  arg->handle = handle;
  arg->device_address = (*bo)->device_address();
  f->bos.emplace(handle, std::move(*bo));
  return 0;
}

int VnpuDevice::BoInfo(const accel_call* call, vnpu_bo_info* arg) {
  if (arg->pad) return -EINVAL;
  VnpuFile* f = FileOf(call);
  std::lock_guard lock(f->mu);
  std::shared_ptr<BufferObject> bo = f->FindBo(arg->handle);
  if (!bo) return -ENOENT;
  arg->size = bo->size();
  arg->offset = uint64_t{arg->handle} << VNPU_BO_OFFSET_SHIFT;
  arg->device_address = bo->device_address();
  return 0;
}

int VnpuDevice::BoDestroy(const accel_call* call, vnpu_bo_destroy* arg) {
  if (arg->pad) return -EINVAL;
  VnpuFile* f = FileOf(call);
  std::lock_guard lock(f->mu);
  auto it = f->bos.find(arg->handle);
  if (it == f->bos.end()) return -ENOENT;
  f->bo_bytes -= it->second->size();
  f->bos.erase(it);  // a job still using it holds its own reference
  return 0;
}

int VnpuDevice::BoExport(const accel_call* call, vnpu_bo_export* arg) {
  if (arg->flags || arg->pad) return -EINVAL;
  if (!HostHas(ops(), offsetof(accel_host_ops, install_fd) + sizeof(void*))) return -EOPNOTSUPP;
  VnpuFile* f = FileOf(call);
  std::shared_ptr<BufferObject> bo;
  {
    std::lock_guard lock(f->mu);
    bo = f->FindBo(arg->handle);
  }
  if (!bo) return -ENOENT;
  return ops()->install_fd(call, bo->memfd(), offsetof(vnpu_bo_export, fd));
}

int VnpuDevice::CmdqCreate(const accel_call* call, vnpu_cmdq_create* arg) {
  if (arg->flags || arg->pad) return -EINVAL;
  if (arg->priority >= VNPU_PRIORITY_COUNT) return -EINVAL;
  if (arg->priority == VNPU_PRIORITY_HIGH && call->uid != 0) return -EACCES;
  VnpuFile* f = FileOf(call);
  std::lock_guard lock(f->mu);
  if (f->cmdqs.size() >= 256) return -ENOSPC;
  const uint32_t id = f->next_cmdq++;
  f->cmdqs.emplace(id, CommandQueue{arg->priority});
  arg->cmdq_id = id;
  return 0;
}

int VnpuDevice::CmdqDestroy(const accel_call* call, vnpu_cmdq_destroy* arg) {
  if (arg->pad) return -EINVAL;
  VnpuFile* f = FileOf(call);
  std::vector<std::shared_ptr<UserRing>> rings;
  {
    std::lock_guard lock(f->mu);
    if (f->cmdqs.erase(arg->cmdq_id) == 0) return -ENOENT;
    for (auto it = f->rings.begin(); it != f->rings.end();) {
      if (it->second->cmdq_id() == arg->cmdq_id) {
        rings.push_back(std::move(it->second));
        it = f->rings.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& r : rings) r->Stop();
  const FileContext* ctx = f->ctx.get();
  const uint32_t id = arg->cmdq_id;
  scheduler_->AbortQueued(
      [ctx, id](const Job& j) { return j.owner.get() == ctx && j.cmdq_id == id; });
  return 0;
}

int VnpuDevice::Submit(const accel_call* call, vnpu_submit* arg) {
  if (arg->pad) return -EINVAL;
  JobRequest req;
  req.opcode = arg->opcode;
  req.num_bos = arg->num_bos;
  req.flags = arg->flags;
  req.timeout_ms = arg->timeout_ms;
  for (int i = 0; i < VNPU_MAX_JOB_BOS; ++i) req.bo_handles[i] = arg->bo_handles[i];
  for (int i = 0; i < VNPU_MAX_JOB_PARAMS; ++i) req.params[i] = arg->params[i];
  uint64_t fence = 0;
  const int rc = QueueJob(FileOf(call), arg->cmdq_id, req, nullptr, 0, &fence);
  arg->fence = fence;
  return rc;
}

namespace {

struct WaitState {
  FileContext* ctx;
  const vnpu_wait* arg;
};

// 1 when the wait is satisfied. Runs under the device's wait lock; the fence table has its own.
int WaitDone(void* p) noexcept {
  auto* w = static_cast<WaitState*>(p);
  const bool all = w->arg->flags & VNPU_WAIT_ALL;
  for (uint32_t i = 0; i < w->arg->num_fences; ++i) {
    Result<uint32_t> s = w->ctx->fences.Status(w->arg->fences[i]);
    const bool done = s && *s != VNPU_JOB_PENDING;
    if (done && !all) return 1;
    if (!done && all) return 0;
  }
  return all ? 1 : 0;
}

}  // namespace

int VnpuDevice::Wait(const accel_call* call, vnpu_wait* arg) {
  if (arg->pad || (arg->flags & ~VNPU_WAIT_ALL)) return -EINVAL;
  if (arg->num_fences == 0 || arg->num_fences > VNPU_MAX_WAIT_FENCES) return -EINVAL;
  VnpuFile* f = FileOf(call);
  std::shared_ptr<FileContext> ctx = f->ctx;
  for (uint32_t i = 0; i < arg->num_fences; ++i)
    if (!ctx->fences.Status(arg->fences[i])) return -EINVAL;
  WaitState state{ctx.get(), arg};
  int rc = 0;
  if (!WaitDone(&state)) {
    rc =
        arg->timeout_ns == 0 ? -ETIME : ops()->device_wait(call, WaitDone, &state, arg->timeout_ns);
  }
  arg->first_signaled = 0;
  bool found = false;
  for (uint32_t i = 0; i < VNPU_MAX_WAIT_FENCES; ++i) {
    if (i >= arg->num_fences) {
      arg->status[i] = 0;
      continue;
    }
    Result<uint32_t> s = ctx->fences.Status(arg->fences[i]);
    arg->status[i] = s ? *s : VNPU_JOB_PENDING;
    if (!found && s && *s != VNPU_JOB_PENDING) {
      arg->first_signaled = i;
      found = true;
    }
  }
  return rc;
}

// A fault that is a RAS error goes through the core's one inject entry, as the generic
// RAS_INJECT does: the same range checks and "acknowledged means durable"; the core then
// calls RasInject (vnpu_device.cc), the driver's ras_inject hook.
int64_t VnpuDevice::InjectThroughCore(const accel_call* call, uint32_t component, uint32_t severity,
                                      bool has_address, uint64_t address) {
  if (!HostHas(ops(), offsetof(accel_host_ops, device_ras_inject) + sizeof(void*)))
    return -EOPNOTSUPP;
  return ops()->device_ras_inject(call, component, severity, 1, has_address ? 1 : 0, address);
}

int VnpuDevice::InjectFault(const accel_call* call, vnpu_inject_fault* arg) {
  arg->seqno = 0;
  int64_t rc = 0;
  switch (arg->type) {
    case VNPU_FAULT_ECC_CORRECTABLE:
    case VNPU_FAULT_ECC_UNCORRECTABLE: {
      if (arg->flags & ~VNPU_FAULT_ADDRESS) return -EINVAL;
      uint64_t address = arg->address;
      if (!(arg->flags & VNPU_FAULT_ADDRESS)) {
        VnpuFile* f = FileOf(call);
        std::lock_guard lock(f->mu);
        std::shared_ptr<BufferObject> bo = f->FindBo(arg->handle);
        if (!bo) return -ENOENT;
        if (arg->address >= bo->size()) return -ERANGE;
        address = bo->device_address() + arg->address;
      }
      rc = InjectThroughCore(call, VNPU_COMPONENT_HBM0,
                             arg->type == VNPU_FAULT_ECC_CORRECTABLE ? ACCEL_RAS_SEV_CORRECTED
                                                                     : ACCEL_RAS_SEV_UNCORRECTED,
                             true, address);
      break;
    }
    case VNPU_FAULT_ENGINE_HANG:
      if (arg->flags) return -EINVAL;
      rc = scheduler_->HangNextJob(arg->engine);
      break;
    case VNPU_FAULT_FW_CRASH:
      if (arg->flags) return -EINVAL;
      rc = InjectThroughCore(call, VNPU_COMPONENT_FW, ACCEL_RAS_SEV_FATAL, false, 0);
      break;
    case VNPU_FAULT_FW_ESCAPE: {
      // A compromised firmware: its seccomp filter kills it, which the driver then sees as a
      // crash (reset, a fatal "fw" event). Not a RAS error of its own, so not through the core.
      if (arg->flags) return -EINVAL;
      std::lock_guard lock(fw_mu_);
      if (!fw_) return -EOPNOTSUPP;  // firmware=none
      Result<void> sent = fw_->ProbeSandbox();
      if (!sent) return sent.error();
      break;
    }
    case VNPU_FAULT_LINK_ERROR:
      if (arg->flags & ~VNPU_FAULT_FATAL) return -EINVAL;
      rc = InjectThroughCore(
          call, VNPU_COMPONENT_PCIE,
          (arg->flags & VNPU_FAULT_FATAL) ? ACCEL_RAS_SEV_FATAL : ACCEL_RAS_SEV_CORRECTED, false,
          0);
      break;
    default:
      return -EINVAL;
  }
  if (rc < 0) return static_cast<int>(rc);
  arg->seqno = static_cast<uint64_t>(rc);
  return 0;
}

int VnpuDevice::RingCreate(const accel_call* call, vnpu_ring_create* arg) {
  if (arg->pad || (arg->flags & ~VNPU_RING_POLL)) return -EINVAL;
  if (!HostHas(ops(), offsetof(accel_host_ops, install_fd) + sizeof(void*))) return -EOPNOTSUPP;
  VnpuFile* f = FileOf(call);
  {
    std::lock_guard lock(f->mu);
    if (f->cmdqs.find(arg->cmdq_id) == f->cmdqs.end()) return -ENOENT;
    if (f->rings.size() >= 16) return -ENOSPC;
  }
  // A user's charge for one more ring, or -ENOSPC past VNPU_RING_MAX_PER_UID on this device.
  std::shared_ptr<void> charge;
  {
    std::shared_ptr<RingCharges> charges = ring_charges_;
    std::lock_guard lock(charges->mu);
    uint32_t& count = charges->by_uid[call->uid];
    if (count >= VNPU_RING_MAX_PER_UID) return -ENOSPC;
    ++count;
    const uint32_t uid = call->uid;
    charge = std::shared_ptr<void>(nullptr, [charges, uid](void*) {
      std::lock_guard l(charges->mu);
      if (--charges->by_uid[uid] == 0) charges->by_uid.erase(uid);
    });
  }
  const uint32_t cmdq_id = arg->cmdq_id;
  std::shared_ptr<FileContext> ctx = f->ctx;
  auto submit = [this, f, cmdq_id](const vnpu_ring_sqe& sqe, const std::shared_ptr<UserRing>& ring,
                                   vnpu_ring_cqe* refused) {
    JobRequest req;
    req.opcode = sqe.opcode;
    req.num_bos = sqe.num_bos;
    req.flags = sqe.flags;
    req.timeout_ms = sqe.timeout_ms;
    for (int i = 0; i < VNPU_MAX_JOB_BOS; ++i) req.bo_handles[i] = sqe.bo_handles[i];
    for (int i = 0; i < VNPU_MAX_JOB_PARAMS; ++i) req.params[i] = sqe.params[i];
    uint64_t fence = 0;
    const int rc = QueueJob(f, cmdq_id, req, ring, sqe.user_data, &fence);
    if (rc == 0) return true;
    refused->result = rc;
    return false;
  };
  auto nop = [ctx](const vnpu_ring_sqe& sqe, vnpu_ring_cqe* cqe) {
    if (sqe.flags) {
      cqe->result = -EINVAL;
      return;
    }
    Result<uint64_t> fence = ctx->fences.IssueSignaled(VNPU_JOB_SUCCESS);
    if (!fence) {
      cqe->result = fence.error();
      return;
    }
    ctx->jobs_done.fetch_add(1, std::memory_order_relaxed);
    cqe->fence = *fence;
    cqe->status = VNPU_JOB_SUCCESS;
  };
  uint32_t id;
  {
    std::lock_guard lock(f->mu);
    id = f->next_ring++;
  }
  Result<std::shared_ptr<UserRing>> ring =
      UserRing::Create(id, arg->entries, arg->flags, cmdq_id, std::move(submit), std::move(nop));
  if (!ring) return ring.error();
  (*ring)->set_charge(std::move(charge));
  int rc = ops()->install_fd(call, (*ring)->ring_fd(), offsetof(vnpu_ring_create, ring_fd));
  if (rc == 0)
    rc = ops()->install_fd(call, (*ring)->doorbell_fd(), offsetof(vnpu_ring_create, doorbell_fd));
  if (rc == 0)
    rc = ops()->install_fd(call, (*ring)->completion_fd(),
                           offsetof(vnpu_ring_create, completion_fd));
  if (rc < 0) return rc;
  arg->ring_id = id;
  arg->ring_size = (*ring)->size();
  (*ring)->Start();
  std::lock_guard lock(f->mu);
  f->rings.emplace(id, std::move(*ring));
  return 0;
}

int VnpuDevice::RingDestroy(const accel_call* call, vnpu_ring_destroy* arg) {
  if (arg->pad) return -EINVAL;
  VnpuFile* f = FileOf(call);
  std::shared_ptr<UserRing> ring;
  {
    std::lock_guard lock(f->mu);
    auto it = f->rings.find(arg->ring_id);
    if (it == f->rings.end()) return -ENOENT;
    ring = std::move(it->second);
    f->rings.erase(it);
  }
  ring->Stop();
  return 0;
}

}  // namespace accel::vnpu
