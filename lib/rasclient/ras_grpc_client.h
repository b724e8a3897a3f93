// ras_grpc_client.h - a synchronous client of accel.ras.v1.Ras, for accelctl and tests.
//
// Every call returns accel::Result with the server's errno: the `accel-errno` trailer when
// the server sent one, else the errno for the gRPC code (grpc_errno.h), so a caller handles
// -ENODEV or -EPERM the same whether it talked to the ioctl interface or to this service.
//
//   auto client = RasGrpcClient::Connect("unix:/run/accel/ras.sock");
//   if (!client) return client.error();        // -ENOENT, -EACCES, -ECONNREFUSED, ...
//   Result<Snapshot> s = (*client)->Query("accel0");
//
//   std::atomic<bool> stop{false};              // set from elsewhere to end the watch
//   (*client)->Watch("", [](const RasGrpcClient::WatchItem& item) {
//     if (item.lost) printf("%lu events lost\n", item.lost);
//     if (item.record) print(*item.record);
//     return true;                              // false ends the watch
//   }, &stop);
#ifndef ACCEL_RASCLIENT_RAS_GRPC_CLIENT_H_
#define ACCEL_RASCLIENT_RAS_GRPC_CLIENT_H_

#include <accel/result.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ras/model.h"
#include "ras/service_records.h"

namespace accel::ras {

class RasGrpcClient {
 public:
  // One item of a Watch stream.
  struct WatchItem {
    std::optional<EventRecord> record;  // nullopt: the item only reports `lost`
    uint64_t lost = 0;                  // events missed just before this one
  };
  // Returns false to end the watch.
  using WatchCallback = std::function<bool(const WatchItem&)>;

  struct Encoded {
    std::vector<uint8_t> payload;
    uint32_t schema = 0;
  };

  // target: "unix:/run/accel/ras.sock" (also unix:///path), or "host:port" for TCP. For a
  // UNIX socket the path is tried with connect(2) first, so that a missing socket or one the
  // caller may not open is -ENOENT or -EACCES rather than a later -ECONNREFUSED. Then waits
  // up to timeout_ms for the channel: -ECONNREFUSED when it fails, -ETIMEDOUT.
  static Result<std::unique_ptr<RasGrpcClient>> Connect(const std::string& target,
                                                        int timeout_ms = 5000);
  // TLS to acceld's TCP listener (--grpc-tls-cert): the CAs the server's certificate must
  // chain to, and for mTLS this client's certificate and key (all PEM text; empty: none).
  // `server_name` overrides the name checked against the certificate (empty: the target's).
  struct Tls {
    std::string root_certs_pem;
    std::string cert_chain_pem;
    std::string private_key_pem;
    std::string server_name;
  };
  static Result<std::unique_ptr<RasGrpcClient>> Connect(const std::string& target, int timeout_ms,
                                                        const Tls& tls);
  ~RasGrpcClient();
  RasGrpcClient(const RasGrpcClient&) = delete;
  RasGrpcClient& operator=(const RasGrpcClient&) = delete;

  // Deadline of each unary call (Watch has none).
  void set_call_timeout_ms(int ms) { call_timeout_ms_ = ms; }

  Result<std::vector<DeviceIdentity>> Devices();
  // The structured snapshot.
  Result<Snapshot> Query(const std::string& device);
  // What ACCEL_IOCTL_RAS_QUERY would return for `format` (ACCEL_RAS_FMT_*).
  Result<Encoded> QueryEncoded(const std::string& device, uint32_t format, bool raw = false);
  // Calls on_event for each item until it returns false or *stop turns true (both: ok), or
  // the stream ends (its error: -ESHUTDOWN when the server stopped). `stop` is looked at
  // every poll_ms; it may be nullptr.
  Result<void> Watch(const std::string& device, const WatchCallback& on_event,
                     const std::atomic<bool>* stop, int poll_ms = 100);
  Result<void> Clear(const std::string& device);
  // The injected event's seqno.
  Result<uint64_t> Inject(const std::string& device, const InjectRequest& req);
  Result<std::vector<EventRecord>> Log(const LogQuery& q);
  // `actions`, when given, gets the daemon's threshold action queue counters.
  Result<std::vector<ThresholdStatus>> Thresholds(const std::string& device,
                                                  ActionQueueStats* actions = nullptr);

 private:
  struct Impl;
  static Result<std::unique_ptr<RasGrpcClient>> Open(const std::string& target, int timeout_ms,
                                                     const Tls* tls);
  explicit RasGrpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int call_timeout_ms_ = 30000;
};

}  // namespace accel::ras

#endif  // ACCEL_RASCLIENT_RAS_GRPC_CLIENT_H_
