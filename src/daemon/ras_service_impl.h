// ras_service_impl.h - the handlers of accel.ras.v1.Ras over a ServiceBackend (internal to
// RasGrpcServer).
//
// One RasServiceImpl per endpoint kind: kQuery refuses Clear and Inject, kAdmin serves all.
// Watch handlers of both register their subscriptions in one WatchRegistry, which the server
// cancels at shutdown; a handler then ends its stream with UNAVAILABLE ("server shutting
// down", accel-errno ESHUTDOWN).
#ifndef ACCEL_DAEMON_RAS_SERVICE_IMPL_H_
#define ACCEL_DAEMON_RAS_SERVICE_IMPL_H_

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "accel/ras/v1/ras_service.grpc.pb.h"
#include "daemon/ras_backend.h"

namespace accel::ras {

inline constexpr uint32_t kDefaultLogLimit = 1000;
inline constexpr uint32_t kMaxLogLimit = 10000;  // ~44 MB of events with the largest blobs

// Where a call arrived: each listener has Watch slots of its own, so that a network peer
// cannot take the local watchers' slots, nor local users the admin socket's.
enum class Listener { kQuery, kTcp, kAdmin };
inline constexpr size_t kListenerCount = 3;

// The live subscriptions of every Watch call.
class WatchRegistry {
 public:
  // Watch slots per listener, indexed by Listener.
  explicit WatchRegistry(std::array<uint32_t, kListenerCount> slots) : slots_(slots) {}
  // -ESHUTDOWN once CancelAll ran, -EMFILE past the listener's slots.
  int Add(EventSubscription* sub, Listener listener);
  void Remove(EventSubscription* sub);
  // Cancels every subscription, now and any added later.
  void CancelAll();
  bool shutting_down() const;

 private:
  const std::array<uint32_t, kListenerCount> slots_;
  mutable std::mutex mu_;
  std::unordered_map<EventSubscription*, Listener> subs_;
  std::array<uint32_t, kListenerCount> used_{};
  bool shutting_down_ = false;
};

// Calls in progress per peer address (the TCP listener's): a peer past max_calls gets
// RESOURCE_EXHAUSTED, whatever number of connections it opens.
class PeerLimiter {
 public:
  explicit PeerLimiter(uint32_t max_calls) : max_calls_(max_calls) {}
  // The address without its port: "ipv4:10.0.0.5:41234" -> "ipv4:10.0.0.5".
  static std::string PeerAddress(const std::string& grpc_peer);
  bool Acquire(const std::string& peer);
  void Release(const std::string& peer);

  // A call's slot for as long as it runs; ok() false when the peer has none left.
  class Slot {
   public:
    Slot(PeerLimiter* limiter, const grpc::ServerContext* ctx);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    bool ok() const { return ok_; }

   private:
    PeerLimiter* const limiter_;
    std::string peer_;
    bool ok_ = true;
  };

 private:
  const uint32_t max_calls_;
  std::mutex mu_;
  std::unordered_map<std::string, uint32_t> calls_;
};

struct WatchLimits {
  size_t queue_len = 256;
  int poll_ms = 100;
};

class RasServiceImpl final : public v1::Ras::Service {
 public:
  enum class Access { kQuery, kAdmin };

  // `peers`: the per-peer bound of a network listener (null: none).
  RasServiceImpl(ServiceBackend* backend, Access access, WatchRegistry* watches, WatchLimits limits,
                 Listener listener, PeerLimiter* peers = nullptr)
      : backend_(backend),
        access_(access),
        watches_(watches),
        limits_(limits),
        listener_(listener),
        peers_(peers) {}

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
  const Listener listener_;
  PeerLimiter* const peers_;
};

}  // namespace accel::ras

#endif  // ACCEL_DAEMON_RAS_SERVICE_IMPL_H_
