// ras_service_impl.cc - see ras_service_impl.h.
#include "daemon/ras_service_impl.h"

#include <cerrno>
#include <string>

#include "ras/codecs/protobuf/ras_proto_convert.h"
#include "ras/rpc/grpc_errno.h"
#include "ras/rpc/service_convert.h"

namespace accel::ras {
namespace {

// "Query(accel0)" for error messages; a hostile name does not make them long.
std::string CallName(const char* call, const std::string& device) {
  constexpr size_t kShown = 64;
  std::string s = call;
  s += '(';
  s += device.size() > kShown ? device.substr(0, kShown) + "..." : device;
  s += ')';
  return s;
}

grpc::Status AdminOnly(grpc::ServerContext* ctx, const char* call) {
  return ErrnoStatus(ctx, -EPERM, call, "not allowed on this socket; use the admin socket");
}

// A network peer with every one of its call slots in use.
grpc::Status PeerBusy(grpc::ServerContext* ctx) {
  return ErrnoStatus(ctx, -EMFILE, "call", "too many calls in progress from this peer");
}

}  // namespace

int WatchRegistry::Add(EventSubscription* sub, Listener listener) {
  const size_t i = static_cast<size_t>(listener);
  std::lock_guard lock(mu_);
  if (shutting_down_) return -ESHUTDOWN;
  if (used_[i] >= slots_[i]) return -EMFILE;
  subs_.emplace(sub, listener);
  ++used_[i];
  return 0;
}

void WatchRegistry::Remove(EventSubscription* sub) {
  std::lock_guard lock(mu_);
  auto it = subs_.find(sub);
  if (it == subs_.end()) return;
  --used_[static_cast<size_t>(it->second)];
  subs_.erase(it);
}

void WatchRegistry::CancelAll() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  for (const auto& [sub, listener] : subs_) sub->Cancel();
}

std::string PeerLimiter::PeerAddress(const std::string& grpc_peer) {
  // gRPC names a peer "ipv4:A.B.C.D:PORT" or "ipv6:[...]:PORT"; the port differs per
  // connection, the address is the peer.
  const size_t colon = grpc_peer.rfind(':');
  const size_t first = grpc_peer.find(':');
  if (colon == std::string::npos || colon == first) return grpc_peer;
  return grpc_peer.substr(0, colon);
}

bool PeerLimiter::Acquire(const std::string& peer) {
  std::lock_guard lock(mu_);
  uint32_t& n = calls_[peer];
  if (n >= max_calls_) {
    if (n == 0) calls_.erase(peer);
    return false;
  }
  ++n;
  return true;
}

void PeerLimiter::Release(const std::string& peer) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(peer);
  if (it != calls_.end() && --it->second == 0) calls_.erase(it);
}

PeerLimiter::Slot::Slot(PeerLimiter* limiter, const grpc::ServerContext* ctx) : limiter_(limiter) {
  if (limiter_ == nullptr) return;
  peer_ = PeerAddress(ctx->peer());
  ok_ = limiter_->Acquire(peer_);
}

PeerLimiter::Slot::~Slot() {
  if (limiter_ != nullptr && ok_) limiter_->Release(peer_);
}

bool WatchRegistry::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

bool RasServiceImpl::KnownDevice(const std::string& device) {
  for (const DeviceIdentity& id : backend_->Devices())
    if (id.name == device || id.serial == device) return true;
  return false;
}

grpc::Status RasServiceImpl::Devices(grpc::ServerContext* ctx, const v1::DevicesRequest*,
                                     v1::DevicesReply* reply) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  for (const DeviceIdentity& id : backend_->Devices()) IdentityToProto(id, reply->add_devices());
  return grpc::Status::OK;
}

grpc::Status RasServiceImpl::Query(grpc::ServerContext* ctx, const v1::QueryRequest* req,
                                   v1::QueryReply* reply) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  const std::string what = CallName("Query", req->device());
  if (req->has_format()) {
    uint32_t schema = 0;
    Result<std::vector<uint8_t>> payload =
        backend_->Encode(req->device(), req->format(), req->raw(), &schema);
    if (!payload) return ErrnoStatus(ctx, payload.error(), what);
    reply->set_payload(payload->data(), payload->size());
    reply->set_schema(schema);
    return grpc::Status::OK;
  }
  if (req->raw()) return ErrnoStatus(ctx, -EINVAL, what, "raw needs a format");
  Result<Snapshot> snap = backend_->Query(req->device());
  if (!snap) return ErrnoStatus(ctx, snap.error(), what);
  if (auto r = SnapshotToProto(*snap, reply->mutable_snapshot()); !r)
    return ErrnoStatus(ctx, -EIO, what, "snapshot not representable: " + ErrnoText(r.error()));
  return grpc::Status::OK;
}

