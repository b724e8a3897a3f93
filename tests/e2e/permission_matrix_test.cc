// permission_matrix_test.cc - issue 12 B, the permission matrix: every control and RAS
// operation, by every way in (the FUSE node, the sys tree, the socket, the RAS gRPC query and
// admin sockets, gRPC over TCP), as root, as a member of the nodes' group and as another user.
//
// Each cell is a real call made by a forked child that has become that identity. The test
// checks the policy each row declares (who must be admitted, who refused with EACCES/EPERM),
// then renders the table and compares it with the one in docs/SECURITY.md, between the
// permission-matrix markers. The doc is the generated table: run with
// ACCEL_UPDATE_SECURITY_DOC=1 to write it there after a change.
#include <accel/libaccel.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <uapi/accel/accel.h>
#include <uapi/accel/dummy.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"
#include "fuse_helpers.h"
#include "rasclient/ras_grpc_client.h"

namespace accel::testing {
namespace {

using std::chrono::seconds;

constexpr gid_t kNodeGroup = 4243;  // a number no real group uses
constexpr uid_t kNobody = 65534;

// Who a row admits. Everyone else must be refused with EACCES or EPERM.
enum class Admits { kEveryone, kNodeAccess, kRootOnly, kNobodyAtAll };

struct Row {
  std::string way;        // the way in
  std::string operation;  // what is tried
  Admits admits;
  std::function<int()> call;  // 0 (or a count) when done, -errno when refused or failed
};

struct Who {
  std::string name;
  Identity id;
};

std::string Cell(int rc) {
  if (rc >= 0) return "ok";
  if (rc == kTimedOut) return "timed out";
  const char* name = strerrorname_np(-rc);
  return name ? name : "errno " + std::to_string(-rc);
}

bool Admitted(int rc) {
  return rc >= 0;
}
bool Refused(int rc) {
  return rc == -EACCES || rc == -EPERM;
}

int FreeTcpPort() {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (s >= 0) close(s);
    return -1;
  }
  close(s);
  return ntohs(a.sin_port);
}

// ---- the calls, one per operation; each opens what it needs, as a client would --------------

// The device commands tried on both the FUSE node and the socket. A RAS_QUERY size probe
// (-ENOSPC, with the size needed) counts as served.
struct DeviceCommand {
  std::string operation;
  Admits admits;
  std::function<int(const std::function<int(unsigned long, void*)>&)> call;
};

std::vector<DeviceCommand> DeviceCommands() {
  return {
      {"open", Admits::kNodeAccess, [](auto&&) { return 0; }},
      {"VERSION (generic)", Admits::kNodeAccess,
       [](auto&& io) {
         accel_version v{};
         return io(ACCEL_IOCTL_VERSION, &v);
       }},
      {"RAS_QUERY (generic)", Admits::kNodeAccess,
       [](auto&& io) {
         accel_ras_query q{};
         q.format = ACCEL_RAS_FMT_KEY_VAL_32;
         const int rc = io(ACCEL_IOCTL_RAS_QUERY, &q);
         return rc == -ENOSPC ? 0 : rc;
       }},
      {"RAS_INJECT (generic, privileged)", Admits::kRootOnly,
       [](auto&& io) {
         accel_ras_inject in{ACCEL_DUMMY_COMPONENT_SRAM, ACCEL_RAS_SEV_CORRECTED, 1, 0, 0, 0};
         return io(ACCEL_IOCTL_RAS_INJECT, &in);
       }},
      {"RAS_CLEAR (generic, privileged)", Admits::kRootOnly,
       [](auto&& io) {
         accel_ras_clear c{};
         return io(ACCEL_IOCTL_RAS_CLEAR, &c);
       }},
      {"DUMMY_SUBMIT (driver)", Admits::kNodeAccess,
       [](auto&& io) {
         accel_dummy_submit s{1000};
         return io(ACCEL_IOCTL_DUMMY_SUBMIT, &s);
       }},
      {"DUMMY_FAULT (driver, root only)", Admits::kRootOnly,
       [](auto&& io) {
         accel_dummy_fault f{};
         f.type = ACCEL_DUMMY_FAULT_RECOVER;
         return io(ACCEL_IOCTL_DUMMY_FAULT, &f);
       }},
  };
}

// The RAS gRPC calls, tried on each of the three listeners.
struct GrpcCall {
  std::string operation;
  std::function<int(ras::RasGrpcClient&)> call;
};

template <typename T>
int ErrnoOf(const Result<T>& r) {
  return r ? 0 : r.error();
}

std::vector<GrpcCall> GrpcCalls() {
  return {
      {"Devices", [](ras::RasGrpcClient& c) { return ErrnoOf(c.Devices()); }},
      {"Query", [](ras::RasGrpcClient& c) { return ErrnoOf(c.Query("accel0")); }},
      {"Log",
       [](ras::RasGrpcClient& c) {
         ras::LogQuery q;
         q.limit = 10;
         return ErrnoOf(c.Log(q));
       }},
      {"Watch",
       [](ras::RasGrpcClient& c) {
         std::atomic<bool> stop{false};
         std::thread timer([&] {
           std::this_thread::sleep_for(std::chrono::milliseconds(300));
           stop = true;
         });
         Result<void> r = c.Watch(
             "accel0", [](const ras::RasGrpcClient::WatchItem&) { return true; }, &stop, 20);
         timer.join();
         return ErrnoOf(r);
       }},
      {"Thresholds", [](ras::RasGrpcClient& c) { return ErrnoOf(c.Thresholds("accel0")); }},
      {"Clear (privileged)", [](ras::RasGrpcClient& c) { return ErrnoOf(c.Clear("accel0")); }},
      {"Inject (privileged)",
       [](ras::RasGrpcClient& c) {
         ras::InjectRequest req;
         req.component = "sram";
         req.severity = ACCEL_RAS_SEV_CORRECTED;
         return ErrnoOf(c.Inject("accel0", req));
       }},
  };
}

class PermissionMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || access("/dev/fuse", R_OK | W_OK) != 0)
      GTEST_SKIP() << "needs root (to become other users) and /dev/fuse";
  }
  void TearDown() override {
    daemon_.Stop();
    DetachMountsUnder(std::filesystem::path(daemon_.runtime_dir()).parent_path().string());
  }
  AcceldProcess daemon_;
};

