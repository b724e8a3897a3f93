// vnpu_client.h - a small typed client of vnpu's uAPI for the end-to-end tests and benchmarks:
// what a runtime would write on top of libaccel, with every call returning the raw errno.
#ifndef ACCEL_TESTS_VNPU_VNPU_CLIENT_H_
#define ACCEL_TESTS_VNPU_VNPU_CLIENT_H_

#include <accel/libaccel.h>
#include <accel/libaccel_vnpu.h>
#include <uapi/accel/vnpu.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace accel::testing {

inline uint64_t FloatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

// One open vnpu device over the socket (zero-copy features need it).
class VnpuClient {
 public:
  VnpuClient() = default;
  ~VnpuClient() {
    if (h_) accel_close(h_);
  }
  VnpuClient(const VnpuClient&) = delete;
  VnpuClient& operator=(const VnpuClient&) = delete;

  int Open(const std::string& name = "accel0", int transport = ACCEL_TRANSPORT_SOCKET) {
    return accel_open_transport(name.c_str(), transport, &h_);
  }
  accel_handle* handle() const { return h_; }

  int Param(uint32_t param, uint64_t* value) {
    vnpu_get_param p{};
    p.param = param;
    int rc = accel_ioctl(h_, VNPU_IOCTL_GET_PARAM, &p);
    *value = p.value;
    return rc;
  }
  uint64_t Param(uint32_t param) {
    uint64_t v = 0;
    return Param(param, &v) == 0 ? v : UINT64_MAX;
  }
  int BoCreate(uint64_t size, uint32_t* handle, uint64_t* device_address = nullptr) {
    vnpu_bo_create c{};
    c.size = size;
    int rc = accel_ioctl(h_, VNPU_IOCTL_BO_CREATE, &c);
    *handle = c.handle;
    if (device_address) *device_address = c.device_address;
    return rc;
  }
  int BoDestroy(uint32_t handle) {
    vnpu_bo_destroy d{handle, 0};
    return accel_ioctl(h_, VNPU_IOCTL_BO_DESTROY, &d);
  }
  int BoInfo(uint32_t handle, vnpu_bo_info* info) {
    *info = {};
    info->handle = handle;
    return accel_ioctl(h_, VNPU_IOCTL_BO_INFO, info);
  }
  int CmdqCreate(uint32_t priority, uint32_t* id) {
    vnpu_cmdq_create c{};
    c.priority = priority;
    int rc = accel_ioctl(h_, VNPU_IOCTL_CMDQ_CREATE, &c);
    *id = c.cmdq_id;
    return rc;
  }
  int Submit(uint32_t cmdq, uint32_t opcode, std::initializer_list<uint32_t> bos,
             std::initializer_list<uint64_t> params, uint64_t* fence, uint32_t timeout_ms = 0) {
    vnpu_submit s{};
    s.cmdq_id = cmdq;
    s.opcode = opcode;
    s.num_bos = static_cast<uint32_t>(bos.size());
    uint32_t i = 0;
    for (uint32_t b : bos) s.bo_handles[i++] = b;
    i = 0;
    for (uint64_t p : params) s.params[i++] = p;
    s.timeout_ms = timeout_ms;
    int rc = accel_ioctl(h_, VNPU_IOCTL_SUBMIT, &s);
    if (fence) *fence = s.fence;
    return rc;
  }
  // Waits for every fence; statuses out. Returns the ioctl's errno.
  int Wait(std::initializer_list<uint64_t> fences, int64_t timeout_ns, bool all,
           std::vector<uint32_t>* status = nullptr, uint32_t* first = nullptr) {
    vnpu_wait w{};
    for (uint64_t f : fences) w.fences[w.num_fences++] = f;
    w.flags = all ? VNPU_WAIT_ALL : 0;
    w.timeout_ns = timeout_ns;
    int rc = accel_ioctl(h_, VNPU_IOCTL_WAIT, &w);
    if (status) status->assign(w.status, w.status + w.num_fences);
    if (first) *first = w.first_signaled;
    return rc;
  }
  // The status of one job once it ended (waits up to 30 s), or UINT32_MAX on a wait error.
  uint32_t Finish(uint64_t fence) {
    std::vector<uint32_t> st;
    if (Wait({fence}, 30'000'000'000ll, true, &st) != 0) return UINT32_MAX;
    return st[0];
  }
  int InjectFault(uint32_t type, uint32_t flags, uint32_t handle, uint64_t address,
                  uint32_t engine = 0) {
    vnpu_inject_fault f{};
    f.type = type;
    f.flags = flags;
    f.handle = handle;
    f.address = address;
    f.engine = engine;
    return accel_ioctl(h_, VNPU_IOCTL_INJECT_FAULT, &f);
  }

 private:
  accel_handle* h_ = nullptr;
};

// A BO mapped into this process (socket transport): unmapped when it goes.
class MappedBo {
 public:
  MappedBo() = default;
  ~MappedBo() {
    if (addr_) accel_vnpu_bo_unmap(addr_, size_);
  }
  MappedBo(const MappedBo&) = delete;
  MappedBo& operator=(const MappedBo&) = delete;
  int Create(VnpuClient& c, uint64_t size) {
    if (int rc = c.BoCreate(size, &handle_); rc < 0) return rc;
    return accel_vnpu_bo_map(c.handle(), handle_, &addr_, &size_);
  }
  uint32_t handle() const { return handle_; }
  template <typename T = uint8_t>
  T* data() const {
    return static_cast<T*>(addr_);
  }
  uint64_t size() const { return size_; }

 private:
  uint32_t handle_ = 0;
  void* addr_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace accel::testing

#endif  // ACCEL_TESTS_VNPU_VNPU_CLIENT_H_
