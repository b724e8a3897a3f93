// vnpu_cli_test.cc - `accelctl vnpu ...` end to end: the real accelctl binary against a real
// acceld serving vnpu (with its vnpu-fw process), as an operator would run them: info, the
// selftest, a fault that `accelctl ras show` then counts, and the failures' one-line contract.
//
// Each run's stdout and stderr go to files in the daemon's temp root, read after the exit, so
// a chatty child never blocks on a pipe. JSON is parsed with nlohmann/json, not accel's codecs.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "acceld_process.h"

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uid_t kNobody = 65534;
constexpr gid_t kTestGroup = 4242;  // the test's own group: a number no real group uses

struct CliResult {
  int status = -1;  // exit status; -1 when killed or not exited
  std::string out;
  std::string err;
};

struct RunAs {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs accelctl with `args` (as another user when `as` is set; needs root) and waits for it.
CliResult RunAccelctl(const std::string& dir, const std::vector<std::string>& args,
                      const std::optional<RunAs>& as = std::nullopt) {
  static int serial = 0;
  const std::string base = dir + "/vnpu-cli-" + std::to_string(++serial);
  const int out = open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  std::vector<std::string> argv_s = {ACCELCTL_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    if (as && (setgroups(as->groups.size(), as->groups.data()) != 0 || setgid(as->gid) != 0 ||
               setuid(as->uid) != 0))
      _exit(125);
    std::vector<char*> argv;
    for (std::string& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(126);
  }
  close(out);
  close(err);
  CliResult r;
  // A generous bound: the selftest's jobs are small, but a loaded CI machine is slow.
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  return r;
}

// The failure contract of accelctl: exactly one line on stderr, "accelctl: ...".
void ExpectOneLineFailure(const CliResult& r, int status, const std::string& part) {
  EXPECT_EQ(r.status, status) << r.err;
  const std::vector<std::string> lines = Lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("accelctl: ", 0), 0u) << lines[0];
  EXPECT_TRUE(Contains(lines[0], part)) << lines[0] << "\n(expected: " << part << ")";
}

// `vnpu info`'s "key value" lines as a map.
std::map<std::string, std::string> InfoFields(const std::string& out) {
  std::map<std::string, std::string> fields;
  for (const std::string& line : Lines(out)) {
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const size_t value = line.find_first_not_of(' ', space);
    fields[line.substr(0, space)] = value == std::string::npos ? "" : line.substr(value);
  }
  return fields;
}

class VnpuCliTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& load = "vnpu", const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--load", load, "--no-fuse"};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
  }
  CliResult Run(const std::vector<std::string>& args, const std::optional<RunAs>& as = {}) {
    return RunAccelctl(daemon_.root(), args, as);
  }
  CliResult RunOk(const std::vector<std::string>& args) {
    CliResult r = Run(args);
    EXPECT_EQ(r.status, 0) << "accelctl " << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, "");
    return r;
  }
  // hbm0's corrected errors since registration, from `accelctl ras show --json`.
  int HbmCorrected() {
    const CliResult r = RunOk({"ras", "show", "accel0", "--json"});
    const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded()) return -1;
    for (const nlohmann::json& c : j["components"])
      if (c["name"] == "hbm0") return c["counters"]["corrected"]["volatile"].get<int>();
    return -1;
  }

  accel::testing::AcceldProcess daemon_;
};

TEST_F(VnpuCliTest, InfoPrintsEveryParameter) {
  StartDaemon("vnpu engines=3 memory=64M");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"vnpu", "info"}, {"vnpu", "info", "accel0"}}) {
    const CliResult r = RunOk(args);
    std::map<std::string, std::string> f = InfoFields(r.out);
    EXPECT_EQ(f["device"], "accel0") << r.out;
    EXPECT_EQ(f["device_id"], "0x7e51");
    EXPECT_EQ(f["engines"], "3");
    EXPECT_EQ(f["memory_size"].rfind("67108864 ", 0), 0u) << f["memory_size"];
    EXPECT_EQ(f["memory_used"], "0 B");
    EXPECT_TRUE(std::regex_match(f["firmware"], std::regex("[0-9]+\\.[0-9]+\\.[0-9]+")))
        << f["firmware"];
    EXPECT_EQ(f["capabilities"], "fw_process,user_ring,fault_inject");
    EXPECT_EQ(f["job_timeout_ms"], "10000");
    EXPECT_EQ(f["reset_count"], "0");
    EXPECT_FALSE(f["max_bo_size"].empty());
    EXPECT_EQ(f.size(), 10u) << r.out;  // the device and the 9 parameters, nothing else
  }
}

