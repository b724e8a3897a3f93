// driver.cc - validation of a driver's entry table; see driver.h.
#include "core/driver.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>

namespace accel::core {

namespace {
bool ValidName(const char* s) {
  if (s == nullptr || *s == '\0' || std::strlen(s) >= ACCEL_NAME_LEN) return false;
  for (const char* p = s; *p; ++p) {
    if (!(std::isalnum(static_cast<unsigned char>(*p)) || *p == '_' || *p == '-')) return false;
  }
  return true;
}
}  // namespace

Result<Driver*> Driver::Create(const accel_driver* table, Registry* registry, std::string* why) {
  auto fail = [why](const std::string& reason) -> Result<Driver*> {
    if (why) *why = reason;
    return Err(EINVAL);
  };
  if (table == nullptr) return fail("entry returned no table");
  if (table->abi_version != ACCEL_DRIVER_ABI_VERSION)
    return fail("ABI version " + std::to_string(table->abi_version) + ", core speaks " +
                std::to_string(ACCEL_DRIVER_ABI_VERSION));
  // Tables from before the RAS framework end at ras_clear; the hooks after it are optional.
  if (table->struct_size < offsetof(accel_driver, ras_inject)) return fail("entry table too small");
  if (!ValidName(table->name)) return fail("driver name missing or not [A-Za-z0-9_-]{1,31}");
  if (table->num_ioctls > kNumDriverIoctls || (table->num_ioctls && !table->ioctls))
    return fail("ioctl table malformed");

  Driver* d = new Driver;
  d->table_ = table;
  d->registry_ = registry;
  d->name_ = table->name;
  d->desc_ = table->desc ? table->desc : "";
  d->date_ = table->date ? table->date : "";
  d->major_ = table->major;
  d->minor_ = table->minor;
  d->patchlevel_ = table->patchlevel;
  // A hook exists only when the table is new enough to hold it: an older plugin's table ends
  // before it, and reading past its struct_size would read whatever follows in its memory.
#define ACCEL_HOOK_IN_TABLE(field) \
  (table->struct_size >= offsetof(accel_driver, field) + sizeof(table->field))
  if (ACCEL_HOOK_IN_TABLE(ras_inject)) d->ras_inject_ = table->ras_inject;
  if (ACCEL_HOOK_IN_TABLE(reset)) d->reset_ = table->reset;
  if (ACCEL_HOOK_IN_TABLE(file_rw)) d->file_rw_ = table->file_rw;
  if (ACCEL_HOOK_IN_TABLE(file_usage)) d->file_usage_ = table->file_usage;
#undef ACCEL_HOOK_IN_TABLE
  for (uint32_t i = 0; i < table->num_ioctls; ++i) {
    const accel_ioctl_desc& io = table->ioctls[i];
    uint32_t nr = _IOC_NR(io.cmd);
    if (_IOC_TYPE(io.cmd) != ACCEL_IOCTL_BASE || nr < ACCEL_COMMAND_BASE ||
        nr >= ACCEL_COMMAND_END || io.handler == nullptr || io.min_size > _IOC_SIZE(io.cmd) ||
        d->ioctls_[nr - ACCEL_COMMAND_BASE] != nullptr) {
      delete d;
      return fail("ioctl entry " + std::to_string(i) +
                  " is outside 'd' 0x40..0x9f, repeats an nr,"
                  " lacks a handler or has min_size > size");
    }
    d->ioctls_[nr - ACCEL_COMMAND_BASE] = &io;
  }
  return d;
}

Driver::~Driver() = default;

std::vector<Device*> Driver::devices() const {
  std::lock_guard lock(devices_mu_);
  return devices_;
}

void Driver::AddDevice(Device* dev) {
  std::lock_guard lock(devices_mu_);
  devices_.push_back(dev);
}

void Driver::RemoveDevice(Device* dev) {
  std::lock_guard lock(devices_mu_);
  std::erase(devices_, dev);
}

}  // namespace accel::core
