// grpc_socket_test.cc - the gRPC RAS service's sockets: modes and group, arrival by rename,
// stale and foreign files, TCP, what an unprivileged process may reach (when run as root),
// and a reply captured as raw bytes and decoded by protoc.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "grpc_service_fixture.h"

namespace accel::ras::testing {
namespace {

using ::testing::HasSubstr;
using RasGrpcSocketTest = RasGrpcServiceTest;

constexpr char kPeerEnv[] = "ACCEL_RAS_GRPC_PEER";
constexpr uid_t kNobody = 65534;  // nobody:nogroup on Debian

// ---- Sockets -------------------------------------------------------------------------------

TEST_F(RasGrpcSocketTest, SocketModesAndGroup) {
  const gid_t group = geteuid() == 0 ? kNobody : getgid();
  opts_.query_gid = static_cast<int>(group);
  // Watch the directory: each socket must appear by rename, already in its final mode.
  const int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  ASSERT_GE(in, 0);
  ASSERT_GE(inotify_add_watch(in, dir_.c_str(), IN_CREATE | IN_MOVED_TO), 0);
  const mode_t old_umask = umask(0);  // bind(2) would make the sockets 0777
  StartServer();
  umask(old_umask);
  ASSERT_TRUE(server_);

  struct stat st {};
  ASSERT_EQ(lstat(opts_.admin_socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, geteuid());
  ASSERT_EQ(lstat(opts_.query_socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(st.st_gid, group);

  std::map<std::string, uint32_t> seen;  // name -> inotify mask bits
  alignas(inotify_event) char buf[4096];
  for (ssize_t n; (n = read(in, buf, sizeof(buf))) > 0;) {
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      if (ev->len) seen[ev->name] |= ev->mask;
      p += sizeof(inotify_event) + ev->len;
    }
  }
  close(in);
  for (const char* name : {"ras.sock", "ras-admin.sock"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(seen[name], static_cast<uint32_t>(IN_MOVED_TO));
  }
  // The staging directories are gone.
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir_))
    left.push_back(entry.path().filename());
  EXPECT_THAT(left, ::testing::UnorderedElementsAre("ras.sock", "ras-admin.sock"));
}

// A socket file nobody listens on, as a crashed daemon leaves it.
void MakeStaleSocket(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);
}

TEST_F(RasGrpcSocketTest, ReplacesStaleSocketsOnly) {
  ASSERT_NO_FATAL_FAILURE(MakeStaleSocket(opts_.query_socket));
  EXPECT_EQ(RasGrpcClient::Connect("unix:" + opts_.query_socket).error(), -ECONNREFUSED);
  { std::ofstream(opts_.admin_socket) << "not a socket"; }
  EXPECT_EQ(RasGrpcServer::Start(&backend_, opts_).error(), -EEXIST);
  std::ifstream kept(opts_.admin_socket);
  std::string text;
  std::getline(kept, text);
  EXPECT_EQ(text, "not a socket");

  ASSERT_EQ(unlink(opts_.admin_socket.c_str()), 0);
  ASSERT_NO_FATAL_FAILURE(StartServer());  // the stale query socket is replaced
  auto client = QueryClient();
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->Query("accel0"));

