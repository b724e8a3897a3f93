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
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

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

// What the command line says, before the config file and the checks are applied.
struct CommandLine {
  DaemonConfig cfg;
  std::vector<std::string> loads;
  std::vector<std::string> thresholds;
  std::string config_file;
  std::string node_mode;
  std::string store_durability;
  std::string fd_memory_per_user;
};

// Parses argv into `cl`. Returns the exit code when acceld is to stop here (--help, or a
// usage error, which CLI11 has already reported), nothing when it is to go on.
std::optional<int> ParseCommandLine(int argc, char** argv, CommandLine& cl) {
  DaemonConfig& cfg = cl.cfg;
  CLI::App app{"acceld: serves accel devices (driver plugins) over a UNIX socket"};
  app.add_option("--runtime-dir", cfg.runtime_dir,
                 "where acceld.sock and acceld.lock live (default: $ACCEL_RUNTIME_DIR, "
                 "/run/accel for root, $XDG_RUNTIME_DIR/accel otherwise)");
  app.add_option("-l,--load", cl.loads, "load a driver at start, e.g. --load 'dummy count=2'");
  app.add_option("-c,--config", cl.config_file, "read settings from this file (see README)");
  app.add_option("--driver-path", cfg.driver_path, "extra directory to find driver plugins in");
  app.add_option("--node-mode", cl.node_mode,
                 "permission bits of device nodes (octal, default 0660)");
  app.add_option("--node-group", cfg.node_group,
                 "group of device nodes, name or number (default: render if it exists)");
  app.add_option("--dev-dir", cfg.dev_dir,
                 "mount the device nodes at DIR/accel (default: RUNTIME_DIR/dev; /dev gives "
                 "/dev/accel/accelN)");
  app.add_option("--sys-dir", cfg.sys_dir,
                 "mount the attribute tree (class/accel/...) at DIR (default: RUNTIME_DIR/sys)");
  app.add_flag("--no-fuse", cfg.no_fuse, "serve the socket only, mount no FUSE tree");
  app.add_option("--ras-db", cfg.ras_db,
                 "RAS store (SQLite); default /var/lib/accel/ras.db for root, "
                 "$XDG_STATE_HOME/accel/ras.db otherwise; 'none' keeps RAS in memory");
  app.add_option("--threshold", cl.thresholds,
                 "a RAS threshold, e.g. 'hbm0:corrected count=10 window=60s action=retire_page'");
  app.add_option("--fd-memory-per-user", cl.fd_memory_per_user,
                 "memfds (buffers) one non-root user may hold at once through descriptors it "
                 "was sent, e.g. 512M or 4G (default 4G); past it such a command is EDQUOT");
  app.add_option("--store-durability", cl.store_durability,
                 "when a RAS store commit waits for fsync: normal (never; kill -9 safe), full "
                 "(always; power-loss safe), auto (default: batches with an uncorrected or "
                 "fatal event or a retired page)")
      ->check(CLI::IsMember({"normal", "full", "auto"}));
  app.add_option("--ras-trigger-timeout", cfg.ras_trigger_timeout_s,
                 "seconds a threshold's trigger command may run before it is killed (default 30)")
      ->check(CLI::Range(1, 86400));
  app.add_option("--grpc-tcp", cfg.grpc_tcp,
                 "also serve RAS Query/Watch over TCP at HOST:PORT (off by default; a "
                 "non-loopback address needs TLS or --grpc-tcp-insecure)");
  app.add_option("--grpc-tls-cert", cfg.grpc_tls_cert,
                 "PEM certificate chain: the TCP listener speaks TLS (with --grpc-tls-key)");
  app.add_option("--grpc-tls-key", cfg.grpc_tls_key, "PEM private key of --grpc-tls-cert");
  app.add_option("--grpc-tls-client-ca", cfg.grpc_tls_client_ca,
                 "PEM CA bundle: the TCP listener requires client certificates it signed (mTLS)");
  app.add_flag("--grpc-tcp-insecure", cfg.grpc_tcp_insecure,
               "allow plain TCP on a non-loopback address: anyone who reaches it reads RAS");
  app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);
  return std::nullopt;
}

// The level comes from the command line alone: it is set before the config file is read, so
// that the file's errors are logged.
void SetUpLogging(const std::string& level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("acceld"));
  spdlog::set_level(spdlog::level::from_str(level));
}

