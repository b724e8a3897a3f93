// acceld - the accel daemon: loads driver plugins and serves their devices over a UNIX socket.
//
// Foreground, logs to stderr (spdlog), exits cleanly on SIGTERM/SIGINT. See
// docs/wire-protocol.md for what clients speak and README.md for how to run it.
#include <grp.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstring>
#include <filesystem>
#include <string>

#include "core/module_loader.h"
#include "core/registry.h"
#include "daemon_config.h"
#include "runtime_dir_lock.h"
#include "transport/fuse/dev_tree.h"
#include "transport/fuse/sys_tree.h"
#include "transport/socket/runtime_dir.h"
#include "transport/socket/server.h"

namespace {

using accel::acceld::DaemonConfig;

// Blocks SIGTERM/SIGINT in every thread (set before any is started) and returns a signalfd.
int StopSignalFd() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return signalfd(-1, &set, SFD_CLOEXEC);
}

accel::core::NodePermissions NodePermissionsFrom(const DaemonConfig& cfg) {
  accel::core::NodePermissions p;
  p.mode = cfg.node_mode;
  if (!cfg.node_group.empty()) {
    accel::Result<uint32_t> g = accel::acceld::ResolveGroup(cfg.node_group);
    if (g) {
      p.gid = *g;
    } else {
      spdlog::warn("node group '{}' does not exist; nodes stay group root", cfg.node_group);
    }
  } else if (accel::Result<uint32_t> g = accel::acceld::ResolveGroup("render"); g) {
    p.gid = *g;  // as distributions' udev rules give accel nodes
  }
  return p;
}

// True when `dir` exists and holds anything: real device nodes we must never cover.
bool NonEmptyDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  return !ec && it != std::filesystem::directory_iterator();
}