  // A second server on the same paths finds them in use and leaves them alone.
  EXPECT_EQ(RasGrpcServer::Start(&backend_, opts_).error(), -EADDRINUSE);
  EXPECT_TRUE(client->Query("accel0"));
  EXPECT_TRUE(QueryClient());
}

TEST_F(RasGrpcSocketTest, StartRejectsBadOptions) {
  EXPECT_EQ(RasGrpcServer::Start(nullptr, opts_).error(), -EINVAL);
  RasGrpcServer::Options none;
  EXPECT_EQ(RasGrpcServer::Start(&backend_, none).error(), -EINVAL);
  RasGrpcServer::Options same = opts_;
  same.admin_socket = same.query_socket;
  EXPECT_EQ(RasGrpcServer::Start(&backend_, same).error(), -EINVAL);
  RasGrpcServer::Options too_long = opts_;
  too_long.admin_socket = dir_ + "/" + std::string(100, 'a');
  EXPECT_EQ(RasGrpcServer::Start(&backend_, too_long).error(), -ENAMETOOLONG);
  RasGrpcServer::Options no_dir = opts_;
  no_dir.admin_socket = dir_ + "/missing/ras-admin.sock";
  EXPECT_EQ(RasGrpcServer::Start(&backend_, no_dir).error(), -ENOENT);
  // Nothing was left behind by the failed starts.
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(RasGrpcSocketTest, ClientConnectErrors) {
  EXPECT_EQ(RasGrpcClient::Connect("unix:" + dir_ + "/none.sock").error(), -ENOENT);
  EXPECT_EQ(RasGrpcClient::Connect("unix://" + dir_ + "/none.sock").error(), -ENOENT);
  // Port 1 on loopback: nothing listens there.
  EXPECT_EQ(RasGrpcClient::Connect("127.0.0.1:1", 5000).error(), -ECONNREFUSED);
}

TEST_F(RasGrpcSocketTest, TcpServesQueryCallsOnly) {
  opts_.tcp_address = "127.0.0.1:0";
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ASSERT_GT(server_->tcp_port(), 0);
  auto client = ClientFor("127.0.0.1:" + std::to_string(server_->tcp_port()));
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->Query("accel0"));
  EXPECT_TRUE(client->Thresholds(""));
  EXPECT_TRUE(client->Log(LogQuery{}));
  EXPECT_EQ(client->Clear("accel0").error(), -EPERM);
  InjectRequest in;
  in.component = "hbm0";
  EXPECT_EQ(client->Inject("accel0", in).error(), -EPERM);
}

// ---- TCP security (issue 12 A7) -------------------------------------------------------------

TEST(RasGrpcTcpAddress, LoopbackIsTheOnlyPlainTcpByDefault) {
  for (const char* yes : {"127.0.0.1:50051", "127.1.2.3:0", "localhost:9", "[::1]:50051"})
    EXPECT_TRUE(RasGrpcServer::IsLoopbackAddress(yes)) << yes;
  for (const char* no : {"0.0.0.0:50051", "10.0.0.5:1", "[::]:1", "example.com:1", "[::1"})
    EXPECT_FALSE(RasGrpcServer::IsLoopbackAddress(no)) << no;
}

// Before, --grpc-tcp 0.0.0.0:PORT served RAS to the whole network without a word.
TEST_F(RasGrpcSocketTest, PlainTcpOnANetworkAddressNeedsInsecureInSoManyWords) {
  opts_.tcp_address = "0.0.0.0:0";
  EXPECT_EQ(RasGrpcServer::Start(&backend_, opts_).error(), -EACCES);
  opts_.tcp_insecure = true;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_GT(server_->tcp_port(), 0);
  server_.reset();
  opts_.tcp_insecure = false;
  opts_.tls_cert_pem = "x";  // half a key pair
  EXPECT_EQ(RasGrpcServer::Start(&backend_, opts_).error(), -EINVAL);
}

// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, made by the
// openssl CLI in a temporary directory.
class TlsFiles {
 public:
  explicit TlsFiles(const std::string& dir) : dir_(dir) {
    const std::string d = "'" + dir + "'";
    const std::string cmd =
        "cd " + d +
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout ca.key -out ca.pem -days 2 -subj /CN=accel-test-ca 2>/dev/null"
        " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext"
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null"
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile san.ext 2>/dev/null"
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout client.key -out client.csr -subj /CN=accel-test-client 2>/dev/null"
        " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out client.pem -days 2 2>/dev/null"
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-keyout other.key -out other.pem -days 2 -subj /CN=someone-else 2>/dev/null";
    ok_ = std::system(cmd.c_str()) == 0;
  }
  bool ok() const { return ok_; }
  std::string Read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST_F(RasGrpcSocketTest, TlsServesOnlyClientsThatSpeakIt) {
  TlsFiles tls(dir_);
  ASSERT_TRUE(tls.ok()) << "openssl could not make the test certificates";
  opts_.tcp_address = "127.0.0.1:0";
  opts_.tls_cert_pem = tls.Read("server.pem");
  opts_.tls_key_pem = tls.Read("server.key");
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string target = "127.0.0.1:" + std::to_string(server_->tcp_port());
  // A plain client gets nowhere.
  Result<std::unique_ptr<RasGrpcClient>> plain = RasGrpcClient::Connect(target, 2000);
  if (plain) {
    EXPECT_FALSE((*plain)->Query("accel0").ok());
  }
  // A client that trusts the CA is served; one that trusts another CA is not.
  RasGrpcClient::Tls trust{tls.Read("ca.pem"), "", "", "localhost"};
  Result<std::unique_ptr<RasGrpcClient>> c = RasGrpcClient::Connect(target, 5000, trust);
  ASSERT_TRUE(c) << ErrnoText(c.error());
  EXPECT_TRUE((*c)->Query("accel0"));
  EXPECT_EQ((*c)->Clear("accel0").error(), -EPERM);  // still the query calls only
  RasGrpcClient::Tls wrong{tls.Read("other.pem"), "", "", "localhost"};
  Result<std::unique_ptr<RasGrpcClient>> w = RasGrpcClient::Connect(target, 2000, wrong);
  if (w) {
    EXPECT_FALSE((*w)->Query("accel0").ok());
  }
}

TEST_F(RasGrpcSocketTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  TlsFiles tls(dir_);
  ASSERT_TRUE(tls.ok()) << "openssl could not make the test certificates";
  opts_.tcp_address = "127.0.0.1:0";
  opts_.tls_cert_pem = tls.Read("server.pem");
  opts_.tls_key_pem = tls.Read("server.key");
  opts_.tls_client_ca_pem = tls.Read("ca.pem");
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string target = "127.0.0.1:" + std::to_string(server_->tcp_port());
  RasGrpcClient::Tls anonymous{tls.Read("ca.pem"), "", "", "localhost"};
  Result<std::unique_ptr<RasGrpcClient>> a = RasGrpcClient::Connect(target, 2000, anonymous);
  if (a) {
    EXPECT_FALSE((*a)->Query("accel0").ok());
  }
  RasGrpcClient::Tls stranger{tls.Read("ca.pem"), tls.Read("other.pem"), tls.Read("other.key"),
                              "localhost"};
  Result<std::unique_ptr<RasGrpcClient>> s = RasGrpcClient::Connect(target, 2000, stranger);
  if (s) {
    EXPECT_FALSE((*s)->Query("accel0").ok());
  }
  RasGrpcClient::Tls member{tls.Read("ca.pem"), tls.Read("client.pem"), tls.Read("client.key"),
                            "localhost"};
  Result<std::unique_ptr<RasGrpcClient>> m = RasGrpcClient::Connect(target, 5000, member);
  ASSERT_TRUE(m) << ErrnoText(m.error());
  EXPECT_TRUE((*m)->Query("accel0"));
}

// A network peer has a bounded number of calls in progress, whatever connections it opens;
// the UNIX sockets are not affected.
TEST_F(RasGrpcSocketTest, CallsInProgressAreBoundedPerTcpPeer) {
  opts_.tcp_address = "127.0.0.1:0";
  opts_.max_calls_per_peer = 1;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string target = "127.0.0.1:" + std::to_string(server_->tcp_port());
  auto first = ClientFor(target);
  auto second = ClientFor(target);
  ASSERT_TRUE(first && second);
  {
    Watcher busy(first.get(), "");  // a call that stays in progress
    ASSERT_TRUE(backend_.WaitForSubscribers(1, 5000));
    EXPECT_EQ(second->Query("accel0").error(), -EMFILE);
    auto local = QueryClient();
    ASSERT_TRUE(local);
    EXPECT_TRUE(local->Query("accel0"));
  }
  ASSERT_TRUE(backend_.WaitForSubscribers(0, 5000));
  // The peer's slot is given back when the Watch call ends, a moment after its subscription
  // (seen flaky under load when asked once): the call is admitted again within a bound.
  bool admitted = false;
  for (int i = 0; i < 500 && !admitted; ++i) {
    admitted = second->Query("accel0").ok();
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(admitted);
}

// ---- An independent reader: protoc decodes the raw bytes of a reply ------------------------

// One unary call through the generic stub: no generated code on either side of the bytes.
grpc::Status RawCall(const std::string& socket, const std::string& method,
                     const std::string& request, std::string* reply_bytes,
                     grpc::ClientContext* ctx) {
  grpc::GenericStub stub(grpc::CreateChannel("unix:" + socket, grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);
  auto call = stub.PrepareUnaryCall(ctx, method, req, &cq);
  call->StartCall();
  grpc::ByteBuffer reply;
  grpc::Status status;
  call->Finish(&reply, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  EXPECT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  if (status.ok()) {
    EXPECT_TRUE(reply.Dump(&slices).ok());
  }
  for (const grpc::Slice& s : slices)
    reply_bytes->append(reinterpret_cast<const char*>(s.begin()), s.size());
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_F(RasGrpcSocketTest, ProtocDecodesACapturedReply) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // QueryRequest{device: "accel0"} by hand: field 1, wire type 2, length 6.
  const std::string request = std::string("\x0a\x06", 2) + "accel0";
  std::string bytes;
  grpc::ClientContext ctx;
  grpc::Status st = RawCall(opts_.query_socket, "/accel.ras.v1.Ras/Query", request, &bytes, &ctx);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string file = dir_ + "/reply.bin";
  std::ofstream(file, std::ios::binary) << bytes;
  const std::string text =
      RunCommand(std::string(ACCEL_TEST_PROTOC) + " --decode=accel.ras.v1.QueryReply" +
                 " --proto_path=" + ACCEL_TEST_PROTO_DIR + " accel/ras/v1/ras_service.proto < " +
                 file + " 2>&1");
  EXPECT_THAT(text, HasSubstr("name: \"accel0\""));
  EXPECT_THAT(text, HasSubstr("serial: \"FAKE-0\""));
  EXPECT_THAT(text, HasSubstr("name: \"hbm0\""));
  EXPECT_THAT(text, HasSubstr("message: \"event 0\""));
  EXPECT_THAT(text, HasSubstr("events_dropped: 7"));
  size_t events = 0;
  for (size_t pos = 0; (pos = text.find("\n  events {", pos)) != std::string::npos; ++pos) ++events;
  EXPECT_EQ(events, 10u) << text;

  // Clear on the query socket, raw: PERMISSION_DENIED with accel-errno 1 (EPERM).
  grpc::ClientContext clear_ctx;
  std::string none;
  st = RawCall(opts_.query_socket, "/accel.ras.v1.Ras/Clear", request, &none, &clear_ctx);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto it = clear_ctx.GetServerTrailingMetadata().find(kErrnoMetadataKey);
  ASSERT_NE(it, clear_ctx.GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), std::to_string(EPERM));
}

// ---- An unprivileged process ---------------------------------------------------------------

// The peer's side, in a fresh process image (gRPC does not survive fork): connect to each
// socket of the ';'-separated list and Query accel0; one line "<path> <0 or -errno>" each.
int RunPeer(const std::string& spec) {
  std::stringstream paths(spec);
  for (std::string path; std::getline(paths, path, ';');) {
    int rc = 0;
    Result<std::unique_ptr<RasGrpcClient>> c = RasGrpcClient::Connect("unix:" + path, 5000);
    if (!c) {
      rc = c.error();
    } else if (Result<Snapshot> s = (*c)->Query("accel0"); !s) {
      rc = s.error();
    }
    std::printf("%s %d\n", path.c_str(), rc);
  }
  std::fflush(stdout);
  return 0;
}

// Runs this test binary again as uid/gid 65534 (with supplementary group `extra_gid` when it
// is >= 0) and returns what its RunPeer found for each path.
std::map<std::string, int> RunAsNobody(const std::vector<std::string>& paths, int extra_gid) {
  std::string env = std::string(kPeerEnv) + "=";
  for (const std::string& p : paths) env += p + ";";
  char arg0[] = "ras_grpc_test";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {env.data(), nullptr};
  const gid_t groups[1] = {static_cast<gid_t>(extra_gid)};
  const int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int out[2];
  if (exe < 0 || pipe2(out, O_CLOEXEC) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls until exec: the parent has threads
    dup2(out[1], STDOUT_FILENO);
    if (setgroups(extra_gid >= 0 ? 1 : 0, groups) != 0 || setgid(kNobody) != 0 ||
        setuid(kNobody) != 0)
      _exit(120);
    fexecve(exe, argv, envp);
    _exit(121);
  }
  close(out[1]);
  close(exe);
  std::string text;
  char buf[1024];
  for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;) text.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "peer status " << status;
  std::map<std::string, int> results;
  std::stringstream lines(text);
  std::string path;
  for (int rc; lines >> path >> rc;) results[path] = rc;
  EXPECT_EQ(results.size(), paths.size()) << "peer said: " << text;
  return results;
}

class RasGrpcPeerTest : public RasGrpcServiceTest {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run a process as uid 65534";
    RasGrpcServiceTest::SetUp();
  }
};

TEST_F(RasGrpcPeerTest, GroupMemberQueriesButCannotReachAdmin) {
  opts_.query_gid = kNobody;  // nogroup: the peer's own group
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::map<std::string, int> r = RunAsNobody({opts_.query_socket, opts_.admin_socket}, -1);
  EXPECT_EQ(r[opts_.query_socket], 0);
  EXPECT_EQ(r[opts_.admin_socket], -EACCES);
}

TEST_F(RasGrpcPeerTest, OutsiderNeedsTheGroup) {
  constexpr int kRasGroup = 4242;
  opts_.query_gid = kRasGroup;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::map<std::string, int> r = RunAsNobody({opts_.query_socket, opts_.admin_socket}, -1);
  EXPECT_EQ(r[opts_.query_socket], -EACCES);
  EXPECT_EQ(r[opts_.admin_socket], -EACCES);
  r = RunAsNobody({opts_.query_socket, opts_.admin_socket}, kRasGroup);  // now a member
  EXPECT_EQ(r[opts_.query_socket], 0);
  EXPECT_EQ(r[opts_.admin_socket], -EACCES);
}

TEST_F(RasGrpcPeerTest, WorldModeLetsAnyoneQuery) {
  opts_.query_mode = 0666;
  ASSERT_NO_FATAL_FAILURE(StartServer());
  struct stat st {};
  ASSERT_EQ(lstat(opts_.query_socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  std::map<std::string, int> r = RunAsNobody({opts_.query_socket, opts_.admin_socket}, -1);
  EXPECT_EQ(r[opts_.query_socket], 0);
  EXPECT_EQ(r[opts_.admin_socket], -EACCES);
}

}  // namespace
}  // namespace accel::ras::testing

// gtest's main, except in the peer process RunAsNobody starts (this binary, run again).
int main(int argc, char** argv) {
  if (const char* spec = std::getenv(accel::ras::testing::kPeerEnv))
    return accel::ras::testing::RunPeer(spec);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
