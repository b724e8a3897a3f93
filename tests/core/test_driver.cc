// test_driver.cc - see test_driver.h.
#include "test_driver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "daemon/module_loader.h"

namespace accel::testing {
namespace {

const accel_host_ops* g_ops = nullptr;
accel_host* g_host = nullptr;

// Per open file: what file_rw reads and writes.
struct TestFile {
  uint8_t data[kTestRwSize] = {};
};

int Load(accel_host* host, const accel_host_ops* ops, const char* args, void** priv) noexcept {
  g_ops = ops;
  g_host = host;
  int count = 1;
  if (args && std::strncmp(args, "count=", 6) == 0) count = std::atoi(args + 6);
  for (int i = 0; i < count; ++i) {
    accel_device_info info{};
    info.serial = "TEST";
    info.bus = "test:0";
    info.ras_formats = ACCEL_CAP_RAS_KEY_VAL_32 | ACCEL_CAP_RAS_CBOR;
    accel_device* dev = nullptr;
    if (int rc = ops->device_create(host, &info, nullptr, &dev); rc < 0) return rc;
    if (int rc = ops->device_register(dev); rc < 0) return rc;
  }
  *priv = nullptr;
  return 0;
}

void Unload(void*) noexcept {
  TestState().unloads++;
}
int Open(const accel_call*, void** priv) noexcept {
  TestState().opens++;
  *priv = new (std::nothrow) TestFile;
  return *priv ? 0 : -ENOMEM;
}
void Postclose(const accel_call* call) noexcept {
  TestState().postcloses++;
  delete static_cast<TestFile*>(call->file_priv);
}
void Release(void*) noexcept {
  TestState().releases++;
}

int Echo(const accel_call*, void* data) noexcept {
  auto* e = static_cast<test_echo*>(data);
  e->sum = uint64_t{e->a} + e->b;
  return 0;
}
int Root(const accel_call*, void*) noexcept {
  return 0;
}

int WakeFlag(void*) noexcept {
  return TestState().wake_flag.load() ? 1 : 0;
}
int Sleep(const accel_call* call, void* data) noexcept {
  auto* s = static_cast<test_sleep*>(data);
  TestState().sleepers++;
  int rc = g_ops->device_wait(call, WakeFlag, nullptr,
                              s->timeout_ms ? int64_t{s->timeout_ms} * 1000000 : -1);
  TestState().sleepers--;
  return rc;
}
int NoSpc(const accel_call*, void* data) noexcept {
  static_cast<test_nospc*>(data)->needed = 4096;
  return -ENOSPC;
}
int Copy(const accel_call* call, void* data) noexcept {
  auto* c = static_cast<test_copy*>(data);
  static const char kPattern[] = "accel-copy-to-user";
  uint32_t len = c->len < sizeof(kPattern) ? c->len : sizeof(kPattern);
  return g_ops->copy_to_user(call, c->ptr, kPattern, len);
}

int Scribble(const accel_call*, void* data) noexcept {
  auto* w = static_cast<test_scribble*>(data);
  TestState().scribble_seen = w->word;
  std::memset(w, 0x5c, sizeof(*w));
  return 0;
}

int InstallFd(const accel_call* call, void* data) noexcept {
  auto* in = static_cast<test_install_fd*>(data);
  return g_ops->install_fd(call, in->fd, in->offset);
}

int Reset(void*) noexcept {
  TestState().resets++;
  return TestState().reset_rc.load();
}

int64_t FileRw(const accel_call* call, uint64_t offset, void* buf, uint32_t len,
               int write) noexcept {
  auto* f = static_cast<TestFile*>(call->file_priv);
  if (offset < kTestRwOffset || offset > kTestRwOffset + kTestRwSize) return -EINVAL;
  const uint64_t pos = offset - kTestRwOffset;
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(len, kTestRwSize - pos));
  if (write)
    std::memcpy(f->data + pos, buf, n);
  else
    std::memcpy(buf, f->data + pos, n);
  return n;
}

int FileUsage(const accel_call*, char* buf, uint32_t size) noexcept {
  const int n = std::snprintf(buf, size, "%s", kTestUsage);
  return n < static_cast<int>(size) ? n : static_cast<int>(size) - 1;
}

int RasQuery(const accel_call*, uint32_t format, uint32_t, void* buf, uint32_t size, uint32_t* len,
             uint32_t* schema) noexcept {
  if (format != ACCEL_RAS_FMT_KEY_VAL_32) return -EOPNOTSUPP;
  *len = 2 * sizeof(accel_ras_kv32);
  *schema = ACCEL_RAS_SCHEMA_NATIVE;
  if (size < *len) return -ENOSPC;
  accel_ras_kv32 kv[2] = {{ACCEL_RAS_KV32_KEY(0, ACCEL_RAS_SEV_CORRECTED, 0), 7},
                          {ACCEL_RAS_KV32_KEY(1, ACCEL_RAS_SEV_FATAL, 0), 1}};
  std::memcpy(buf, kv, sizeof(kv));
  return 0;
}

const accel_ioctl_desc kIoctls[] = {
    {TEST_IOCTL_ECHO, sizeof(test_echo_v1), 0, 0, Echo},
    {TEST_IOCTL_ROOT, 0, ACCEL_IOCTL_ROOT_ONLY, 0, Root},
    {TEST_IOCTL_SLEEP, 0, ACCEL_IOCTL_MAY_SLEEP, 0, Sleep},
    {TEST_IOCTL_NOSPC, 0, 0, 0, NoSpc},
    {TEST_IOCTL_COPY, 0, 0, 0, Copy},
    {TEST_IOCTL_INSTALL_FD, 0, 0, 0, InstallFd},
    {TEST_IOCTL_SCRIBBLE_IN, 0, 0, 0, Scribble},
    {TEST_IOCTL_SCRIBBLE_OUT, 0, 0, 0, Scribble},
};

const accel_driver kTable = {
    .abi_version = ACCEL_DRIVER_ABI_VERSION,
    .struct_size = sizeof(accel_driver),
    .name = "testdrv",
    .desc = "core test driver",
    .date = "20260101",
    .major = 2,
    .minor = 3,
    .patchlevel = 4,
    .num_ioctls = sizeof(kIoctls) / sizeof(kIoctls[0]),
    .ioctls = kIoctls,
    .load = Load,
    .unload = Unload,
    .open = Open,
    .postclose = Postclose,
    .device_release = Release,
    .ras_query = RasQuery,
    .ras_clear = nullptr,
    .ras_inject = nullptr,
    .reset = Reset,
    .file_rw = FileRw,
    .file_usage = FileUsage,
};

}  // namespace

TestDriverState& TestState() {
  static TestDriverState s;
  return s;
}

const accel_driver* TestDriverTable() {
  return &kTable;
}

const accel_host_ops* TestHostOps() {
  return g_ops;
}

accel_host* TestHost() {
  return g_host;
}

void LoadTestDriver(core::Registry& reg, const std::string& args,
                    std::vector<std::string> search_path, const accel_driver* table) {
  std::string why;
  Result<core::Driver*> d = core::Driver::Create(table ? table : &kTable, &reg, &why);
  ASSERT_TRUE(d.ok()) << why;
  // As acceld's loader does: find_helper() searches the given directories.
  (*d)->set_helper_finder([dirs = std::move(search_path)](const std::string& helper) {
    return daemon::ModuleLoader::FindHelper(dirs, helper);
  });
  Result<void> rc = reg.AddDriver(std::unique_ptr<core::Driver>(*d), args, &why);
  ASSERT_TRUE(rc.ok()) << why;
}

}  // namespace accel::testing