// "4096", "64K", "512M", "4G" -> bytes; -EINVAL otherwise.
accel::Result<uint64_t> ParseByteSize(const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || text[0] == '-' || errno != 0 || end == text.c_str())
    return accel::Err(EINVAL);
  const std::string unit = end;
  const int shift = unit.empty() ? 0 : unit == "K" ? 10 : unit == "M" ? 20 : unit == "G" ? 30 : -1;
  if (shift < 0 || n > (UINT64_MAX >> shift)) return accel::Err(EINVAL);
  return static_cast<uint64_t>(n) << shift;
}

// "0660" -> 0660; -EINVAL for anything but an octal mode.
accel::Result<uint32_t> ParseNodeMode(const std::string& text) {
  char* end = nullptr;
  unsigned long m = std::strtoul(text.c_str(), &end, 8);
  if (*end != '\0' || m > 0777) return accel::Err(EINVAL);
  return static_cast<uint32_t>(m);
}

// Completes cl.cfg: the config file, then the options that need checking (node mode, loads,
// thresholds), then the default runtime directory. False, after logging why, on an error.
bool CompleteConfig(CommandLine& cl) {
  DaemonConfig& cfg = cl.cfg;
  if (!cl.config_file.empty()) {
    std::string why;
    if (!accel::acceld::ReadConfigFile(cl.config_file, cfg, &why)) {
      spdlog::error("{}", why);
      return false;
    }
  }
  if (!cl.node_mode.empty()) {
    accel::Result<uint32_t> mode = ParseNodeMode(cl.node_mode);
    if (!mode) {
      spdlog::error("--node-mode {} is not an octal mode such as 0660", cl.node_mode);
      return false;
    }
    cfg.node_mode = *mode;
  }
  for (const std::string& l : cl.loads) cfg.loads.push_back(accel::acceld::ParseLoadSpec(l));
  for (const std::string& t : cl.thresholds) {
    std::string why;
    accel::Result<accel::ras::ThresholdRule> rule = accel::ras::ParseThresholdRule(t, &why);
    if (!rule) {
      spdlog::error("--threshold '{}': {}", t, why);
      return false;
    }
    cfg.thresholds.push_back(*rule);
  }
  if (!cl.fd_memory_per_user.empty()) {
    accel::Result<uint64_t> bytes = ParseByteSize(cl.fd_memory_per_user);
    if (!bytes) {
      spdlog::error("--fd-memory-per-user {}: expected a size such as 512M or 4G",
                    cl.fd_memory_per_user);
      return false;
    }
    cfg.fd_memory_per_user = *bytes;
  }
  if (!cl.store_durability.empty())  // checked by CLI11
    cfg.store_durability = *accel::ras::ParseDurability(cl.store_durability);
  if (cfg.runtime_dir.empty()) cfg.runtime_dir = accel::wire::DefaultRuntimeDir();
  return true;
}

