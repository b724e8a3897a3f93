// ras_cli_test.cc - `accelctl ras ...` end to end: the real accelctl binary against a real
// acceld serving the dummy driver, as an operator would run them.
//
// Every run's stdout and stderr go to files in the daemon's temp root, so a chatty child never
// blocks on a full pipe; the test reads them after the exit. JSON output is parsed with
// nlohmann/json, protobuf output with protoc (when installed), never with accel's own codecs.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "acceld_process.h"

namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uid_t kNobody = 65534;
constexpr gid_t kTestGroup = 4242;  // the test's own group: a number no real group uses

struct CliResult {
  int status = -1;  // exit status; -1 when killed or not exited
  std::string out;
  std::string err;
};

// How to run one accelctl.
struct RunOptions {
  std::optional<uid_t> uid;  // become this user (with gid and groups) first; needs root
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool stdout_tty = false;  // stdout is a pseudo-terminal instead of a file
  std::vector<std::pair<std::string, std::string>> env;  // set in the child only
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

std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One accelctl process, started at construction.
class CliProcess {
 public:
  CliProcess(const std::string& dir, const std::vector<std::string>& args,
             const RunOptions& options) {
    static int serial = 0;
    const std::string base = dir + "/cli-" + std::to_string(++serial);
    out_path_ = base + ".out";
    err_path_ = base + ".err";
    const int out = options.stdout_tty
                        ? OpenPtySlave()
                        : open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    std::vector<std::string> argv_s = {ACCELCTL_PATH};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      for (const auto& [name, value] : options.env) setenv(name.c_str(), value.c_str(), 1);
      if (options.uid && (setgroups(options.groups.size(), options.groups.data()) != 0 ||
                          setgid(options.gid) != 0 || setuid(*options.uid) != 0))
        _exit(125);
      std::vector<char*> argv;
      for (std::string& s : argv_s) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(126);
    }
    if (out >= 0) close(out);
    if (err >= 0) close(err);
  }
  ~CliProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (pty_master_ >= 0) close(pty_master_);
  }
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;

  // True once the process has exited (reaped here).
  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    pid_ = -1;
    return true;
  }

  // Waits up to `limit` for the exit (then kills it: status -1) and returns what it printed.
  CliResult Wait(milliseconds limit = seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!Exited() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(5));
    if (!Exited()) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    return {status_, ReadFile(out_path_), ReadFile(err_path_)};
  }

 private:
  // A pseudo-terminal for the child's stdout; the master stays open here until the end.
  int OpenPtySlave() {
    pty_master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (pty_master_ < 0 || grantpt(pty_master_) != 0 || unlockpt(pty_master_) != 0) return -1;
    return open(ptsname(pty_master_), O_RDWR | O_NOCTTY | O_CLOEXEC);
  }

  pid_t pid_ = -1;
  int status_ = -1;
  int pty_master_ = -1;
  std::string out_path_;
  std::string err_path_;
};

// The failure contract of accelctl: exactly one line on stderr, "accelctl: ...".
void ExpectOneLineFailure(const CliResult& r, int status, const std::string& part) {
  EXPECT_EQ(r.status, status) << r.err;
  const std::vector<std::string> lines = Lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("accelctl: ", 0), 0u) << lines[0];
  EXPECT_TRUE(Contains(lines[0], part)) << lines[0] << "\n(expected: " << part << ")";
}

class RasCliTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::vector<std::string>& extra = {}, const std::string& load = "dummy") {
    std::vector<std::string> args = {"--no-fuse", "--load", load};
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(daemon_.Start(args)) << daemon_.log();
  }

  CliResult Run(const std::vector<std::string>& args, const RunOptions& options = {}) {
    return CliProcess(daemon_.root(), args, options).Wait();
  }

  // Runs accelctl and expects success.
  CliResult RunOk(const std::vector<std::string>& args) {
    CliResult r = Run(args);
    EXPECT_EQ(r.status, 0) << "accelctl ras " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err, "");
    return r;
  }

  Json ShowJson() {
    const CliResult r = RunOk({"ras", "show", "accel0", "--json"});
    return Json::parse(r.out);
  }

  // The seqno `ras inject` printed ("...; event seqno N").
  uint64_t Inject(const std::string& component, const std::string& severity, int count = 1) {
    const CliResult r = RunOk({"ras", "inject", "accel0", "--component", component, "--severity",
                               severity, "--count", std::to_string(count)});
    const size_t at = r.out.rfind("seqno ");
    EXPECT_NE(at, std::string::npos) << r.out;
    return at == std::string::npos ? 0 : std::stoull(r.out.substr(at + 6));
  }

  accel::testing::AcceldProcess daemon_;
};

