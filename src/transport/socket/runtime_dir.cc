// runtime_dir.cc - see runtime_dir.h.
#include "transport/socket/runtime_dir.h"

#include <unistd.h>

#include <cstdlib>

namespace accel::wire {

std::string DefaultRuntimeDir() {
  if (const char* d = std::getenv("ACCEL_RUNTIME_DIR"); d && *d) return d;
  if (geteuid() == 0) return "/run/accel";
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/accel";
  return "/tmp/accel-" + std::to_string(geteuid());
}

}  // namespace accel::wire
