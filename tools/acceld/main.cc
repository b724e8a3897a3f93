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

#include "core/registry.h"
#include "daemon/module_loader.h"
#include "daemon/ras_grpc_server.h"
#include "daemon/ras_service.h"
#include "daemon_config.h"
#include "ras/codecs/all_codecs.h"
#include "ras/codecs/grpc_target/grpc_target_codec.h"
#include "ras/store/ras_store.h"
#include "runtime_dir_lock.h"
#include "transport/fuse/dev_tree.h"
#include "transport/fuse/sys_tree.h"
#include "transport/socket/server.h"
#include "wire/runtime_dir.h"

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
  std::vector<std::string> thresholds;
  app.add_option("--ras-db", cfg.ras_db,
                 "RAS store (SQLite); default /var/lib/accel/ras.db for root, "
                 "$XDG_STATE_HOME/accel/ras.db otherwise; 'none' keeps RAS in memory");
  app.add_option("--threshold", thresholds,
                 "a RAS threshold, e.g. 'hbm0:corrected count=10 window=60s action=retire_page'");
  app.add_option("--grpc-tcp", cfg.grpc_tcp,
                 "also serve RAS Query/Watch over TCP at HOST:PORT (off by default)");
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
  for (const std::string& t : thresholds) {
    std::string why;
    accel::Result<accel::ras::ThresholdRule> rule = accel::ras::ParseThresholdRule(t, &why);
    if (!rule) {
      spdlog::error("--threshold '{}': {}", t, why);
      return 2;
    }
    cfg.thresholds.push_back(*rule);
  }
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

  // RAS: codecs, store and services exist before any driver, so that the first device
  // already gets its persisted state back. Declared after the registry and before the loader:
  // drivers are unloaded first, then the store is closed, then the registry goes.
  const std::string ras_sock = accel::wire::RasSocketPath(cfg.runtime_dir);
  accel::ras::SetGrpcTarget("unix:" + ras_sock);
  accel::ras::InstallAllCodecs();
  std::unique_ptr<accel::ras::RasStore> store;
  if (cfg.ras_db != "none") {
    const std::string path = cfg.ras_db.empty() ? accel::ras::RasStore::DefaultPath() : cfg.ras_db;
    accel::ras::StoreOptions opts;
    opts.max_events = cfg.ras_retention_events;
    opts.max_age_ns = cfg.ras_retention_days * 86400ULL * 1000000000ULL;
    accel::Result<std::unique_ptr<accel::ras::RasStore>> st =
        accel::ras::RasStore::Open(path, opts);
    if (!st) {
      spdlog::error("cannot open the RAS store {}: {} (pass --ras-db PATH, or --ras-db none)", path,
                    std::strerror(-st.error()));
      return 1;
    }
    store = std::move(*st);
    spdlog::info("RAS store {}", path);
  }
  accel::ras::RasService ras(registry, std::move(store), cfg.thresholds);
  registry.set_ras_observer(&ras);

  std::vector<std::string> search = cfg.driver_path;
  for (const std::string& d : accel::daemon::ModuleLoader::DefaultSearchPath()) search.push_back(d);
  accel::daemon::ModuleLoader loader(registry, search);
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
  const std::string sock = accel::wire::SocketPath(cfg.runtime_dir);
  if (accel::Result<void> rc = server.Listen(sock); !rc) {
    spdlog::error("cannot listen on {}: {}", sock, std::strerror(-rc.error()));
    return 1;
  }
  accel::ras::RasGrpcServer::Options grpc_opts;
  grpc_opts.query_socket = ras_sock;
  grpc_opts.query_mode = cfg.node_mode;
  grpc_opts.query_gid = static_cast<int>(NodePermissionsFrom(cfg).gid);
  grpc_opts.admin_socket = accel::wire::RasAdminSocketPath(cfg.runtime_dir);
  grpc_opts.tcp_address = cfg.grpc_tcp;
  accel::Result<std::unique_ptr<accel::ras::RasGrpcServer>> grpc =
      accel::ras::RasGrpcServer::Start(&ras, grpc_opts);
  if (!grpc) {
    spdlog::error("cannot serve RAS over gRPC at {}: {}", ras_sock, std::strerror(-grpc.error()));
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
  (*grpc)->Shutdown();
  spdlog::info("stopped");
  return 0;
}