const std::vector<std::string> kAllFormats = {"key_val_32", "netlink", "json", "protobuf", "grpc",
                                              "thrift",     "asn1",    "cbor", "cper"};

TEST_F(RasCliTest, FormatsListsAllNine) {
  StartDaemon();
  const CliResult text = RunOk({"ras", "formats", "accel0"});
  for (const std::string& format : kAllFormats) {
    bool row = false;
    for (const std::string& line : Lines(text.out)) {
      const std::vector<std::string> w = Words(line);
      if (!w.empty() && w[0] == format) row = w.size() >= 3 && w[1] == "yes" && w[2] == "no";
    }
    EXPECT_TRUE(row) << format << " not offered in:\n" << text.out;
  }
  const Json json = Json::parse(RunOk({"ras", "formats", "accel0", "--json"}).out);
  EXPECT_EQ(json["device"], "accel0");
  EXPECT_EQ(json["formats"].get<std::vector<std::string>>(), kAllFormats);
  EXPECT_TRUE(json["passthrough"].empty());
}

TEST_F(RasCliTest, FormatsNamesTheFirmwaresOwn) {
  StartDaemon({}, "dummy passthrough=1");
  const Json json = Json::parse(RunOk({"ras", "formats", "accel0", "--json"}).out);
  EXPECT_EQ(json["passthrough"], Json::array({"cbor"}));
}

TEST_F(RasCliTest, InjectThenShowReportsTheCount) {
  StartDaemon();
  const uint64_t seqno = Inject("hbm0", "corrected", 3);
  const CliResult show = RunOk({"ras", "show", "accel0"});
  // COMPONENT HEALTH CORRECTED DEFERRED UNCORRECTED FATAL INFORMATIONAL, cells volatile/aggregate.
  bool counted = false, others_zero = true;
  for (const std::string& line : Lines(show.out)) {
    const std::vector<std::string> w = Words(line);
    if (w.size() != 7) continue;
    if (w[0] == "hbm0") counted = w[2] == "3/3";
    if (w[0] == "sram" || w[0] == "pcie") others_zero = others_zero && w[2] == "0/0";
  }
  EXPECT_TRUE(counted) << show.out;
  EXPECT_TRUE(others_zero) << show.out;
  // The event itself, with the seqno inject printed.
  bool event = false;
  for (const std::string& line : Lines(show.out)) {
    const std::vector<std::string> w = Words(line);
    event = event || (w.size() >= 5 && w[1] == std::to_string(seqno) && w[2] == "hbm0" &&
                      w[3] == "corrected" && w[4] == "3");
  }
  EXPECT_TRUE(event) << "no event " << seqno << " in:\n" << show.out;

  const Json snapshot = ShowJson();
  EXPECT_EQ(snapshot["schema"], "accel.ras.v1");
  EXPECT_EQ(snapshot["device"]["name"], "accel0");
  EXPECT_EQ(snapshot["components"][0]["name"], "hbm0");
  EXPECT_EQ(snapshot["components"][0]["counters"]["corrected"]["volatile"], 3);
  ASSERT_FALSE(snapshot["events"].empty());
  EXPECT_EQ(snapshot["events"].back()["seqno"], seqno);
}

TEST_F(RasCliTest, InjectResolvesComponentNamesAndRejectsUnknownOnes) {
  StartDaemon();
  Inject("pcie", "uncorrected");
  const Json snapshot = ShowJson();
  EXPECT_EQ(snapshot["components"][2]["name"], "pcie");
  EXPECT_EQ(snapshot["components"][2]["counters"]["uncorrected"]["volatile"], 1);
  ExpectOneLineFailure(
      Run({"ras", "inject", "accel0", "--component", "hbm7", "--severity", "corrected"}), 2,
      "hbm0, sram, pcie, fw, compute");
}

