// ras_grpc_server.cc - see ras_grpc_server.h.
#include "daemon/ras_grpc_server.h"

#include <grpcpp/grpcpp.h>

#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

#include "daemon/ras_service_impl.h"
#include "daemon/staged_socket.h"

namespace accel::ras {

struct RasGrpcServer::Impl {
  Impl(ServiceBackend* backend, const Options& o)
      : opts(o),
        watches({o.query_watchers, o.tcp_watchers, o.admin_watchers}),
        peers(o.max_calls_per_peer),
        query_service(backend, RasServiceImpl::Access::kQuery, &watches,
                      WatchLimits{o.watch_queue_len, o.watch_poll_ms}, Listener::kQuery),
        tcp_service(backend, RasServiceImpl::Access::kQuery, &watches,
                    WatchLimits{o.watch_queue_len, o.watch_poll_ms}, Listener::kTcp, &peers),
        admin_service(backend, RasServiceImpl::Access::kAdmin, &watches,
                      WatchLimits{o.watch_queue_len, o.watch_poll_ms}, Listener::kAdmin) {}

  Result<void> StartQueryServer();
  Result<void> StartTcpServer();
  Result<void> StartAdminServer();
  void Shutdown();

  const Options opts;
  WatchRegistry watches;
  PeerLimiter peers;
  RasServiceImpl query_service;
  RasServiceImpl tcp_service;
  RasServiceImpl admin_service;
  std::optional<StagedSocket> query_socket;
  std::optional<StagedSocket> admin_socket;
  std::unique_ptr<grpc::Server> query_server;
  std::unique_ptr<grpc::Server> tcp_server;
  std::unique_ptr<grpc::Server> admin_server;
  int tcp_port = 0;
  std::mutex shutdown_mu;  // Shutdown() may come from any thread, more than once
  bool stopped = false;
};

namespace {

Result<StagedSocket> Stage(const std::string& path, grpc::ServerBuilder* builder) {
  Result<StagedSocket> staged = StagedSocket::Create(path);
  if (staged)
    builder->AddListeningPort("unix:" + staged->bind_path(), grpc::InsecureServerCredentials());
  return staged;
}

}  // namespace

Result<void> RasGrpcServer::Impl::StartQueryServer() {
  if (opts.query_socket.empty()) return {};
  grpc::ServerBuilder builder;
  Result<StagedSocket> staged = Stage(opts.query_socket, &builder);
  if (!staged) return Errno{staged.error()};
  query_socket.emplace(std::move(*staged));
  builder.RegisterService(&query_service);
  query_server = builder.BuildAndStart();
  if (!query_server) return Err(EADDRINUSE);
  return query_socket->Publish(opts.query_mode & 0777, opts.query_gid);
}

Result<void> RasGrpcServer::Impl::StartTcpServer() {
  if (opts.tcp_address.empty()) return {};
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!opts.tls_cert_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        opts.tls_client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = opts.tls_client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({opts.tls_key_pem, opts.tls_cert_pem});
    creds = grpc::SslServerCredentials(ssl);
  } else {
    creds = grpc::InsecureServerCredentials();
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(opts.tcp_address, creds, &tcp_port);
  builder.RegisterService(&tcp_service);
  tcp_server = builder.BuildAndStart();
  if (!tcp_server || tcp_port == 0) return Err(EADDRINUSE);
  return {};
}

Result<void> RasGrpcServer::Impl::StartAdminServer() {
  if (opts.admin_socket.empty()) return {};
  grpc::ServerBuilder builder;
  Result<StagedSocket> staged = Stage(opts.admin_socket, &builder);
  if (!staged) return Errno{staged.error()};
  admin_socket.emplace(std::move(*staged));
  builder.RegisterService(&admin_service);
  admin_server = builder.BuildAndStart();
  if (!admin_server) return Err(EADDRINUSE);
  return admin_socket->Publish(0600, -1);
}

void RasGrpcServer::Impl::Shutdown() {
  std::lock_guard lock(shutdown_mu);
  if (stopped) return;
  stopped = true;
  // New clients find no socket; then no handler stays blocked on its subscription.
  if (query_socket) query_socket->Unpublish();
  if (admin_socket) admin_socket->Unpublish();
  watches.CancelAll();
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::milliseconds(opts.shutdown_ms);
  for (grpc::Server* server : {query_server.get(), tcp_server.get(), admin_server.get()}) {
    if (!server) continue;
    server->Shutdown(deadline);
    server->Wait();
  }
  query_server.reset();
  tcp_server.reset();
  admin_server.reset();
  query_socket.reset();
  admin_socket.reset();
}

Result<std::unique_ptr<RasGrpcServer>> RasGrpcServer::Start(ServiceBackend* backend,
                                                            const Options& opts) {
  if (!backend) return Err(EINVAL);
  if (opts.query_socket.empty() && opts.admin_socket.empty() && opts.tcp_address.empty())
    return Err(EINVAL);
  if (!opts.query_socket.empty() && opts.query_socket == opts.admin_socket) return Err(EINVAL);
  if (opts.tls_cert_pem.empty() != opts.tls_key_pem.empty()) return Err(EINVAL);
  if (!opts.tls_client_ca_pem.empty() && opts.tls_cert_pem.empty()) return Err(EINVAL);
  // Unauthenticated RAS for the network only when asked for in so many words.
  if (!opts.tcp_address.empty() && opts.tls_cert_pem.empty() && !opts.tcp_insecure &&
      !IsLoopbackAddress(opts.tcp_address))
    return Err(EACCES);
  auto impl = std::make_unique<Impl>(backend, opts);
  Result<void> r = impl->StartQueryServer();
  if (r) r = impl->StartTcpServer();
  if (r) r = impl->StartAdminServer();
  if (!r) {
    impl->Shutdown();
    return Errno{r.error()};
  }
  return std::unique_ptr<RasGrpcServer>(new RasGrpcServer(std::move(impl)));
}

RasGrpcServer::RasGrpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RasGrpcServer::~RasGrpcServer() {
  Shutdown();
}

void RasGrpcServer::Shutdown() {
  impl_->Shutdown();
}

int RasGrpcServer::tcp_port() const {
  return impl_->tcp_port;
}

bool RasGrpcServer::IsLoopbackAddress(const std::string& host_port) {
  std::string host = host_port;
  if (!host.empty() && host[0] == '[') {  // [v6]:port
    const size_t close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace accel::ras
