// grpc_service_fixture.h - what the gRPC service tests share: a server on real UNIX sockets
// in a temporary directory over FakeBackend, clients for each socket, and a Watch collector.
#ifndef ACCEL_TESTS_RAS_GRPC_SERVICE_FIXTURE_H_
#define ACCEL_TESTS_RAS_GRPC_SERVICE_FIXTURE_H_

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accel/ras/v1/ras_service.grpc.pb.h"
#include "daemon/ras_grpc_server.h"
#include "grpc_fake_backend.h"
#include "ras/rpc/grpc_errno.h"
#include "rasclient/ras_grpc_client.h"

namespace accel::ras::testing {

using Clock = std::chrono::steady_clock;

inline int ElapsedMs(Clock::time_point since) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// Runs one Watch in a thread and collects what arrives.
class Watcher {
 public:
  Watcher(RasGrpcClient* client, const std::string& device)
      : thread_([this, client, device] {
          Result<void> r = client->Watch(
              device,
              [this](const RasGrpcClient::WatchItem& item) {
                std::lock_guard lock(mu_);
                items_.push_back(item);
                cv_.notify_all();
                return true;
              },
              &stop_, 20);
          std::lock_guard lock(mu_);
          rc_ = r.error();
          done_ = true;
          cv_.notify_all();
        }) {}
  ~Watcher() {
    stop_ = true;
    thread_.join();
  }

  bool WaitForItems(size_t n, int timeout_ms = 5000) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return items_.size() >= n; });
  }
  // The Watch call's result (0 or -errno) once it returned; 1 when it did not in time.
  int WaitDone(int timeout_ms = 5000) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done_; }) ? rc_
                                                                                            : 1;
  }
  void Stop() { stop_ = true; }
  std::vector<RasGrpcClient::WatchItem> items() {
    std::lock_guard lock(mu_);
    return items_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<RasGrpcClient::WatchItem> items_;
  std::atomic<bool> stop_{false};
  bool done_ = false;
  int rc_ = 0;
  std::thread thread_;  // last: starts once the members above exist
};

class RasGrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ras-grpc-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);  // the unprivileged peer must reach the sockets
    opts_.query_socket = dir_ + "/ras.sock";
    opts_.admin_socket = dir_ + "/ras-admin.sock";
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer() {
    Result<std::unique_ptr<RasGrpcServer>> s = RasGrpcServer::Start(&backend_, opts_);
    ASSERT_TRUE(s) << ErrnoText(s.error());
    server_ = std::move(*s);
  }
  std::unique_ptr<RasGrpcClient> ClientFor(const std::string& target) {
    Result<std::unique_ptr<RasGrpcClient>> c = RasGrpcClient::Connect(target);
    EXPECT_TRUE(c) << target << ": " << ErrnoText(c.error());
    return c ? std::move(*c) : nullptr;
  }
  std::unique_ptr<RasGrpcClient> QueryClient() { return ClientFor("unix:" + opts_.query_socket); }
  std::unique_ptr<RasGrpcClient> AdminClient() { return ClientFor("unix:" + opts_.admin_socket); }
  // The generated stub, to look at raw statuses.
  static std::unique_ptr<v1::Ras::Stub> StubFor(const std::string& path) {
    return v1::Ras::NewStub(
        grpc::CreateChannel("unix:" + path, grpc::InsecureChannelCredentials()));
  }

  FakeBackend backend_;
  RasGrpcServer::Options opts_;
  std::unique_ptr<RasGrpcServer> server_;
  std::string dir_;
};

}  // namespace accel::ras::testing

#endif  // ACCEL_TESTS_RAS_GRPC_SERVICE_FIXTURE_H_