// Mounts both FUSE trees. A tree that cannot be mounted (no /dev/fuse, no permission) is one
// log line and the daemon goes on serving the socket; a mount point acceld must refuse
// (/sys, or a /dev/accel that already has nodes) is an error: exit code 2.
int MountTrees(const DaemonConfig& cfg, accel::transport::DevTree& dev_tree,
               accel::transport::SysTree& sys_tree) {
  // Resolve symlinks: a link to /sys must be refused like /sys itself.
  std::error_code ec;
  std::string sys = std::filesystem::weakly_canonical(cfg.sys_dir, ec).string();
  if (ec) sys = std::filesystem::path(cfg.sys_dir).lexically_normal().string();
  if (sys == "/sys" || sys.rfind("/sys/", 0) == 0) {
    spdlog::error("--sys-dir {} would cover the kernel's sysfs; pick another directory", sys);
    return 2;
  }
  const std::string accel_dir = cfg.dev_dir + "/accel";
  accel::transport::FuseMount::ClearStaleMount(accel_dir);
  if (NonEmptyDir(accel_dir)) {
    spdlog::error(
        "{} exists and is not empty (real accel devices?); not covering it. Use "
        "another --dev-dir",
        accel_dir);
    return 2;
  }
  std::string why;
  if (dev_tree.Mount(accel_dir, &why))
    spdlog::info("device nodes at {}", accel_dir);
  else
    spdlog::warn("no device nodes: {}; serving the socket only", why);
  if (sys_tree.Mount(cfg.sys_dir, &why))
    spdlog::info("attribute tree at {}/class/accel", cfg.sys_dir);
  else
    spdlog::warn("no attribute tree: {}", why);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  DaemonConfig cfg;
  std::vector<std::string> loads;
  std::string config_file, node_mode;
  CLI::App app{"acceld: serves accel devices (driver plugins) over a UNIX socket"};
  app.add_option("--runtime-dir", cfg.runtime_dir,
                 "where acceld.sock and acceld.lock live (default: $ACCEL_RUNTIME_DIR, "
                 "/run/accel for root, $XDG_RUNTIME_DIR/accel otherwise)");
  app.add_option("-l,--load", loads, "load a driver at start, e.g. --load 'dummy count=2'");
  app.add_option("-c,--config", config_file, "read settings from this file (see README)");
  app.add_option("--driver-path", cfg.driver_path, "extra directory to find driver plugins in");
  app.add_option("--node-mode", node_mode, "permission bits of device nodes (octal, default 0660)");
  app.add_option("--node-group", cfg.node_group,
                 "group of device nodes, name or number (default: render if it exists)");
  app.add_option("--dev-dir", cfg.dev_dir,
                 "mount the device nodes at DIR/accel (default: RUNTIME_DIR/dev; /dev gives "
                 "/dev/accel/accelN)");
  app.add_option("--sys-dir", cfg.sys_dir,
                 "mount the attribute tree (class/accel/...) at DIR (default: RUNTIME_DIR/sys)");
  app.add_flag("--no-fuse", cfg.no_fuse, "serve the socket only, mount no FUSE tree");
  app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  spdlog::set_default_logger(spdlog::stderr_color_mt("acceld"));
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  if (!config_file.empty()) {
    std::string why;
    if (!accel::acceld::ReadConfigFile(config_file, cfg, &why)) {
      spdlog::error("{}", why);
      return 2;
    }
  }
  if (!node_mode.empty()) {
    char* end = nullptr;
    unsigned long m = std::strtoul(node_mode.c_str(), &end, 8);
    if (*end != '\0' || m > 0777) {
      spdlog::error("--node-mode {} is not an octal mode such as 0660", node_mode);
      return 2;
    }
    cfg.node_mode = static_cast<uint32_t>(m);
  }
  for (const std::string& l : loads) cfg.loads.push_back(accel::acceld::ParseLoadSpec(l));
  if (cfg.runtime_dir.empty()) cfg.runtime_dir = accel::wire::DefaultRuntimeDir();

  const int stop_fd = StopSignalFd();
  long holder = 0;
  accel::Result<accel::acceld::RuntimeDirLock> lock =
      accel::acceld::RuntimeDirLock::Acquire(cfg.runtime_dir, &holder);
  if (!lock) {
    if (lock.error() == -EBUSY)
      spdlog::error("another acceld (pid {}) owns {}; stop it first or pass --runtime-dir", holder,
                    cfg.runtime_dir);
    else
      spdlog::error("cannot use runtime dir {}: {}", cfg.runtime_dir, std::strerror(-lock.error()));
    return 1;
  }

  accel::core::Registry registry;
  registry.set_default_permissions(NodePermissionsFrom(cfg));
  std::vector<std::string> search = cfg.driver_path;
  for (const std::string& d : accel::core::ModuleLoader::DefaultSearchPath()) search.push_back(d);
  accel::core::ModuleLoader loader(registry, search);
  accel::transport::SocketServer server(registry, loader);

  // Drivers first, so that a client which sees the socket also sees the devices.
  for (const auto& d : cfg.loads) {
    std::string why;
    if (accel::Result<void> rc = loader.Load(d.name, d.args, &why); !rc) {
      spdlog::error("cannot load driver {}: {}", d.name, why);
      return 1;
    }
    spdlog::info("loaded driver {}{}{}", d.name, d.args.empty() ? "" : " ", d.args);
  }
  const std::string sock = cfg.runtime_dir + "/acceld.sock";
  if (accel::Result<void> rc = server.Listen(sock); !rc) {
    spdlog::error("cannot listen on {}: {}", sock, std::strerror(-rc.error()));
    return 1;
  }
  accel::transport::DevTree dev_tree(registry);
  accel::transport::SysTree sys_tree(registry);
  if (!cfg.no_fuse) {
    if (cfg.dev_dir.empty()) cfg.dev_dir = cfg.runtime_dir + "/dev";
    if (cfg.sys_dir.empty()) cfg.sys_dir = cfg.runtime_dir + "/sys";
    if (int rc = MountTrees(cfg, dev_tree, sys_tree); rc != 0) return rc;
  }
  spdlog::info("listening on {} (pid {})", sock, getpid());
  server.Run(stop_fd);
  spdlog::info("stopped");
  return 0;
}
