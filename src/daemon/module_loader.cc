// module_loader.cc - dlopen/dlclose of driver plugins; see module_loader.h.
#include "daemon/module_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "core/driver.h"
#include "core/registry.h"

namespace accel::daemon {

using core::Driver;
namespace {

bool ValidDriverName(const std::string& n) {
  if (n.empty() || n.size() >= ACCEL_NAME_LEN) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& p : v) s += (s.empty() ? "" : ":") + p;
  return s;
}

}  // namespace

std::string ModuleLoader::ExecutableDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::vector<std::string> ModuleLoader::DefaultSearchPath() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("ACCEL_DRIVER_PATH")) {
    std::string s(env);
    size_t start = 0;
    while (start <= s.size()) {
      size_t colon = s.find(':', start);
      std::string d =
          s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!d.empty()) dirs.push_back(d);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  const std::string exe_dir = ExecutableDir();
  dirs.push_back(exe_dir + "/../lib/accel/drivers");
#ifdef ACCEL_PLUGIN_INSTALL_RELDIR
  const std::string installed = exe_dir + "/../" ACCEL_PLUGIN_INSTALL_RELDIR;
  if (installed != dirs.back()) dirs.push_back(installed);
#endif
  return dirs;
}

std::string ModuleLoader::Find(const std::string& name) const {
  if (!ValidDriverName(name)) return {};
  for (const std::string& dir : search_path_) {
    std::string path = dir + "/" + name + ".so";
    if (access(path.c_str(), R_OK) == 0) return path;
  }
  return {};
}

Result<std::string> ModuleLoader::FindHelper(const std::vector<std::string>& dirs,
                                             const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
    return Err(EINVAL);
  for (const std::string& dir : dirs) {
    std::string path = dir + "/" + name;
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0)
      return path;
  }
  return Err(ENOENT);
}

Result<void> ModuleLoader::Load(const std::string& name, const std::string& args,
                                std::string* why) {
  if (!ValidDriverName(name)) {
    *why = "driver names are [A-Za-z0-9_-], 1 to 31 characters";
    return Err(EINVAL);
  }
  std::string path = Find(name);
  if (path.empty()) {
    *why = "no driver '" + name + "' (looked for " + name + ".so in " + Join(search_path_) + ")";
    return Err(ENOENT);
  }
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* e = dlerror();
    *why = std::string("cannot load ") + path + ": " + (e ? e : "unknown error");
    return Err(EINVAL);
  }
  auto entry = reinterpret_cast<accel_driver_entry_fn>(dlsym(handle, ACCEL_DRIVER_ENTRY_SYMBOL));
  if (entry == nullptr) {
    dlclose(handle);
    *why = path + " is not an accel driver (no " ACCEL_DRIVER_ENTRY_SYMBOL ")";
    return Err(EINVAL);
  }
  std::string reason;
  Result<Driver*> drv = Driver::Create(entry(), &registry_, &reason);
  if (!drv) {
    dlclose(handle);
    *why = path + ": " + reason;
    return Errno{drv.error()};
  }
  std::unique_ptr<Driver> owned(*drv);
  if (owned->name() != name) {
    dlclose(handle);
    *why = path + " calls itself '" + owned->name() + "', not '" + name + "'";
    return Err(EINVAL);
  }
  owned->set_module_handle(handle);
  // find_helper() searches where the plugin was found; load() may already call it.
  owned->set_helper_finder(
      [dirs = search_path_](const std::string& helper) { return FindHelper(dirs, helper); });
  Result<void> added = registry_.AddDriver(std::move(owned), args, why);
  if (!added) {
    // AddDriver destroyed the Driver object (and with it any device it created) on failure;
    // nothing of the module is referenced any more.
    dlclose(handle);
    return added;
  }
  return {};
}

Result<void> ModuleLoader::Unload(const std::string& name, bool force) {
  Result<std::unique_ptr<Driver>> drv = registry_.RemoveDriver(name, force);
  if (!drv) return Errno{drv.error()};
  void* handle = (*drv)->module_handle();
  drv->reset();
  if (handle) dlclose(handle);
  return {};
}

void ModuleLoader::UnloadAll() {
  for (std::unique_ptr<Driver>& d : registry_.RemoveAllDrivers()) {
    void* handle = d->module_handle();
    d.reset();
    if (handle) dlclose(handle);
  }
}

}  // namespace accel::daemon
