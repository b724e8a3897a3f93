// ras_service_impl.h - the handlers of accel.ras.v1.Ras over a ServiceBackend (internal to
// RasGrpcServer).
//
// One RasServiceImpl per endpoint kind: kQuery refuses Clear and Inject, kAdmin serves all.
// Watch handlers of both register their subscriptions in one WatchRegistry, which the server
// cancels at shutdown; a handler then ends its stream with UNAVAILABLE ("server shutting
// down", accel-errno ESHUTDOWN).
#ifndef ACCEL_DAEMON_RAS_SERVICE_IMPL_H_
#define ACCEL_DAEMON_RAS_SERVICE_IMPL_H_

#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "accel/ras/v1/ras_service.grpc.pb.h"
#include "daemon/ras_backend.h"

namespace accel::ras {

inline constexpr uint32_t kDefaultLogLimit = 1000;
inline constexpr uint32_t kMaxLogLimit = 10000;  // ~44 MB of events with the largest blobs

// The live subscriptions of every Watch call.
class WatchRegistry {
 public:
  explicit WatchRegistry(uint32_t max_watchers) : max_watchers_(max_watchers) {}
  // -ESHUTDOWN once CancelAll ran, -EMFILE past max_watchers.
  int Add(EventSubscription* sub);
  void Remove(EventSubscription* sub);
  // Cancels every subscription, now and any added later.
  void CancelAll();
  bool shutting_down() const;

 private:
  const uint32_t max_watchers_;
  mutable std::mutex mu_;
  std::unordered_set<EventSubscription*> subs_;
  bool shutting_down_ = false;
};

struct WatchLimits {
  size_t queue_len = 256;
  int poll_ms = 100;
};

class RasServiceImpl final : public v1::Ras::Service {
 public:
  enum class Access { kQuery, kAdmin };

  RasServiceImpl(ServiceBackend* backend, Access access, WatchRegistry* watches, WatchLimits limits)
      : backend_(backend), access_(access), watches_(watches), limits_(limits) {}

  grpc::Status Devices(grpc::ServerContext* ctx, const v1::DevicesRequest* req,
                       v1::DevicesReply* reply) override;
  grpc::Status Query(grpc::ServerContext* ctx, const v1::QueryRequest* req,
                     v1::QueryReply* reply) override;
  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                     grpc::ServerWriter<v1::WatchEvent>* writer) override;
  grpc::Status Clear(grpc::ServerContext* ctx, const v1::ClearRequest* req,
                     v1::ClearReply* reply) override;
  grpc::Status Inject(grpc::ServerContext* ctx, const v1::InjectRequest* req,
                      v1::InjectReply* reply) override;
  grpc::Status Log(grpc::ServerContext* ctx, const v1::LogRequest* req,
                   v1::LogReply* reply) override;
  grpc::Status Thresholds(grpc::ServerContext* ctx, const v1::ThresholdsRequest* req,
                          v1::ThresholdsReply* reply) override;

 private:
  bool KnownDevice(const std::string& device);
  grpc::Status StreamEvents(grpc::ServerContext* ctx, EventSubscription* sub,
                            grpc::ServerWriter<v1::WatchEvent>* writer);

  ServiceBackend* const backend_;
  const Access access_;
  WatchRegistry* const watches_;
  const WatchLimits limits_;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_RAS_SERVICE_IMPL_H_