// Who may call what through which way in, checked against each row's policy and against the
// table in docs/SECURITY.md.
TEST_F(PermissionMatrixTest, EveryOperationByEveryWayInAsEveryoneMatchesThePolicyAndTheDoc) {
  const int port = FreeTcpPort();
  ASSERT_GT(port, 0);
  const std::string tcp = "127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(daemon_.Start(
      {"--load", "dummy", "--node-group", std::to_string(kNodeGroup), "--grpc-tcp", tcp}))
      << daemon_.log();
  const std::string run = daemon_.runtime_dir();
  const std::string node = run + "/dev/accel/accel0";
  const std::string sys = run + "/sys/class/accel/accel0";

  std::vector<Row> rows;
  for (const DeviceCommand& c : DeviceCommands()) {
    rows.push_back({"FUSE node", c.operation, c.admits, [node, c] {
                      const int fd = open(node.c_str(), O_RDWR | O_CLOEXEC);
                      if (fd < 0) return -errno;
                      const int rc = c.call([fd](unsigned long cmd, void* arg) {
                        return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
                      });
                      close(fd);
                      return rc;
                    }});
  }
  for (const DeviceCommand& c : DeviceCommands()) {
    rows.push_back(
        {"socket", c.operation, c.admits, [c] {
           accel_handle* h = nullptr;
           if (int rc = accel_open_transport("accel0", ACCEL_TRANSPORT_SOCKET, &h); rc < 0)
             return rc;
           const int rc =
               c.call([h](unsigned long cmd, void* arg) { return accel_ioctl(h, cmd, arg); });
           accel_close(h);
           return rc;
         }});
  }
  rows.push_back({"sys tree", "read an attribute (dev)", Admits::kEveryone,
                  [sys] { return ReadText(sys + "/dev") == "261:0\n" ? 0 : -EIO; }});
  rows.push_back({"sys tree", "read a RAS counter", Admits::kEveryone, [sys] {
                    return ReadText(sys + "/ras/sram_corrected").rfind('<', 0) == 0 ? -EIO : 0;
                  }});
  rows.push_back({"sys tree", "write ras/clear", Admits::kRootOnly,
                  [sys] { return WriteText(sys + "/ras/clear", "1\n"); }});
  rows.push_back({"socket", "list devices", Admits::kEveryone, [] {
                    accel_device_entry e[4];
                    return accel_list(e, 4) == 1 ? 0 : -EIO;
                  }});
  rows.push_back({"socket", "list drivers", Admits::kEveryone, [] {
                    char buf[4096];
                    return accel_driver_list(buf, sizeof(buf));
                  }});
  rows.push_back({"socket", "list clients", Admits::kEveryone, [] {
                    char* text = nullptr;
                    const int rc = accel_clients("accel0", &text);
                    accel_free(text);
                    return rc;
                  }});
  rows.push_back({"socket", "monitor", Admits::kEveryone, [] {
                    accel_monitor* m = nullptr;
                    const int rc = accel_monitor_open(&m);
                    accel_monitor_close(m);
                    return rc;
                  }});
  const std::vector<std::pair<std::string, std::string>> listeners = {
      {"gRPC query socket", "unix:" + run + "/ras.sock"},
      {"gRPC admin socket", "unix:" + run + "/ras-admin.sock"},
      {"gRPC TCP (loopback)", tcp}};
  for (const auto& [way, target] : listeners) {
    for (const GrpcCall& g : GrpcCalls()) {
      const bool privileged = g.operation.find("privileged") != std::string::npos;
      Admits admits = Admits::kNodeAccess;  // the query socket has the nodes' mode and group
      if (way == "gRPC admin socket") admits = Admits::kRootOnly;  // mode 0600
      if (way == "gRPC TCP (loopback)")  // anyone who reaches it; the query calls only
        admits = privileged ? Admits::kNobodyAtAll : Admits::kEveryone;
      if (way == "gRPC query socket" && privileged) admits = Admits::kNobodyAtAll;
      rows.push_back({way, g.operation, admits, [target, g] {
                        auto c = ras::RasGrpcClient::Connect(target, 5000);
                        if (!c) return c.error();
                        (*c)->set_call_timeout_ms(5000);
                        return g.call(**c);
                      }});
    }
  }
  // Last: these change the daemon (root's unload is followed by root's load, so the device
  // is back for nobody else to need it).
  rows.push_back({"socket", "unload a driver (force)", Admits::kRootOnly,
                  [] { return accel_driver_unload("dummy", ACCEL_UNLOAD_FORCE); }});
  rows.push_back({"socket", "load a driver", Admits::kRootOnly, [] {
                    char why[256];
                    return accel_driver_load("dummy", "", why, sizeof(why));
                  }});

  const std::vector<Who> who = {
      {"other user", {kNobody, kNobody, {}}},
      {"group member", {kNobody, kNobody, {kNodeGroup}}},
      {"root", {0, 0, {}}},
  };
  std::ostringstream table;
  table << "| Way in | Operation | root | member of the nodes' group | other user |\n"
        << "|---|---|---|---|---|\n";
  int cells = 0;
  for (const Row& row : rows) {
    std::map<std::string, int> rc;
    for (const Who& w : who) {
      rc[w.name] = RunBounded(row.call, seconds(20), &w.id);
      ++cells;
    }
    const std::string what = row.way + ": " + row.operation;
    const bool root_in = Admitted(rc["root"]), member_in = Admitted(rc["group member"]),
               other_in = Admitted(rc["other user"]);
    switch (row.admits) {
      case Admits::kEveryone:
        EXPECT_TRUE(root_in && member_in && other_in) << what;
        break;
      case Admits::kNodeAccess:
        EXPECT_TRUE(root_in && member_in) << what;
        EXPECT_TRUE(Refused(rc["other user"])) << what << ": " << Cell(rc["other user"]);
        break;
      case Admits::kRootOnly:
        EXPECT_TRUE(root_in) << what << ": " << Cell(rc["root"]);
        EXPECT_TRUE(Refused(rc["group member"])) << what << ": " << Cell(rc["group member"]);
        EXPECT_TRUE(Refused(rc["other user"])) << what << ": " << Cell(rc["other user"]);
        break;
      case Admits::kNobodyAtAll:
        EXPECT_FALSE(root_in || member_in || other_in) << what;
        break;
    }
    table << "| " << row.way << " | " << row.operation << " | " << Cell(rc["root"]) << " | "
          << Cell(rc["group member"]) << " | " << Cell(rc["other user"]) << " |\n";
  }
  std::printf("permission matrix: %zu operations x 3 identities = %d calls\n%s", rows.size(), cells,
              table.str().c_str());

  // The doc's table is this one.
  const std::string doc_path = ACCEL_SOURCE_DIR "/docs/SECURITY.md";
  std::ifstream in(doc_path);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string doc = buf.str();
  const std::string begin =
      "<!-- permission-matrix:begin (generated by permission_matrix_test) -->\n";
  const std::string end = "<!-- permission-matrix:end -->";
  const size_t b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << doc_path << " has no permission-matrix markers";
  ASSERT_NE(e, std::string::npos);
  const std::string documented = doc.substr(b + begin.size(), e - b - begin.size());
  if (std::getenv("ACCEL_UPDATE_SECURITY_DOC") != nullptr && documented != table.str()) {
    doc.replace(b + begin.size(), e - b - begin.size(), table.str());
    std::ofstream(doc_path) << doc;
    GTEST_SKIP() << "wrote the table to " << doc_path;
  }
  EXPECT_EQ(documented, table.str())
      << "the table in " << doc_path
      << " is not what the daemon does; check the change, then run this test with "
         "ACCEL_UPDATE_SECURITY_DOC=1 to write the new one";
}

}  // namespace
}  // namespace accel::testing