TEST_F(VnpuCliTest, SelftestRunsEveryOpcodeAndPasses) {
  StartDaemon();
  const CliResult r = RunOk({"vnpu", "selftest", "accel0"});
  const std::vector<std::string> lines = Lines(r.out);
  const std::vector<std::string> opcodes = {"GEMM", "AXPY", "REDUCE_SUM", "CRC32C", "COPY"};
  ASSERT_EQ(lines.size(), opcodes.size()) << r.out;
  for (size_t i = 0; i < opcodes.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(opcodes[i] + " ", 0), 0u) << lines[i];
    EXPECT_TRUE(std::regex_search(lines[i], std::regex(" ok +[0-9]+\\.[0-9]{3} ms$"))) << lines[i];
  }
  EXPECT_TRUE(Contains(lines[0], "64x64x64")) << lines[0];
  // Without a device name: the first vnpu device.
  EXPECT_EQ(Lines(RunOk({"vnpu", "selftest"}).out).size(), opcodes.size());
}

TEST_F(VnpuCliTest, AnEccFaultIsCountedByRasShow) {
  StartDaemon();
  EXPECT_EQ(HbmCorrected(), 0);
  const CliResult r = RunOk({"vnpu", "fault", "accel0", "ecc-ce"});
  EXPECT_TRUE(Contains(r.out, "accel0: injected ecc-ce at device address 0x")) << r.out;
  // The firmware accounts the error and the driver waits for its report, so the count is
  // there when the command returns; a generous poll covers a slow firmware all the same.
  int count = HbmCorrected();
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (count != 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
    count = HbmCorrected();
  }
  EXPECT_EQ(count, 1);
}

TEST_F(VnpuCliTest, AFaultAsNonRootFailsWithOneLine) {
  StartDaemon("vnpu", {"--node-group", std::to_string(kTestGroup)});
  // As ourselves when not root: then we are the non-root user.
  std::optional<RunAs> user;
  if (geteuid() == 0) user = RunAs{kNobody, kNobody, {}};
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "ecc-ce"}, user), 1, "run it as root");
  if (geteuid() == 0) {
    // Admitted to the device by its group: now the ioctl itself is what refuses.
    user->groups = {kTestGroup};
    const CliResult r = Run({"vnpu", "fault", "accel0", "ecc-ce"}, user);
    ExpectOneLineFailure(r, 1, "needs root");
    EXPECT_TRUE(Contains(r.err, "run it as root")) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(Run({"vnpu", "info", "accel0"}, user).status, 0);  // reading is allowed
  }
  EXPECT_EQ(HbmCorrected(), 0);
}

TEST_F(VnpuCliTest, BadFaultArgumentsAreUsageErrors) {
  StartDaemon();
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "meltdown"}), 2, "meltdown");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "hang", "--fatal"}), 2, "--fatal");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "link", "--address", "0x1000"}), 2,
                       "--address");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "ecc-ce", "--engine", "1"}), 2, "--engine");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "hang", "--engine", "99"}), 1,
                       "no engine 99");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel0", "ecc-ue", "--address", "0x10"}), 1,
                       "not in accel0's device memory");
  ExpectOneLineFailure(Run({"vnpu", "fault", "accel7", "hang"}), 1, "no device accel7");
  ExpectOneLineFailure(Run({"vnpu"}), 2, "info, fault or selftest");
}

TEST_F(VnpuCliTest, OtherDriversDevicesAreNotVnpu) {
  StartDaemon("dummy");
  ExpectOneLineFailure(Run({"vnpu", "info"}), 1, "no vnpu device");
  ExpectOneLineFailure(Run({"vnpu", "info", "accel0"}), 1, "accel0 is a dummy device");
  ExpectOneLineFailure(Run({"vnpu", "selftest", "accel0"}), 1, "not vnpu");
}

}  // namespace