TEST_F(RasCliTest, JsonOutputsParse) {
  StartDaemon({"--threshold", "hbm0:corrected count=10 window=60s"});
  Inject("hbm0", "corrected");
  EXPECT_NO_THROW(ShowJson());
  // --format json is the same document, through the same ioctl; any case names a format.
  const CliResult payload = RunOk({"ras", "show", "accel0", "--format", "JSON"});
  EXPECT_EQ(Json::parse(payload.out)["schema"], "accel.ras.v1");
  EXPECT_TRUE(Json::parse(RunOk({"ras", "log", "--json"}).out).is_array());
  EXPECT_TRUE(Json::parse(RunOk({"ras", "thresholds", "--json"}).out).is_array());
  EXPECT_TRUE(Json::parse(RunOk({"ras", "formats", "accel0", "--json"}).out).is_object());
}

TEST_F(RasCliTest, ShowFormatWritesThePayloadToAFile) {
  StartDaemon();
  Inject("hbm0", "corrected", 3);
  const std::string kv32 = daemon_.root() + "/counters.kv32";
  RunOk({"ras", "show", "accel0", "--format", "key_val_32", "-o", kv32});
  // 5 components x 5 severities x (volatile, aggregate), 8 bytes each.
  EXPECT_EQ(std::filesystem::file_size(kv32), 5u * 5 * 2 * 8);

  const std::string pb = daemon_.root() + "/snapshot.pb";
  RunOk({"ras", "show", "accel0", "--format", "protobuf", "-o", pb});
  ASSERT_GT(std::filesystem::file_size(pb), 0u);
  if (std::system("protoc --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no protoc";
  const std::string decoded = daemon_.root() + "/snapshot.txt";
  const std::string command =
      std::string("protoc --decode=accel.ras.v1.RasSnapshot --proto_path=") + ACCEL_PROTO_DIR +
      " accel/ras/v1/ras.proto < " + pb + " > " + decoded + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << ReadFile(decoded);
  const std::string text = ReadFile(decoded);
  EXPECT_TRUE(Contains(text, "name: \"accel0\"")) << text;
  EXPECT_TRUE(Contains(text, "volatile_count: 3")) << text;
}

TEST_F(RasCliTest, GrpcFormatPrintsTheServiceTarget) {
  StartDaemon();
  EXPECT_EQ(RunOk({"ras", "show", "accel0", "--format", "grpc"}).out,
            "unix:" + daemon_.runtime_dir() + "/ras.sock\n");
}

TEST_F(RasCliTest, BinaryFormatsAreNotWrittenToATerminal) {
  StartDaemon();
  RunOptions tty;
  tty.stdout_tty = true;
  ExpectOneLineFailure(Run({"ras", "show", "accel0", "--format", "cbor"}, tty), 2, "-o FILE");
  // The same to a file (a pipe would do as well) is fine, and so is text to a terminal.
  EXPECT_FALSE(RunOk({"ras", "show", "accel0", "--format", "cbor"}).out.empty());
  EXPECT_EQ(Run({"ras", "show", "accel0", "--format", "json"}, tty).status, 0);
}

TEST_F(RasCliTest, BadFormatNamesAndFlagsAreUsageErrors) {
  StartDaemon();
  const CliResult xml = Run({"ras", "show", "accel0", "--format", "xml"});
  ExpectOneLineFailure(xml, 2, "xml");
  EXPECT_TRUE(Contains(xml.err, "accelctl ras show --help")) << xml.err;
  EXPECT_EQ(xml.out, "");
  ExpectOneLineFailure(Run({"ras", "show", "accel0", "--raw"}), 2, "--format");
  ExpectOneLineFailure(
      Run({"ras", "show", "accel0", "--format", "cbor", "--compact", "-o", daemon_.root() + "/x"}),
      2, "thrift");
  ExpectOneLineFailure(Run({"ras", "log", "--severity", "grave"}), 2, "grave");
  ExpectOneLineFailure(Run({"ras", "log", "--since", "yesterday"}), 2, "yesterday");
  ExpectOneLineFailure(Run({"ras"}), 2, "accelctl ras --help");
  // A pass-through query on a device whose firmware has no blobs: one line, not a usage error.
  ExpectOneLineFailure(
      Run({"ras", "show", "accel0", "--format", "cbor", "--raw", "-o", daemon_.root() + "/x"}), 1,
      "ras formats accel0");
}

TEST_F(RasCliTest, LogFiltersBySeverityAndTime) {
  StartDaemon();
  Inject("hbm0", "corrected");
  Inject("sram", "uncorrected", 2);
  EXPECT_EQ(Lines(RunOk({"ras", "log"}).out).size(), 2u);

  const std::vector<std::string> uncorrected =
      Lines(RunOk({"ras", "log", "--severity", "uncorrected"}).out);
  ASSERT_EQ(uncorrected.size(), 1u);
  const std::vector<std::string> w = Words(uncorrected[0]);
  ASSERT_GE(w.size(), 5u) << uncorrected[0];
  EXPECT_EQ(w[1], "accel0");
  EXPECT_EQ(w[2], "sram");
  EXPECT_EQ(w[3], "uncorrected");
  EXPECT_EQ(w[4], "count=2");

  const Json corrected =
      Json::parse(RunOk({"ras", "log", "--severity", "Corrected", "--json"}).out);
  ASSERT_EQ(corrected.size(), 1u);
  EXPECT_EQ(corrected[0]["component"], "hbm0");
  EXPECT_EQ(corrected[0]["severity"], "corrected");

  EXPECT_EQ(Lines(RunOk({"ras", "log", "--since", "1h"}).out).size(), 2u);
  EXPECT_EQ(RunOk({"ras", "log", "--until", "1"}).out, "");  // 1970-01-01T00:00:01Z
  EXPECT_EQ(RunOk({"ras", "log", "--since", "2200-01-01T00:00:00Z"}).out, "");
  EXPECT_EQ(Lines(RunOk({"ras", "log", "--device", "accel0", "--limit", "1"}).out).size(), 1u);
  EXPECT_EQ(RunOk({"ras", "log", "--device", "accel7"}).out, "");
}

TEST_F(RasCliTest, ThresholdsListsTheRuleAndItsCount) {
  StartDaemon({"--threshold", "hbm0:corrected count=10 window=60s"});
  Inject("hbm0", "corrected", 3);
  const CliResult text = RunOk({"ras", "thresholds"});
  EXPECT_TRUE(Contains(text.out, "hbm0:corrected count=10")) << text.out;
  // The action queue's counters, through gRPC from the daemon's worker (acceld's bound: 64).
  EXPECT_TRUE(Contains(text.out, "actions: 0 pending (queue of 64), 0 run, 0 merged, 0 dropped"))
      << text.out;
  Json json = Json::parse(RunOk({"ras", "thresholds", "accel0", "--json"}).out);
  ASSERT_EQ(json.size(), 1u) << json.dump();
  EXPECT_EQ(json[0]["device"], "accel0");
  EXPECT_EQ(json[0]["in_window"], 3);
  EXPECT_EQ(json[0]["crossings"], 0);

  Inject("hbm0", "corrected", 8);  // 11 within the minute: crossed
  json = Json::parse(RunOk({"ras", "thresholds", "accel0", "--json"}).out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["crossings"], 1);
}

TEST_F(RasCliTest, ClearZeroesVolatileCountersButNotAggregateOnes) {
  StartDaemon();
  Inject("hbm0", "corrected", 2);
  Json before = ShowJson()["components"][0]["counters"]["corrected"];
  ASSERT_EQ(before["volatile"], 2);
  ASSERT_EQ(before["aggregate"], 2);
  RunOk({"ras", "clear", "accel0"});
  Json after = ShowJson()["components"][0]["counters"]["corrected"];
  EXPECT_EQ(after["volatile"], 0);
  EXPECT_EQ(after["aggregate"], 2);
}

TEST_F(RasCliTest, InjectAndClearAsNonRootFailWithOneLine) {
  StartDaemon({"--node-group", std::to_string(kTestGroup)});
  RunOptions user;  // as ourselves when not root: then we are the non-root user
  if (geteuid() == 0) {
    user.uid = kNobody;
    user.gid = kNobody;
  }
  const std::vector<std::string> inject = {"ras",  "inject",     "accel0", "--component",
                                           "hbm0", "--severity", "fatal"};
  ExpectOneLineFailure(Run(inject, user), 1, "needs root");
  if (geteuid() == 0) {
    // Admitted to the device by its group, so the call itself is what root-only refuses.
    user.groups = {kTestGroup};
    ExpectOneLineFailure(Run(inject, user), 1, "needs root");
    ExpectOneLineFailure(Run({"ras", "clear", "accel0"}, user), 1, "needs root");
    // ... and reading is allowed to that user.
    EXPECT_EQ(Run({"ras", "show", "accel0"}, user).status, 0);
  }
  EXPECT_EQ(ShowJson()["components"][0]["counters"]["fatal"]["aggregate"], 0);
}

TEST_F(RasCliTest, WatchSeesAnInjectedEvent) {
  StartDaemon();
  CliProcess watch(daemon_.root(), {"ras", "watch", "accel0", "--count", "1", "--timeout", "30"},
                   {});
  // Inject until the watch has one: its subscription is in place at some point after start,
  // and the test cannot see when.
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (!watch.Exited() && std::chrono::steady_clock::now() < deadline) {
    Inject("pcie", "informational");
    std::this_thread::sleep_for(milliseconds(100));
  }
  const CliResult r = watch.Wait(seconds(1));
  EXPECT_EQ(r.status, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const std::vector<std::string> w = Words(lines[0]);
  ASSERT_GE(w.size(), 7u) << lines[0];
  EXPECT_EQ(w[1], "accel0");
  EXPECT_EQ(w[2], "pcie");
  EXPECT_EQ(w[3], "informational");
  EXPECT_EQ(w[4], "count=1");
}

// `accelctl info` names components as the device does (its JSON snapshot from the daemon), not
// from a table of its own: the counters KEY_VAL_32 numbers arrive under the driver's names.
TEST_F(RasCliTest, InfoNamesComponentsAsTheDeviceDoes) {
  StartDaemon();
  Inject("sram", "uncorrected", 2);
  const Json info = Json::parse(RunOk({"info", "accel0", "--json"}).out);
  const Json& counters = info["ras_counters_volatile"];
  ASSERT_TRUE(counters.is_object()) << info.dump();
  std::vector<std::string> names;
  for (const auto& [name, by_severity] : counters.items()) names.push_back(name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"compute", "fw", "hbm0", "pcie", "sram"}));
  EXPECT_EQ(counters["sram"]["uncorrected"], 2);
  EXPECT_EQ(counters["hbm0"]["uncorrected"], 0);
  const CliResult text = RunOk({"info", "accel0"});
  bool row = false;
  for (const std::string& line : Lines(text.out)) {
    const std::vector<std::string> w = Words(line);
    row = row || (w.size() == 6 && w[0] == "sram" && w[3] == "2");
  }
  EXPECT_TRUE(row) << text.out;
}

TEST_F(RasCliTest, WatchEndsAfterItsIdleTimeout) {
  StartDaemon();
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = Run({"ras", "watch", "--timeout", "0.5", "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST_F(RasCliTest, UnknownDevicesAreNamed) {
  StartDaemon();
  for (const char* command : {"show", "formats", "clear", "watch", "thresholds"})
    ExpectOneLineFailure(Run({"ras", command, "accel9"}), 1,
                         "no device accel9; see `accelctl list`");
  ExpectOneLineFailure(Run({"ras", "show", "nvidia0"}), 2, "nvidia0");
}

TEST_F(RasCliTest, UnreachableDaemonAndServiceAreNamed) {
  StartDaemon();
  RunOptions elsewhere;
  const std::string empty_dir = daemon_.root() + "/nothing-here";
  mkdir(empty_dir.c_str(), 0755);
  elsewhere.env = {{"ACCEL_RUNTIME_DIR", empty_dir}};
  ExpectOneLineFailure(Run({"ras", "show", "accel0"}, elsewhere), 1,
                       "cannot reach acceld at " + empty_dir + "/acceld.sock");
  ExpectOneLineFailure(Run({"ras", "log"}, elsewhere), 1, "cannot reach acceld at");

  // acceld answers, its RAS service does not: the line names the service's socket.
  const std::string ras_sock = daemon_.runtime_dir() + "/ras.sock";
  ASSERT_EQ(unlink(ras_sock.c_str()), 0);
  for (const char* command : {"log", "thresholds", "watch"})
    ExpectOneLineFailure(Run({"ras", command}), 1, ras_sock);
}

}  // namespace
