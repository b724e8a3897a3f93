// daemon_config.cc - see daemon_config.h.
#include "daemon_config.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace accel::acceld {

DriverToLoad ParseLoadSpec(const std::string& spec) {
  std::istringstream in(spec);
  DriverToLoad d;
  in >> d.name;
  std::string word;
  while (in >> word) d.args += (d.args.empty() ? "" : " ") + word;
  return d;
}

Result<uint32_t> ResolveGroup(const std::string& group) {
  if (!group.empty() && group.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<uint32_t>(std::stoul(group));
  if (group.empty()) return Err(ENOENT);
  if (const struct group* g = getgrnam(group.c_str())) return static_cast<uint32_t>(g->gr_gid);
  return Err(ENOENT);
}

Result<void> ReadConfigFile(const std::string& path, DaemonConfig& cfg, std::string* why) {
  std::ifstream in(path);
  if (!in) {
    *why = "cannot read config file " + path;
    return Err(ENOENT);
  }
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string key, rest;
    if (!(words >> key)) continue;
    std::getline(words >> std::ws, rest);
    rest.erase(rest.find_last_not_of(" \t\r") + 1);  // trailing blanks (e.g. before a comment)
    auto bad = [&](const std::string& what) {
      *why = path + ":" + std::to_string(lineno) + ": " + what;
      return Result<void>(Err(EINVAL));
    };
    if (key == "load") {
      if (rest.empty()) return bad("'load' needs a driver name");
      cfg.loads.push_back(ParseLoadSpec(rest));
    } else if (key == "node-mode") {
      char* end = nullptr;
      unsigned long mode = std::strtoul(rest.c_str(), &end, 8);
      if (rest.empty() || *end != '\0' || mode > 0777) return bad("node-mode is octal, 0..0777");
      cfg.node_mode = static_cast<uint32_t>(mode);
    } else if (key == "node-group") {
      cfg.node_group = rest;
    } else if (key == "driver-path") {
      cfg.driver_path.push_back(rest);
    } else if (key == "ras-db") {
      if (rest.empty()) return bad("ras-db needs a path, or none");
      cfg.ras_db = rest;
    } else if (key == "ras-retention-events" || key == "ras-retention-days") {
      char* end = nullptr;
      unsigned long long n = std::strtoull(rest.c_str(), &end, 10);
      if (rest.empty() || *end != '\0' || rest[0] == '-') return bad(key + " is a number");
      (key == "ras-retention-events" ? cfg.ras_retention_events : cfg.ras_retention_days) = n;
    } else if (key == "threshold") {
      std::string rule_why;
      Result<ras::ThresholdRule> rule = ras::ParseThresholdRule(rest, &rule_why);
      if (!rule) return bad("threshold: " + rule_why);
      cfg.thresholds.push_back(*rule);
    } else if (key == "store-durability") {
      Result<ras::Durability> d = ras::ParseDurability(rest);
      if (!d) return bad("store-durability is normal, full or auto");
      cfg.store_durability = *d;
    } else if (key == "ras-trigger-timeout") {
      char* end = nullptr;
      unsigned long n = std::strtoul(rest.c_str(), &end, 10);
      if (rest.empty() || *end != '\0' || rest[0] == '-' || n == 0 || n > 86400)
        return bad("ras-trigger-timeout is seconds, 1..86400");
      cfg.ras_trigger_timeout_s = static_cast<uint32_t>(n);
    } else if (key == "grpc-tcp") {
      cfg.grpc_tcp = rest;
    } else if (key == "grpc-tls-cert" || key == "grpc-tls-key" || key == "grpc-tls-client-ca") {
      if (rest.empty()) return bad(key + " needs a PEM file");
      (key == "grpc-tls-cert"  ? cfg.grpc_tls_cert
       : key == "grpc-tls-key" ? cfg.grpc_tls_key
                               : cfg.grpc_tls_client_ca) = rest;
    } else if (key == "grpc-tcp-insecure") {
      if (rest != "yes" && rest != "no") return bad("grpc-tcp-insecure is yes or no");
      cfg.grpc_tcp_insecure = rest == "yes";
    } else {
      return bad("unknown setting '" + key + "'");
    }
  }
  return {};
}

}  // namespace accel::acceld
