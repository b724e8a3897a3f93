// ras_grpc_server.h - acceld's gRPC RAS service (accel.ras.v1.Ras) over a ServiceBackend.
//
// DOC: sockets and who may call what
//
// The service listens on up to three endpoints, each a grpc::Server of its own so that what an
// endpoint allows is fixed by where the call arrived, not by anything the caller sends:
//   query socket  (Options::query_socket, mode query_mode, group query_gid): Devices, Query,
//                 Watch, Log, Thresholds; Clear and Inject answer PERMISSION_DENIED.
//   admin socket  (Options::admin_socket, mode 0600): every call.
//   TCP           (Options::tcp_address, off by default): as the query socket, a server of
//                 its own. With tls_cert_pem/tls_key_pem it speaks TLS (gRPC's SSL
//                 credentials); with tls_client_ca_pem too, it requires and verifies a client
//                 certificate (mTLS). Without TLS it listens only on a loopback address unless
//                 tcp_insecure says otherwise (acceld's --grpc-tcp-insecure): Start() is -EACCES.
//                 Each peer address has at most max_calls_per_peer calls in progress.
// The file system is the access check: whoever can connect(2) to a socket may make its calls.
// Watch slots are per listener (query_watchers, tcp_watchers, admin_watchers), so a network
// peer cannot use up the local ones, nor local users the admin socket's.
// Both sockets get their mode (and group) before they appear at their path (StagedSocket), so
// there is no window in which a socket is wider than configured.
//
// DOC: lifetime
//
// Start() binds, publishes the sockets and returns a running server; the backend must outlive
// it. Shutdown() (also run by the destructor) removes the socket paths, cancels every Watch
// subscription so that no handler is left blocked, and stops the servers; calls still running
// after Options::shutdown_ms are cancelled, so Shutdown() returns within about that long.
//
//   RasGrpcServer::Options opts;
//   opts.query_socket = runtime_dir + "/ras.sock";
//   opts.admin_socket = runtime_dir + "/ras-admin.sock";
//   auto server = RasGrpcServer::Start(&backend, opts);
//   if (!server) return server.error();
//   ...
//   (*server)->Shutdown();
#ifndef ACCEL_DAEMON_RAS_GRPC_SERVER_H_
#define ACCEL_DAEMON_RAS_GRPC_SERVER_H_

#include <accel/result.h>

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/ras_backend.h"

namespace accel::ras {

class RasGrpcServer {
 public:
  struct Options {
    std::string query_socket;  // e.g. $RUNTIME/ras.sock; empty: none
    uint32_t query_mode = 0660;
    int query_gid = -1;                // -1: keep the process's group
    std::string admin_socket;          // e.g. $RUNTIME/ras-admin.sock (always 0600); empty: none
    std::string tcp_address;           // "127.0.0.1:50051" (port 0 picks one); empty: none
    std::string tls_cert_pem;          // the TCP listener's certificate chain (PEM); empty: no TLS
    std::string tls_key_pem;           // its private key (PEM)
    std::string tls_client_ca_pem;     // CAs a client certificate must chain to; empty: no mTLS
    bool tcp_insecure = false;         // plain TCP on a non-loopback address
    uint32_t max_calls_per_peer = 16;  // TCP: calls in progress per peer address
    size_t watch_queue_len = 256;      // each watcher's bound; overflow is reported as `lost`
    // Watch slots per listener; past them Watch answers RESOURCE_EXHAUSTED.
    uint32_t query_watchers = 64;
    uint32_t tcp_watchers = 16;
    uint32_t admin_watchers = 8;
    int watch_poll_ms = 100;  // how often a Watch handler looks for a cancelled call
    int shutdown_ms = 2000;   // then calls still running are cancelled
  };

  // -EINVAL without a backend or without any endpoint, or with half of a TLS key pair;
  // -EACCES for plain TCP on a non-loopback address without tcp_insecure; StagedSocket's
  // errors for a socket path; -EADDRINUSE when gRPC cannot listen on an endpoint.
  static Result<std::unique_ptr<RasGrpcServer>> Start(ServiceBackend* backend, const Options& opts);
  ~RasGrpcServer();
  RasGrpcServer(const RasGrpcServer&) = delete;
  RasGrpcServer& operator=(const RasGrpcServer&) = delete;

  // Idempotent.
  void Shutdown();
  // The TCP port listened on (useful with port 0); 0 without TCP.
  int tcp_port() const;
  // "127.0.0.1:50051", "[::1]:1", "localhost:1": true; "0.0.0.0:1", "10.0.0.5:1": false.
  static bool IsLoopbackAddress(const std::string& host_port);

 private:
  struct Impl;
  explicit RasGrpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_RAS_GRPC_SERVER_H_
