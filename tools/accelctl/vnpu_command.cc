// vnpu_command.cc - see vnpu_command.h.
#include "vnpu_command.h"

#include <accel/libaccel.h>
#include <accel/libaccel_vnpu.h>
#include <fmt/core.h>
#include <uapi/accel/vnpu.h>

#include <accel/accel.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "device_entry.h"
#include "device_name.h"
#include "device_open.h"
#include "failure.h"
#include "ras_names.h"

namespace accelctl {
namespace {

int ExitOk() {
  return static_cast<int>(ExitStatus::kOk);
}

// ---- finding the device -------------------------------------------------------------------------

// `name`, checked to be a vnpu device, or the first vnpu device when `name` is empty. Exit
// status 0 with *device set, else the one-line failure's status.
int ResolveVnpuDevice(const std::string& name, std::string* device) {
  accel::Result<std::vector<accel_device_entry>> devices = accel::ListDevices();
  if (!devices) return FailUnreachable(devices.error());
  for (const accel_device_entry& e : *devices) {
    const std::string node = RecordString(e.name);
    if (!name.empty() && node != name) continue;
    const std::string driver = RecordString(e.driver);
    if (driver != "vnpu" && name.empty()) continue;  // looking for the first vnpu
    if (driver != "vnpu")
      return Fail(ExitStatus::kFailed,
                  fmt::format("{} is a {} device, not vnpu; see `accelctl list`", node, driver));
    *device = node;
    return ExitOk();
  }
  if (!name.empty()) return FailNoDevice(name);
  return Fail(ExitStatus::kFailed,
              "no vnpu device; load the driver with `accelctl load vnpu` (root)");
}

// ---- info ---------------------------------------------------------------------------------------

struct ParamRow {
  uint32_t param;
  const char* key;
};

// Every VNPU_PARAM_*, in the uAPI's order; keys are what `vnpu info` prints.
constexpr ParamRow kParams[] = {
    {VNPU_PARAM_DEVICE_ID, "device_id"},           {VNPU_PARAM_NUM_ENGINES, "engines"},
    {VNPU_PARAM_MEMORY_SIZE, "memory_size"},       {VNPU_PARAM_MEMORY_USED, "memory_used"},
    {VNPU_PARAM_FW_VERSION, "firmware"},           {VNPU_PARAM_CAPABILITIES, "capabilities"},
    {VNPU_PARAM_JOB_TIMEOUT_MS, "job_timeout_ms"}, {VNPU_PARAM_RESET_COUNT, "reset_count"},
    {VNPU_PARAM_MAX_BO_SIZE, "max_bo_size"},
};

std::string Bytes(uint64_t v) {
  const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double d = static_cast<double>(v);
  size_t u = 0;
  while (d >= 1024 && u + 1 < std::size(units)) {
    d /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", v) : fmt::format("{} ({:.4g} {})", v, d, units[u]);
}

std::string Capabilities(uint64_t caps) {
  const std::pair<uint64_t, const char*> kNames[] = {{VNPU_CAP_FW_PROCESS, "fw_process"},
                                                     {VNPU_CAP_USER_RING, "user_ring"},
                                                     {VNPU_CAP_FAULT_INJECT, "fault_inject"}};
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if (!(caps & bit)) continue;
    names.push_back(name);
    caps &= ~bit;
  }
  if (caps) names.push_back(fmt::format("{:#x}", caps));  // bits this accelctl does not know
  return JoinNames(names, ",");
}

std::string ParamValue(uint32_t param, uint64_t v) {
  switch (param) {
    case VNPU_PARAM_DEVICE_ID:
      return fmt::format("{:#06x}", v);
    case VNPU_PARAM_MEMORY_SIZE:
    case VNPU_PARAM_MEMORY_USED:
    case VNPU_PARAM_MAX_BO_SIZE:
      return Bytes(v);
    case VNPU_PARAM_FW_VERSION:  // (major << 32) | (minor << 16) | patch; 0 while down
      if (v == 0) return "none (not running)";
      return fmt::format("{}.{}.{}", v >> 32, (v >> 16) & 0xffff, v & 0xffff);
    case VNPU_PARAM_CAPABILITIES:
      return Capabilities(v);
    default:
      return std::to_string(v);
  }
}

int RunInfo(const std::string& name) {
  std::string device;
  if (int status = ResolveVnpuDevice(name, &device)) return status;
  std::optional<accel::Device> dev;
  if (int status = OpenListedDevice(device, "", &dev, nullptr)) return status;
  std::string text = fmt::format("{:<16}{}\n", "device", device);
  for (const ParamRow& row : kParams) {
    vnpu_get_param p{};
    p.param = row.param;
    if (int rc = dev->Ioctl(VNPU_IOCTL_GET_PARAM, p); rc < 0)
      return FailDeviceCall(device, fmt::format("GET_PARAM {}", row.key), rc);
    text += fmt::format("{:<16}{}\n", row.key, ParamValue(row.param, p.value));
  }
  fmt::print("{}", text);  // all or nothing: a failure above leaves stdout empty
  return ExitOk();
}

// ---- fault --------------------------------------------------------------------------------------

const std::map<std::string, uint32_t>& FaultTypes() {
  static const std::map<std::string, uint32_t> types = {
      {"ecc-ce", VNPU_FAULT_ECC_CORRECTABLE}, {"ecc-ue", VNPU_FAULT_ECC_UNCORRECTABLE},
      {"hang", VNPU_FAULT_ENGINE_HANG},       {"fw-crash", VNPU_FAULT_FW_CRASH},
      {"fw-escape", VNPU_FAULT_FW_ESCAPE},    {"link", VNPU_FAULT_LINK_ERROR}};
  return types;
}

bool IsEcc(uint32_t type) {
  return type == VNPU_FAULT_ECC_CORRECTABLE || type == VNPU_FAULT_ECC_UNCORRECTABLE;
}

// Options that make no sense for the type are a usage error, not silently ignored.
int CheckFaultOptions(const VnpuFaultOptions& o, uint32_t type) {
  if (o.fatal && type != VNPU_FAULT_LINK_ERROR)
    return Fail(ExitStatus::kUsage,
                "--fatal applies to `link` only; see `accelctl vnpu fault --help`");
  if (o.address && !IsEcc(type))
    return Fail(ExitStatus::kUsage,
                "--address applies to ecc-ce and ecc-ue only; see `accelctl vnpu fault --help`");
  if (o.engine && type != VNPU_FAULT_ENGINE_HANG)
    return Fail(ExitStatus::kUsage,
                "--engine applies to `hang` only; see `accelctl vnpu fault --help`");
  return ExitOk();
}

int FailFault(const VnpuFaultOptions& o, int err) {
  switch (-err) {
    case EACCES:
    case EPERM:
      return Fail(
          ExitStatus::kFailed,
          fmt::format("`accelctl vnpu fault` needs root ({} refused it: {}); run it as root",
                      o.device, ErrnoText(err)));
    case EOPNOTSUPP:
      return Fail(
          ExitStatus::kFailed,
          fmt::format("{} has no firmware process to crash (loaded with firmware=none)", o.device));
    case EINVAL:
      if (o.engine)
        return Fail(ExitStatus::kFailed, fmt::format("{} has no engine {}; see `accelctl vnpu "
                                                     "info {}`",
                                                     o.device, *o.engine, o.device));
      if (o.address)
        return Fail(ExitStatus::kFailed,
                    fmt::format("{:#x} is not in {}'s device memory; see `accelctl vnpu info {}`",
                                *o.address, o.device, o.device));
      break;
    default:
      break;
  }
  return FailDeviceCall(o.device, "INJECT_FAULT", err);
}

// A page of our own for an ECC error without --address: the error then hits nobody else's
// data (an uncorrectable one retires the page when the buffer goes, which is right).
struct ScratchBo {
  accel::Device* dev = nullptr;
  uint32_t handle = 0;
  uint64_t device_address = 0;
  ~ScratchBo() {
    if (!handle) return;
    vnpu_bo_destroy d{handle, 0};
    (void)dev->Ioctl(VNPU_IOCTL_BO_DESTROY, d);
  }
};

int RunFault(VnpuFaultOptions o) {
  const std::string named = o.device;
  const auto type = FaultTypes().find(o.type);
  if (type == FaultTypes().end())  // the CLI's check let it through: only a caller's mistake
    return Fail(ExitStatus::kUsage, fmt::format("unknown fault type '{}'", o.type));
  if (int status = CheckFaultOptions(o, type->second)) return status;
  if (int status = ResolveVnpuDevice(named, &o.device)) return status;
  std::optional<accel::Device> dev;
  if (int status = OpenListedDevice(o.device, "vnpu fault", &dev, nullptr)) return status;

  vnpu_inject_fault f{};
  f.type = type->second;
  f.engine = o.engine.value_or(0);
  if (o.fatal) f.flags |= VNPU_FAULT_FATAL;
  ScratchBo scratch;
  if (o.address) {
    f.flags |= VNPU_FAULT_ADDRESS;
    f.address = *o.address;
  } else if (IsEcc(f.type)) {
    vnpu_bo_create c{};
    c.size = 4096;
    if (int rc = dev->Ioctl(VNPU_IOCTL_BO_CREATE, c); rc < 0)
      return FailDeviceCall(o.device, "BO_CREATE", rc);
    scratch.dev = &*dev;
    scratch.handle = c.handle;
    scratch.device_address = c.device_address;
    f.handle = c.handle;
  }
  if (int rc = dev->Ioctl(VNPU_IOCTL_INJECT_FAULT, f); rc < 0) return FailFault(o, rc);

  std::string what = o.type;
  if (IsEcc(f.type))
    what +=
        fmt::format(" at device address {:#x}", o.address ? *o.address : scratch.device_address);
  if (f.type == VNPU_FAULT_ENGINE_HANG)
    what +=
        fmt::format(" on engine {} (its next job hangs until the watchdog resets it)", f.engine);
  if (f.type == VNPU_FAULT_FW_CRASH) what += " (the firmware was killed; the device resets)";
  if (f.type == VNPU_FAULT_FW_ESCAPE)
    what += " (the firmware tried a forbidden syscall; its sandbox kills it, the device resets)";
  if (f.type == VNPU_FAULT_LINK_ERROR)
    what += o.fatal ? " (fatal: link down, the device resets)" : " (corrected: replayed)";
  fmt::print("{}: injected {}{}\n", o.device, what,
             f.seqno ? fmt::format("; RAS event seqno {}", f.seqno) : "");
  return ExitOk();
}

// ---- selftest -----------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;

uint64_t FloatBits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

// Deterministic values in [-1, 1): the same every run, so a mismatch reproduces.
std::vector<float> Pattern(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (float& f : v) {
    seed = seed * 1664525u + 1013904223u;
    f = static_cast<float>(seed >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return v;
}

// CRC-32C bit by bit, reflected polynomial 0x82F63B78: slow and plainly right.
uint32_t Crc32cReference(const uint8_t* p, size_t n) {
  uint32_t crc = ~0u;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

bool Close(double got, double want, double tolerance) {
  return std::fabs(got - want) <= tolerance * std::max(1.0, std::fabs(want));
}

// One open device over the socket, with its buffers mapped; everything is released on exit.
class SelftestDevice {
 public:
  ~SelftestDevice() {
    for (const Mapping& m : maps_) accel_vnpu_bo_unmap(m.addr, m.size);
    if (h_) accel_close(h_);
  }
  int Open(const std::string& name) {
    if (int rc = accel_open_transport(name.c_str(), ACCEL_TRANSPORT_SOCKET, &h_); rc < 0) return rc;
    vnpu_cmdq_create q{};
    q.priority = VNPU_PRIORITY_NORMAL;
    int rc = accel_ioctl(h_, VNPU_IOCTL_CMDQ_CREATE, &q);
    cmdq_ = q.cmdq_id;
    return rc;
  }
  // A zeroed buffer of `bytes`, mapped: *handle and *data on success.
  int Buffer(uint64_t bytes, uint32_t* handle, void** data) {
    vnpu_bo_create c{};
    c.size = bytes;
    if (int rc = accel_ioctl(h_, VNPU_IOCTL_BO_CREATE, &c); rc < 0) return rc;
    uint64_t size = 0;
    if (int rc = accel_vnpu_bo_map(h_, c.handle, data, &size); rc < 0) return rc;
    maps_.push_back({*data, size});
    *handle = c.handle;
    return 0;
  }
  // Submits and waits; *status gets the job's VNPU_JOB_*.
  int Run(uint32_t opcode, std::vector<uint32_t> bos, std::vector<uint64_t> params,
          uint32_t* status) {
    vnpu_submit s{};
    s.cmdq_id = cmdq_;
    s.opcode = opcode;
    s.num_bos = static_cast<uint32_t>(bos.size());
    std::copy(bos.begin(), bos.end(), s.bo_handles);
    std::copy(params.begin(), params.end(), s.params);
    if (int rc = accel_ioctl(h_, VNPU_IOCTL_SUBMIT, &s); rc < 0) return rc;
    vnpu_wait w{};
    w.fences[0] = s.fence;
    w.num_fences = 1;
    w.timeout_ns = 60ll * 1000 * 1000 * 1000;  // past any job timeout the device enforces
    if (int rc = accel_ioctl(h_, VNPU_IOCTL_WAIT, &w); rc < 0) return rc;
    *status = w.status[0];
    return 0;
  }

 private:
  struct Mapping {
    void* addr;
    uint64_t size;
  };
  accel_handle* h_ = nullptr;
  uint32_t cmdq_ = 0;
  std::vector<Mapping> maps_;
};

// One opcode's test: prepares buffers, runs the job, checks the result. Returns "" when the
// result matched, else what differed; a negative *rc when a call failed.
struct OpcodeTest {
  const char* name;
  std::string shape;
  std::function<std::string(SelftestDevice&, int* rc)> run;
};

std::string JobFailed(uint32_t status) {
  const char* const names[] = {"pending", "success", "aborted", "timed out", "memory error"};
  return fmt::format("job ended {}", status < std::size(names) ? names[status] : "?");
}

// Makes a call of a test; a failed one ends the test with *rc set (and no mismatch).
#define SELFTEST_CALL(expr)                       \
  do {                                            \
    if ((*rc = (expr)) < 0) return std::string(); \
  } while (0)

std::string TestGemm(SelftestDevice& d, int* rc) {
  constexpr uint32_t m = 64, n = 64, k = 64;
  uint32_t ha, hb, hc, status = 0;
  void *pa, *pb, *pc;
  SELFTEST_CALL(d.Buffer(m * k * 4, &ha, &pa));
  SELFTEST_CALL(d.Buffer(k * n * 4, &hb, &pb));
  SELFTEST_CALL(d.Buffer(m * n * 4, &hc, &pc));
  const std::vector<float> a = Pattern(m * k, 1), b = Pattern(k * n, 2), c0 = Pattern(m * n, 3);
  std::memcpy(pa, a.data(), a.size() * 4);
  std::memcpy(pb, b.data(), b.size() * 4);
  std::memcpy(pc, c0.data(), c0.size() * 4);
  const float alpha = 0.5f, beta = 2.0f;  // C = 0.5 A B + 2 C: both terms are checked
  SELFTEST_CALL(d.Run(VNPU_OP_GEMM, {ha, hb, hc},
                      {m, n, k, FloatBits(alpha) | (FloatBits(beta) << 32), 0, 0, 0}, &status));
  if (status != VNPU_JOB_SUCCESS) return JobFailed(status);
  const float* c = static_cast<const float*>(pc);
  for (uint32_t i = 0; i < m; ++i) {
    for (uint32_t j = 0; j < n; ++j) {
      double dot = 0;
      for (uint32_t l = 0; l < k; ++l) dot += double{a[i * k + l]} * b[l * n + j];
      const double want = alpha * dot + beta * c0[i * n + j];
      // 64-term float dot products: a few ulps of the row's magnitude, whatever the order.
      if (!Close(c[i * n + j], want, 1e-3))
        return fmt::format("C[{},{}] = {}, expected {}", i, j, c[i * n + j], want);
    }
  }
  return "";
}

std::string TestAxpy(SelftestDevice& d, int* rc) {
  constexpr uint32_t n = 4096;
  uint32_t hx, hy, status = 0;
  void *px, *py;
  SELFTEST_CALL(d.Buffer(n * 4, &hx, &px));
  SELFTEST_CALL(d.Buffer(n * 4, &hy, &py));
  const std::vector<float> x = Pattern(n, 4), y0 = Pattern(n, 5);
  std::memcpy(px, x.data(), n * 4);
  std::memcpy(py, y0.data(), n * 4);
  const float alpha = -1.5f;
  SELFTEST_CALL(d.Run(VNPU_OP_AXPY, {hx, hy}, {n, FloatBits(alpha), 0, 0}, &status));
  if (status != VNPU_JOB_SUCCESS) return JobFailed(status);
  const float* y = static_cast<const float*>(py);
  for (uint32_t i = 0; i < n; ++i) {
    const double want = double{alpha} * x[i] + y0[i];  // the kernel may fuse: not bit-exact
    if (!Close(y[i], want, 1e-6)) return fmt::format("y[{}] = {}, expected {}", i, y[i], want);
  }
  return "";
}

std::string TestReduceSum(SelftestDevice& d, int* rc) {
  constexpr uint32_t n = 4096;
  uint32_t hx, hout, status = 0;
  void *px, *pout;
  SELFTEST_CALL(d.Buffer(n * 4, &hx, &px));
  SELFTEST_CALL(d.Buffer(4096, &hout, &pout));
  const std::vector<float> x = Pattern(n, 6);
  std::memcpy(px, x.data(), n * 4);
  SELFTEST_CALL(d.Run(VNPU_OP_REDUCE_SUM, {hx, hout}, {n, 0, 0}, &status));
  if (status != VNPU_JOB_SUCCESS) return JobFailed(status);
  double want = 0;
  for (float f : x) want += f;
  const float got = *static_cast<const float*>(pout);
  if (!Close(got, want, 1e-4)) return fmt::format("sum = {}, expected {}", got, want);
  return "";
}

std::string TestCrc32c(SelftestDevice& d, int* rc) {
  static const char kCheck[] = "123456789";  // CRC-32C's published check input: 0xE3069283
  uint32_t hdata, hout, status = 0;
  void *pdata, *pout;
  SELFTEST_CALL(d.Buffer(4096, &hdata, &pdata));
  SELFTEST_CALL(d.Buffer(4096, &hout, &pout));
  std::memcpy(pdata, kCheck, 9);
  SELFTEST_CALL(d.Run(VNPU_OP_CRC32C, {hdata, hout}, {9, 0, 0, 0}, &status));
  if (status != VNPU_JOB_SUCCESS) return JobFailed(status);
  const uint32_t want = Crc32cReference(reinterpret_cast<const uint8_t*>(kCheck), 9);
  const uint32_t got = *static_cast<const uint32_t*>(pout);
  if (want != 0xE3069283u || got != want)
    return fmt::format("crc {:#010x}, expected {:#010x}", got, 0xE3069283u);
  return "";
}

std::string TestCopy(SelftestDevice& d, int* rc) {
  constexpr uint32_t bytes = 65536;
  uint32_t hsrc, hdst, status = 0;
  void *psrc, *pdst;
  SELFTEST_CALL(d.Buffer(bytes, &hsrc, &psrc));
  SELFTEST_CALL(d.Buffer(bytes, &hdst, &pdst));
  auto* src = static_cast<uint8_t*>(psrc);
  for (uint32_t i = 0; i < bytes; ++i) src[i] = static_cast<uint8_t>(i * 131 + (i >> 8));
  // Odd offsets and length: the copy's edges are what goes wrong first.
  SELFTEST_CALL(d.Run(VNPU_OP_COPY, {hsrc, hdst}, {3, 5, bytes - 11}, &status));
  if (status != VNPU_JOB_SUCCESS) return JobFailed(status);
  const auto* dst = static_cast<const uint8_t*>(pdst);
  for (uint32_t i = 0; i < bytes; ++i) {
    const uint8_t want = i >= 5 && i < bytes - 6 ? src[i - 2] : 0;
    if (dst[i] != want) return fmt::format("dst[{}] = {}, expected {}", i, dst[i], want);
  }
  return "";
}

#undef SELFTEST_CALL

int RunSelftest(const std::string& name) {
  std::string device;
  if (int status = ResolveVnpuDevice(name, &device)) return status;
  SelftestDevice d;
  if (int rc = d.Open(device); rc < 0) {
    if (IsUnreachable(rc)) return FailUnreachable(rc);
    return Fail(ExitStatus::kFailed,
                fmt::format("cannot open {} over acceld's socket: {}", device, ErrnoText(rc)));
  }
  const OpcodeTest tests[] = {{"GEMM", "64x64x64", TestGemm},
                              {"AXPY", "n=4096", TestAxpy},
                              {"REDUCE_SUM", "n=4096", TestReduceSum},
                              {"CRC32C", "\"123456789\"", TestCrc32c},
                              {"COPY", "65525 bytes", TestCopy}};
  std::vector<std::string> failed;
  for (const OpcodeTest& t : tests) {
    int rc = 0;
    const auto start = Clock::now();
    const std::string mismatch = t.run(d, &rc);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (rc < 0) {
      if (IsUnreachable(rc) || rc == -ENODEV) return FailDeviceCall(device, t.name, rc);
      fmt::print("{:<11} {:<14} FAIL  {}\n", t.name, t.shape, ErrnoText(rc));
      failed.push_back(t.name);
      continue;
    }
    if (!mismatch.empty()) {
      fmt::print("{:<11} {:<14} FAIL  {}\n", t.name, t.shape, mismatch);
      failed.push_back(t.name);
      continue;
    }
    fmt::print("{:<11} {:<14} ok    {:.3f} ms\n", t.name, t.shape, ms);
  }
  std::fflush(stdout);
  if (!failed.empty())
    return Fail(ExitStatus::kFailed, fmt::format("{}: selftest failed: {}; check acceld's log",
                                                 device, JoinNames(failed, ", ")));
  return ExitOk();
}

}  // namespace

void DefineVnpuCommands(CLI::App& app, VnpuCommandLine& cl) {
  cl.vnpu =
      app.add_subcommand("vnpu", "vnpu, the emulated accelerator: parameters, faults, a selftest");

  cl.info = cl.vnpu->add_subcommand("info", "every parameter of a vnpu device (GET_PARAM)");
  cl.info
      ->add_option("DEVICE", cl.info_device, "device name, e.g. accel0 (default: the first vnpu)")
      ->check(DeviceNameValidator());

  VnpuFaultOptions& o = cl.fault_options;
  cl.fault = cl.vnpu->add_subcommand("fault", "make a vnpu device fail on purpose (root only)");
  cl.fault->add_option("DEVICE", o.device, "device name, e.g. accel0")
      ->required()
      ->check(DeviceNameValidator());
  std::vector<std::string> types;
  for (const auto& [type, value] : FaultTypes()) types.push_back(type);
  cl.fault->add_option("TYPE", o.type, "ecc-ce, ecc-ue, hang, fw-crash, fw-escape or link")
      ->required()
      ->check(CLI::IsMember(types));
  cl.fault->add_flag("--fatal", o.fatal, "link: the link goes down and the device resets");
  cl.fault
      ->add_option("--address", o.address,
                   "ecc-ce, ecc-ue: the device address (default: a page of a scratch buffer)")
      ->type_name("ADDR");
  cl.fault->add_option("--engine", o.engine, "hang: the engine whose next job hangs (default 0)")
      ->type_name("N");

  cl.selftest =
      cl.vnpu->add_subcommand("selftest", "run each opcode on small buffers and check the results");
  cl.selftest
      ->add_option("DEVICE", cl.selftest_device,
                   "device name, e.g. accel0 (default: the first vnpu)")
      ->check(DeviceNameValidator());
}

const CLI::App* ChosenVnpuCommand(const VnpuCommandLine& cl) {
  for (const CLI::App* command : {cl.info, cl.fault, cl.selftest})
    if (command->parsed()) return command;
  return nullptr;
}

int RunVnpuCommand(const VnpuCommandLine& cl) {
  const CLI::App* command = ChosenVnpuCommand(cl);
  if (command == cl.info) return RunInfo(cl.info_device);
  if (command == cl.fault) return RunFault(cl.fault_options);
  if (command == cl.selftest) return RunSelftest(cl.selftest_device);
  return Fail(ExitStatus::kUsage,
              "a vnpu command is required: info, fault or selftest; see `accelctl vnpu --help`");
}

}  // namespace accelctl