// One daemon per runtime directory: the lock, or nothing after logging who holds it.
std::optional<accel::acceld::RuntimeDirLock> LockRuntimeDir(const std::string& dir) {
  long holder = 0;
  accel::Result<accel::acceld::RuntimeDirLock> lock =
      accel::acceld::RuntimeDirLock::Acquire(dir, &holder);
  if (lock) return std::move(*lock);
  if (lock.error() == -EBUSY)
    spdlog::error("another acceld (pid {}) owns {}; stop it first or pass --runtime-dir", holder,
                  dir);
  else if (lock.error() == -EEXIST || lock.error() == -ELOOP)
    spdlog::error(
        "{}/{} is not a lock file of this user's (a symlink, a hard link or another "
        "user's file); remove it or pass --runtime-dir",
        dir, accel::wire::kLockFileName);
  else if (lock.error() == -EACCES)
    spdlog::error(
        "cannot use runtime dir {}: it must be a directory of this user's with mode "
        "0700; remove it or pass --runtime-dir",
        dir);
  else
    spdlog::error("cannot use runtime dir {}: {}", dir, std::strerror(-lock.error()));
  return std::nullopt;
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

// Mounts both FUSE trees, by default under the runtime directory. A tree that cannot be
// mounted (no /dev/fuse, no permission) is one log line and the daemon goes on serving the
// socket; a mount point acceld must refuse (/sys, or a /dev/accel that already has nodes) is
// an error: exit code 2.
int MountTrees(DaemonConfig cfg, accel::transport::DevTree& dev_tree,
               accel::transport::SysTree& sys_tree) {
  if (cfg.dev_dir.empty()) cfg.dev_dir = cfg.runtime_dir + "/dev";
  if (cfg.sys_dir.empty()) cfg.sys_dir = cfg.runtime_dir + "/sys";
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

// The codecs and the store the RAS service needs: the store (null with --ras-db none), or
// nothing after logging why it cannot be opened. `ras_sock` is where the grpc_target codec
// tells clients to ask.
std::optional<std::unique_ptr<accel::ras::RasStore>> SetUpRas(const DaemonConfig& cfg,
                                                              const std::string& ras_sock) {
  accel::ras::SetGrpcTarget("unix:" + ras_sock);
  accel::ras::InstallAllCodecs();
  if (cfg.ras_db == "none") return std::unique_ptr<accel::ras::RasStore>();
  const std::string path = cfg.ras_db.empty() ? accel::ras::RasStore::DefaultPath() : cfg.ras_db;
  accel::ras::StoreOptions opts;
  opts.max_events = cfg.ras_retention_events;
  opts.max_age_ns = cfg.ras_retention_days * 86400ULL * 1000000000ULL;
  opts.durability = cfg.store_durability;
  accel::Result<std::unique_ptr<accel::ras::RasStore>> st = accel::ras::RasStore::Open(path, opts);
  if (!st) {
    spdlog::error("cannot open the RAS store {}: {} (pass --ras-db PATH, or --ras-db none)", path,
                  std::strerror(-st.error()));
    return std::nullopt;
  }
  spdlog::info("RAS store {} (durability {})", path, accel::ras::DurabilityName(opts.durability));
  return std::move(*st);
}

// --driver-path first, then the defaults (beside the binary, then the install tree).
std::vector<std::string> DriverSearchPath(const DaemonConfig& cfg) {
  std::vector<std::string> search = cfg.driver_path;
  for (const std::string& d : accel::daemon::ModuleLoader::DefaultSearchPath()) search.push_back(d);
  return search;
}

// The drivers asked for at start; false, after logging which, when one fails to load.
bool LoadDrivers(const std::vector<accel::acceld::DriverToLoad>& loads,
                 accel::daemon::ModuleLoader& loader) {
  for (const auto& d : loads) {
    std::string why;
    if (accel::Result<void> rc = loader.Load(d.name, d.args, &why); !rc) {
      spdlog::error("cannot load driver {}: {}", d.name, why);
      return false;
    }
    spdlog::info("loaded driver {}{}{}", d.name, d.args.empty() ? "" : " ", d.args);
  }
  return true;
}

bool ListenOnSocket(accel::transport::SocketServer& server, const std::string& sock) {
  if (accel::Result<void> rc = server.Listen(sock); !rc) {
    spdlog::error("cannot listen on {}: {}", sock, std::strerror(-rc.error()));
    return false;
  }
  return true;
}

// The TCP listener's TLS material (read from its PEM files) and the rule that plain TCP stays
// on loopback unless --grpc-tcp-insecure. False after logging what to do.
bool GrpcTcpSecurity(const DaemonConfig& cfg, accel::ras::RasGrpcServer::Options& opts) {
  if (cfg.grpc_tls_cert.empty() != cfg.grpc_tls_key.empty() ||
      (!cfg.grpc_tls_client_ca.empty() && cfg.grpc_tls_cert.empty())) {
    spdlog::error(
        "--grpc-tls-cert and --grpc-tls-key go together (and --grpc-tls-client-ca "
        "needs them)");
    return false;
  }
  for (auto [path, pem] : {std::pair{&cfg.grpc_tls_cert, &opts.tls_cert_pem},
                           std::pair{&cfg.grpc_tls_key, &opts.tls_key_pem},
                           std::pair{&cfg.grpc_tls_client_ca, &opts.tls_client_ca_pem}}) {
    if (path->empty()) continue;
    std::ifstream in(*path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in || text.str().empty()) {
      spdlog::error("cannot read the PEM file {} (a TLS option of --grpc-tcp)", *path);
      return false;
    }
    *pem = text.str();
  }
  const bool loopback = accel::ras::RasGrpcServer::IsLoopbackAddress(cfg.grpc_tcp);
  if (opts.tls_cert_pem.empty() && !loopback) {
    if (!cfg.grpc_tcp_insecure) {
      spdlog::error(
          "--grpc-tcp {} is not a loopback address: give it TLS (--grpc-tls-cert and "
          "--grpc-tls-key, and --grpc-tls-client-ca for client certificates) or pass "
          "--grpc-tcp-insecure",
          cfg.grpc_tcp);
      return false;
    }
    spdlog::warn("RAS over plain TCP at {}: anyone who can reach it reads RAS", cfg.grpc_tcp);
  }
  spdlog::info("RAS gRPC over TCP at {} ({})", cfg.grpc_tcp,
               opts.tls_client_ca_pem.empty() ? (opts.tls_cert_pem.empty() ? "plain" : "TLS")
                                              : "mutual TLS");
  return true;
}

// RAS Query/Watch for everyone allowed at the nodes, admin for root, TCP when asked for.
std::unique_ptr<accel::ras::RasGrpcServer> StartRasGrpc(const DaemonConfig& cfg,
                                                        accel::ras::RasService& ras,
                                                        const std::string& ras_sock) {
  accel::ras::RasGrpcServer::Options grpc_opts;
  grpc_opts.query_socket = ras_sock;
  grpc_opts.query_mode = cfg.node_mode;
  grpc_opts.query_gid = static_cast<int>(NodePermissionsFrom(cfg).gid);
  grpc_opts.admin_socket = accel::wire::RasAdminSocketPath(cfg.runtime_dir);
  grpc_opts.tcp_address = cfg.grpc_tcp;
  grpc_opts.tcp_insecure = cfg.grpc_tcp_insecure;
  if (!cfg.grpc_tcp.empty() && !GrpcTcpSecurity(cfg, grpc_opts)) return nullptr;
  accel::Result<std::unique_ptr<accel::ras::RasGrpcServer>> grpc =
      accel::ras::RasGrpcServer::Start(&ras, grpc_opts);
  if (!grpc) {
    spdlog::error("cannot serve RAS over gRPC at {}: {}", ras_sock, std::strerror(-grpc.error()));
    return nullptr;
  }
  return std::move(*grpc);
}

// Builds the daemon, serves until `stop_fd` is readable and tears it down; the exit code.
// The objects live here, in this order, because their destruction runs backwards: the trees
// and the socket go, drivers are unloaded, then the RAS store is closed, then the registry.
// RAS exists before any driver, so that the first device already gets its persisted state
// back; drivers load before the socket listens, so that a client which sees the socket also
// sees the devices.
int Serve(const DaemonConfig& cfg, int stop_fd) {
  accel::core::Registry registry;
  registry.set_default_permissions(NodePermissionsFrom(cfg));
  const std::string ras_sock = accel::wire::RasSocketPath(cfg.runtime_dir);
  std::optional<std::unique_ptr<accel::ras::RasStore>> store = SetUpRas(cfg, ras_sock);
  if (!store) return 1;
  accel::ras::ActionOptions actions;
  actions.trigger_timeout_ms = cfg.ras_trigger_timeout_s * 1000;
  accel::ras::RasService ras(registry, std::move(*store), cfg.thresholds, actions);
  registry.set_ras_observer(&ras);
  accel::daemon::ModuleLoader loader(registry, DriverSearchPath(cfg));
  accel::transport::SocketServer server(registry, loader);
  server.set_fd_memory_per_uid(cfg.fd_memory_per_user);
  if (!LoadDrivers(cfg.loads, loader)) return 1;
  const std::string sock = accel::wire::SocketPath(cfg.runtime_dir);
  if (!ListenOnSocket(server, sock)) return 1;
  std::unique_ptr<accel::ras::RasGrpcServer> grpc = StartRasGrpc(cfg, ras, ras_sock);
  if (!grpc) return 1;
  accel::transport::DevTree dev_tree(registry);
  accel::transport::SysTree sys_tree(registry);
  if (!cfg.no_fuse) {
    if (int rc = MountTrees(cfg, dev_tree, sys_tree); rc != 0) return rc;
  }
  spdlog::info("listening on {} (pid {})", sock, getpid());
  server.Run(stop_fd);
  grpc->Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CommandLine cl;
  if (std::optional<int> exit_code = ParseCommandLine(argc, argv, cl)) return *exit_code;
  SetUpLogging(cl.cfg.log_level);
  if (!CompleteConfig(cl)) return 2;
  // Before any thread starts, so that every thread inherits the blocked signals.
  const int stop_fd = StopSignalFd();
  std::optional<accel::acceld::RuntimeDirLock> lock = LockRuntimeDir(cl.cfg.runtime_dir);
  if (!lock) return 1;
  return Serve(cl.cfg, stop_fd);
}