grpc::Status RasServiceImpl::Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                                   grpc::ServerWriter<v1::WatchEvent>* writer) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  const std::string what = CallName("Watch", req->device());
  if (!req->device().empty() && !KnownDevice(req->device())) return ErrnoStatus(ctx, -ENODEV, what);
  std::unique_ptr<EventSubscription> sub = backend_->Subscribe(req->device(), limits_.queue_len);
  if (!sub) return ErrnoStatus(ctx, -ENODEV, what);
  if (int rc = watches_->Add(sub.get(), listener_); rc < 0) {
    return ErrnoStatus(ctx, rc, what,
                       rc == -ESHUTDOWN ? "server shutting down" : "too many watchers");
  }
  // Tells the client the subscription is in place: events from now on reach it.
  writer->SendInitialMetadata();
  grpc::Status status = StreamEvents(ctx, sub.get(), writer);
  watches_->Remove(sub.get());
  if (status.ok() && watches_->shutting_down())
    return ErrnoStatus(ctx, -ESHUTDOWN, what, "server shutting down");
  return status;
}

// Runs until the call is cancelled (the client left, or shutdown passed its deadline), a
// write fails, or the registry cancelled the subscription.
grpc::Status RasServiceImpl::StreamEvents(grpc::ServerContext* ctx, EventSubscription* sub,
                                          grpc::ServerWriter<v1::WatchEvent>* writer) {
  while (!ctx->IsCancelled()) {
    EventRecord record;
    const bool got = sub->Next(&record, limits_.poll_ms);
    const uint64_t lost = sub->TakeLost();
    if (!got && watches_->shutting_down()) return grpc::Status::OK;
    if (!got && lost == 0) continue;
    v1::WatchEvent ev;
    if (got) RecordToProto(record, &ev);
    ev.set_lost(lost);
    if (!writer->Write(ev)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::CANCELLED;
}

grpc::Status RasServiceImpl::Clear(grpc::ServerContext* ctx, const v1::ClearRequest* req,
                                   v1::ClearReply*) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  if (access_ != Access::kAdmin) return AdminOnly(ctx, "Clear");
  if (auto r = backend_->Clear(req->device()); !r)
    return ErrnoStatus(ctx, r.error(), CallName("Clear", req->device()));
  return grpc::Status::OK;
}

grpc::Status RasServiceImpl::Inject(grpc::ServerContext* ctx, const v1::InjectRequest* req,
                                    v1::InjectReply* reply) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  if (access_ != Access::kAdmin) return AdminOnly(ctx, "Inject");
  const std::string what = CallName("Inject", req->device());
  InjectRequest in;
  in.component = req->component();
  if (in.component.empty()) return ErrnoStatus(ctx, -EINVAL, what, "no component");
  if (req->has_severity_name()) {
    std::optional<uint32_t> sev = SeverityFromName(req->severity_name());
    if (!sev) return ErrnoStatus(ctx, -EINVAL, what, "unknown severity name");
    in.severity = *sev;
  } else {
    in.severity = static_cast<uint32_t>(req->severity());  // unset: 0, corrected
    if (in.severity >= kSeverityCount) return ErrnoStatus(ctx, -EINVAL, what, "bad severity");
  }
  in.count = req->count() == 0 ? 1 : req->count();
  if (req->has_address()) in.address = req->address();
  Result<uint64_t> seqno = backend_->Inject(req->device(), in);
  if (!seqno) return ErrnoStatus(ctx, seqno.error(), what);
  reply->set_seqno(*seqno);
  return grpc::Status::OK;
}

grpc::Status RasServiceImpl::Log(grpc::ServerContext* ctx, const v1::LogRequest* req,
                                 v1::LogReply* reply) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  const std::string what = CallName("Log", req->device());
  LogQuery q;
  if (req->has_since_ns()) q.since_ns = req->since_ns();
  if (req->has_until_ns()) q.until_ns = req->until_ns();
  q.device = req->device();
  if (req->has_severity()) {
    q.severity = static_cast<uint32_t>(req->severity());
    if (*q.severity >= kSeverityCount) return ErrnoStatus(ctx, -EINVAL, what, "bad severity");
  }
  q.limit = req->limit() == 0 ? kDefaultLogLimit : req->limit();
  if (q.limit > kMaxLogLimit) {
    return ErrnoStatus(ctx, -EINVAL, what,
                       "limit above " + std::to_string(kMaxLogLimit) + "; page with since_ns");
  }
  Result<std::vector<EventRecord>> records = backend_->Log(q);
  if (!records) return ErrnoStatus(ctx, records.error(), what);
  for (const EventRecord& r : *records) RecordToProto(r, reply->add_events());
  return grpc::Status::OK;
}

grpc::Status RasServiceImpl::Thresholds(grpc::ServerContext* ctx, const v1::ThresholdsRequest* req,
                                        v1::ThresholdsReply* reply) {
  const PeerLimiter::Slot slot(peers_, ctx);
  if (!slot.ok()) return PeerBusy(ctx);
  if (!req->device().empty() && !KnownDevice(req->device()))
    return ErrnoStatus(ctx, -ENODEV, CallName("Thresholds", req->device()));
  for (const ThresholdStatus& s : backend_->Thresholds(req->device()))
    ThresholdStatusToProto(s, reply->add_thresholds());
  const ActionQueueStats a = backend_->ActionStats();
  v1::ActionQueue* q = reply->mutable_actions();
  q->set_pending(a.pending);
  q->set_capacity(a.capacity);
  q->set_run(a.run);
  q->set_merged(a.merged);
  q->set_dropped(a.dropped);
  q->set_timed_out(a.timed_out);
  return grpc::Status::OK;
}

}  // namespace accel::ras
