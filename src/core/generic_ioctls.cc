// generic_ioctls.cc - handlers of the generic range (DRM's VERSION and GET_CAP at DRM's numbers;
// accel's VERSION, RAS_*).
//
// Handlers get the kernel-side copy of the struct, already size-checked and zero-extended by
// the dispatcher, and only implement the command.
#include "core/generic_ioctls.h"

#include <uapi/accel/accel.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/device.h"
#include "core/driver.h"
#include "core/file.h"
#include "ras/codec_table.h"

namespace accel::core {
namespace {

// RAS payloads are bounded: a query asking for more than this is served up to it.
constexpr uint32_t kMaxRasPayload = 1u << 20;

Device& DeviceOf(const accel_call* call) {
  return *Device::FromHandle(call->dev);
}

void CopyString(char* dst, size_t cap, const std::string& src) {
  const size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

int Version(const accel_call* call, void* data) {
  auto* v = static_cast<accel_version*>(data);
  const Driver& d = *DeviceOf(call).entered_driver();
  v->version_major = d.major();
  v->version_minor = d.minor();
  v->version_patchlevel = d.patchlevel();
  v->pad = 0;
  CopyString(v->name, sizeof(v->name), d.name());
  CopyString(v->date, sizeof(v->date), d.date());
  CopyString(v->desc, sizeof(v->desc), d.desc());
  return 0;
}

// drm_copy_field(): at most *len bytes of `value` (no NUL) to the caller's buffer, then *len
// is the true length. Over a FUSE node nothing is written: staged bytes would make the ioctl
// return their count, which libdrm takes for a failure (see struct accel_drm_version).
int CopyField(UserMemory& mem, __u64 ptr, __u64* len, const std::string& value) {
  const __u64 n = std::min<__u64>(*len, value.size());
  *len = value.size();
  if (n == 0 || ptr == 0 || !mem.reaches_caller_memory()) return 0;
  return mem.CopyOut(ptr, value.data(), static_cast<uint32_t>(n));
}

// DRM_IOCTL_VERSION, as drm_version() answers it. Never a length of 0 (libdrm would strdup a
// NULL): an empty date is reported as "0", as the kernel reports every driver's date since it
// removed them, and an empty description as the name (which Driver::Create requires).
int DrmVersion(const accel_call* call, void* data) {
  auto* v = static_cast<accel_drm_version*>(data);
  const Driver& d = *DeviceOf(call).entered_driver();
  UserMemory& mem = *static_cast<UserMemory*>(call->core);
  v->version_major = static_cast<int32_t>(d.major());
  v->version_minor = static_cast<int32_t>(d.minor());
  v->version_patchlevel = static_cast<int32_t>(d.patchlevel());
  static const std::string kNoDate = "0";
  const std::string& date = d.date().empty() ? kNoDate : d.date();
  const std::string& desc = d.desc().empty() ? d.name() : d.desc();
  int rc = CopyField(mem, v->name, &v->name_len, d.name());
  if (rc == 0) rc = CopyField(mem, v->date, &v->date_len, date);
  if (rc == 0) rc = CopyField(mem, v->desc, &v->desc_len, desc);
  return rc;
}

// DRM_IOCTL_GET_CAP as drm_getcap() answers it for a driver without DRIVER_MODESET, plus
// accel's own capabilities. The kernel returns -EOPNOTSUPP for every other capability before
// it could say -EINVAL for an unknown one, so a non-KMS node never says -EINVAL.
int GetCap(const accel_call* call, void* data) {
  auto* cap = static_cast<accel_get_cap*>(data);
  const Device& dev = DeviceOf(call);
  const uint32_t features = dev.entered_driver()->features();
  switch (cap->capability) {
    case ACCEL_DRM_CAP_TIMESTAMP_MONOTONIC:
      cap->value = 1;
      return 0;
    case ACCEL_DRM_CAP_PRIME:
      cap->value = ACCEL_DRM_PRIME_CAP_IMPORT | ACCEL_DRM_PRIME_CAP_EXPORT;
      return 0;
    case ACCEL_DRM_CAP_SYNCOBJ:
      cap->value = (features & Driver::kFeatureSyncobj) ? 1 : 0;
      return 0;
    case ACCEL_DRM_CAP_SYNCOBJ_TIMELINE:
      cap->value = (features & Driver::kFeatureSyncobjTimeline) ? 1 : 0;
      return 0;
    case ACCEL_CAP_UAPI_VERSION:
      cap->value = (ACCEL_UAPI_VERSION_MAJOR << 16) | ACCEL_UAPI_VERSION_MINOR;
      return 0;
    case ACCEL_CAP_RAS_FORMATS:
      cap->value = dev.ras_formats();
      return 0;
    case ACCEL_CAP_RAS_PASSTHROUGH:
      cap->value = dev.ras_passthrough();
      return 0;
    case ACCEL_CAP_MINOR:
      cap->value = dev.minor();
      return 0;
    default:
      cap->value = 0;
      return -EOPNOTSUPP;  // "other caps only work with KMS drivers"
  }
}

// Writes `bytes` to the caller's buffer, or reports the size needed (-ENOSPC).
int CopyPayload(const accel_call* call, accel_ras_query* q, const uint8_t* bytes, size_t len) {
  if (len > kMaxRasPayload) return -E2BIG;
  q->len = static_cast<uint32_t>(len);
  if (len > q->size) return -ENOSPC;
  return static_cast<UserMemory*>(call->core)->CopyOut(q->ptr, bytes, q->len);
}

// The driver answers the query itself: into a bounded kernel-side buffer, then copied out.
int DriverRasQuery(const accel_call* call, accel_ras_query* q) {
  const accel_driver& t = DeviceOf(call).entered_driver()->table();
  // Not zero-filled: the driver writes what it reports in len, and only that is copied out.
  const uint32_t cap = std::min(q->size, kMaxRasPayload);
  std::unique_ptr<uint8_t[]> buf(new uint8_t[cap == 0 ? 1 : cap]);
  uint32_t len = 0, schema = ACCEL_RAS_SCHEMA_NATIVE;
  int rc = t.ras_query(call, q->format, q->flags, buf.get(), cap, &len, &schema);
  q->schema = schema;
  if (rc == -ENOSPC) {
    q->len = len;  // the size needed; nothing written
    return rc;
  }
  if (rc < 0) return rc;
  if (len > cap) return -EIO;  // a driver that overran its buffer is broken
  rc = static_cast<UserMemory*>(call->core)->CopyOut(q->ptr, buf.get(), len);
  if (rc < 0) return rc;
  q->len = len;
  return 0;
}

int RasQuery(const accel_call* call, void* data) {
  auto* q = static_cast<accel_ras_query*>(data);
  Device& dev = DeviceOf(call);
  q->len = 0;
  q->schema = 0;
  if ((q->flags & ~ACCEL_RAS_QUERY_FLAGS_ALL) != 0 || q->pad != 0) return -EINVAL;
  if (q->format >= 64 || q->format == ACCEL_RAS_FMT_RESERVED_6) return -EINVAL;
  if ((q->flags & ACCEL_RAS_QUERY_THRIFT_COMPACT) && q->format != ACCEL_RAS_FMT_THRIFT)
    return -EINVAL;
  if (q->size != 0 && q->ptr == 0) return -EFAULT;
  const bool raw = (q->flags & ACCEL_RAS_QUERY_RAW) != 0;
  if (raw) {
    if (q->format >= 32 || (dev.ras_passthrough() & (1u << q->format)) == 0) return -EOPNOTSUPP;
  } else if ((dev.ras_formats() & (1ULL << q->format)) == 0) {
    return -EOPNOTSUPP;
  }

  // A driver that encodes RAS itself goes first; -EOPNOTSUPP hands the query to the framework.
  if (dev.entered_driver()->table().ras_query != nullptr) {
    const int rc = DriverRasQuery(call, q);
    if (rc != -EOPNOTSUPP) return rc;
    q->len = 0;
    q->schema = 0;
  }
  if (raw) {
    std::optional<std::pair<uint32_t, std::vector<uint8_t>>> blob = dev.ras().FirmwareBlob();
    if (!blob || blob->first != q->format) return -ENODATA;  // the firmware sent none yet
    q->schema = ACCEL_RAS_SCHEMA_FIRMWARE;
    return CopyPayload(call, q, blob->second.data(), blob->second.size());
  }
  const bool compact = (q->flags & ACCEL_RAS_QUERY_THRIFT_COMPACT) != 0;
  const ras::Codec* codec = compact ? ras::FindThriftCompactCodec() : ras::FindCodec(q->format);
  if (codec == nullptr) return -EOPNOTSUPP;
  Result<std::vector<uint8_t>> bytes = codec->encode(dev.RasSnapshot());
  if (!bytes) return bytes.error();
  q->schema = compact ? ACCEL_RAS_SCHEMA_THRIFT_COMPACT : ACCEL_RAS_SCHEMA_NATIVE;
  return CopyPayload(call, q, bytes->data(), bytes->size());
}

int RasClear(const accel_call* call, void* data) {
  const auto* c = static_cast<const accel_ras_clear*>(data);
  if (c->flags != 0 || c->pad != 0) return -EINVAL;
  return DeviceOf(call).RasClear().error();
}

int RasInject(const accel_call* call, void* data) {
  auto* in = static_cast<accel_ras_inject*>(data);
  if ((in->flags & ~ACCEL_RAS_INJECT_FLAGS_ALL) != 0) return -EINVAL;
  std::optional<uint64_t> address;
  if (in->flags & ACCEL_RAS_INJECT_ADDRESS) address = in->address;
  const Caller caller{call->uid, call->gid, call->pid};
  // Inside a call the device is already entered; RasInject enters again (nested is fine).
  Result<uint64_t> seqno = DeviceOf(call).RasInject(
      caller, reinterpret_cast<File*>(call->file), in->component, in->severity, in->count, address);
  if (!seqno) return seqno.error();
  in->seqno = *seqno;
  return 0;
}

int RasEventRead(const accel_call* call, void* data) {
  File* file = reinterpret_cast<File*>(call->file);
  std::optional<accel_ras_event> ev = file->PopEvent();
  if (!ev) return -EAGAIN;  // nothing pending: wait with poll(2)
  std::memcpy(data, &*ev, sizeof(*ev));
  return 0;
}

struct GenericTable {
  std::array<const accel_ioctl_desc*, 256> by_nr{};
  GenericTable(const accel_ioctl_desc* begin, const accel_ioctl_desc* end) {
    for (const accel_ioctl_desc* d = begin; d != end; ++d) by_nr[_IOC_NR(d->cmd)] = d;
  }
};

constexpr accel_ioctl_desc kGenericIoctls[] = {
    {ACCEL_IOCTL_DRM_VERSION, 0, 0, 0, DrmVersion},
    {ACCEL_IOCTL_GET_CAP, 0, 0, 0, GetCap},
    {ACCEL_IOCTL_VERSION, 0, 0, 0, Version},
    {ACCEL_IOCTL_RAS_QUERY, 0, 0, 0, RasQuery},
    {ACCEL_IOCTL_RAS_EVENT_READ, 0, 0, 0, RasEventRead},
    {ACCEL_IOCTL_RAS_CLEAR, 0, ACCEL_IOCTL_ROOT_ONLY, 0, RasClear},
    {ACCEL_IOCTL_RAS_INJECT, 0, ACCEL_IOCTL_ROOT_ONLY | ACCEL_IOCTL_MAY_SLEEP, 0, RasInject},
};

const GenericTable kTable(std::begin(kGenericIoctls), std::end(kGenericIoctls));

}  // namespace

const accel_ioctl_desc* FindGenericIoctl(uint32_t nr) {
  return nr < kTable.by_nr.size() ? kTable.by_nr[nr] : nullptr;
}

}  // namespace accel::core
