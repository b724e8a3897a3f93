// ras_grpc_client.cc - see ras_grpc_client.h.
#include "rasclient/ras_grpc_client.h"

#include <grpcpp/grpcpp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "accel/ras/v1/ras_service.grpc.pb.h"
#include "ras/codecs/protobuf/ras_proto_convert.h"
#include "ras/rpc/grpc_errno.h"
#include "ras/rpc/service_convert.h"

namespace accel::ras {
namespace {

// A Query reply holds at most ~20 MB (4096 events with 4 KiB blobs, 65536 pages), a Log
// reply ~44 MB (kMaxLogLimit events); gRPC's default limit is 4 MB.
constexpr int kMaxReplyBytes = 64 << 20;

std::chrono::system_clock::time_point After(int ms) {
  return std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
}

// The path of a "unix:" target, or nullopt for any other scheme.
std::optional<std::string> UnixPath(const std::string& target) {
  constexpr std::string_view kScheme = "unix:";
  if (target.compare(0, kScheme.size(), kScheme) != 0) return std::nullopt;
  std::string path = target.substr(kScheme.size());
  if (path.compare(0, 2, "//") == 0) path.erase(0, 2);  // unix:///abs/path
  return path;
}

// 0 when a server socket answers connect(2) at path, else -errno.
int ProbeUnixSocket(const std::string& path) {
  sockaddr_un addr{};
  if (path.empty()) return -EINVAL;
  if (path.size() >= sizeof(addr.sun_path)) return -ENAMETOOLONG;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  const int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  const int err = errno;
  close(fd);
  return rc == 0 || err == EAGAIN ? 0 : -err;  // EAGAIN: a full backlog, but a server
}

Result<RasGrpcClient::WatchItem> ItemFromProto(const v1::WatchEvent& msg) {
  RasGrpcClient::WatchItem item;
  item.lost = msg.lost();
  if (msg.has_event()) {
    Result<EventRecord> record = RecordFromProto(msg);
    if (!record) return Errno{record.error()};
    item.record = std::move(*record);
  }
  return item;
}

}  // namespace

struct RasGrpcClient::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Ras::Stub> stub;

  // Runs one unary call with a deadline; 0 or the server's -errno.
  template <typename Rpc>
  int Call(int timeout_ms, Rpc rpc) {
    grpc::ClientContext ctx;
    ctx.set_deadline(After(timeout_ms));
    const grpc::Status status = rpc(&ctx);
    return ErrnoFromStatus(status, ctx);
  }
};

Result<std::unique_ptr<RasGrpcClient>> RasGrpcClient::Connect(const std::string& target,
                                                              int timeout_ms) {
  return Open(target, timeout_ms, nullptr);
}

Result<std::unique_ptr<RasGrpcClient>> RasGrpcClient::Connect(const std::string& target,
                                                              int timeout_ms, const Tls& tls) {
  return Open(target, timeout_ms, &tls);
}

Result<std::unique_ptr<RasGrpcClient>> RasGrpcClient::Open(const std::string& target,
                                                           int timeout_ms, const Tls* tls) {
  if (std::optional<std::string> path = UnixPath(target)) {
    if (int rc = ProbeUnixSocket(*path); rc < 0) return Errno{rc};
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReplyBytes);
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = tls->root_certs_pem;
    ssl.pem_cert_chain = tls->cert_chain_pem;
    ssl.pem_private_key = tls->private_key_pem;
    creds = grpc::SslCredentials(ssl);
    if (!tls->server_name.empty()) args.SetSslTargetNameOverride(tls->server_name);
  }
  auto impl = std::make_unique<Impl>();
  impl->channel = grpc::CreateCustomChannel(target, creds, args);
  if (!impl->channel) return Err(EINVAL);
  const auto deadline = After(timeout_ms);
  for (grpc_connectivity_state s = impl->channel->GetState(true); s != GRPC_CHANNEL_READY;
       s = impl->channel->GetState(true)) {
    if (s == GRPC_CHANNEL_TRANSIENT_FAILURE || s == GRPC_CHANNEL_SHUTDOWN) return Err(ECONNREFUSED);
    if (!impl->channel->WaitForStateChange(s, deadline)) return Err(ETIMEDOUT);
  }
  impl->stub = v1::Ras::NewStub(impl->channel);
  return std::unique_ptr<RasGrpcClient>(new RasGrpcClient(std::move(impl)));
}

RasGrpcClient::RasGrpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RasGrpcClient::~RasGrpcClient() = default;

Result<std::vector<DeviceIdentity>> RasGrpcClient::Devices() {
  v1::DevicesReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Devices(ctx, v1::DevicesRequest(), &reply);
  });
  if (rc < 0) return Errno{rc};
  std::vector<DeviceIdentity> out;
  for (const v1::DeviceIdentity& id : reply.devices()) out.push_back(IdentityFromProto(id));
  return out;
}

Result<Snapshot> RasGrpcClient::Query(const std::string& device) {
  v1::QueryRequest req;
  req.set_device(device);
  v1::QueryReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Query(ctx, req, &reply);
  });
  if (rc < 0) return Errno{rc};
  if (!reply.has_snapshot()) return Err(EPROTO);
  return SnapshotFromProto(reply.snapshot());
}

Result<RasGrpcClient::Encoded> RasGrpcClient::QueryEncoded(const std::string& device,
                                                           uint32_t format, bool raw) {
  v1::QueryRequest req;
  req.set_device(device);
  req.set_format(format);
  req.set_raw(raw);
  v1::QueryReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Query(ctx, req, &reply);
  });
  if (rc < 0) return Errno{rc};
  Encoded out;
  out.payload.assign(reply.payload().begin(), reply.payload().end());
  out.schema = reply.schema();
  return out;
}

Result<void> RasGrpcClient::Watch(const std::string& device, const WatchCallback& on_event,
                                  const std::atomic<bool>* stop, int poll_ms) {
  enum Tag : intptr_t { kStarted = 1, kRead, kFinished };
  const auto tag = [](Tag t) { return reinterpret_cast<void*>(t); };
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  v1::WatchRequest req;
  req.set_device(device);
  std::unique_ptr<grpc::ClientAsyncReader<v1::WatchEvent>> reader =
      impl_->stub->PrepareAsyncWatch(&ctx, req, &cq);
  reader->StartCall(tag(kStarted));

  v1::WatchEvent msg;
  grpc::Status status;
  int error = 0;             // ours, from converting what arrived
  bool ended_by_us = false;  // stop, the callback or a conversion error, not the stream
  const auto end_by_us = [&] {
    if (!ended_by_us) ctx.TryCancel();
    ended_by_us = true;
  };
  for (bool finished = false; !finished;) {
    void* got = nullptr;
    bool ok = false;
    const auto r = cq.AsyncNext(&got, &ok, After(poll_ms));
    if (stop && stop->load()) end_by_us();
    if (r == grpc::CompletionQueue::TIMEOUT) continue;
    if (r == grpc::CompletionQueue::SHUTDOWN) break;
    const auto t = static_cast<Tag>(reinterpret_cast<intptr_t>(got));
    if (t == kFinished) {
      finished = true;
    } else if (!ok) {
      reader->Finish(&status, tag(kFinished));
    } else {
      if (t == kRead && !ended_by_us) {
        Result<WatchItem> item = ItemFromProto(msg);
        if (!item) error = item.error();
        if (!item || !on_event(*item)) end_by_us();
      }
      reader->Read(&msg, tag(kRead));  // after a cancel it completes with !ok
    }
  }
  cq.Shutdown();
  void* got = nullptr;
  bool ok = false;
  while (cq.Next(&got, &ok)) {
  }
  if (error < 0) return Errno{error};
  if (ended_by_us) return {};
  const int rc = ErrnoFromStatus(status, ctx);
  return rc < 0 ? Result<void>(Errno{rc}) : Result<void>();
}

Result<void> RasGrpcClient::Clear(const std::string& device) {
  v1::ClearRequest req;
  req.set_device(device);
  v1::ClearReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Clear(ctx, req, &reply);
  });
  return Result<void>::FromErrno(rc);
}

Result<uint64_t> RasGrpcClient::Inject(const std::string& device, const InjectRequest& in) {
  v1::InjectRequest req;
  req.set_device(device);
  req.set_component(in.component);
  req.set_severity(static_cast<v1::Severity>(in.severity));
  req.set_count(in.count);
  if (in.address) req.set_address(*in.address);
  v1::InjectReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Inject(ctx, req, &reply);
  });
  if (rc < 0) return Errno{rc};
  return reply.seqno();
}

Result<std::vector<EventRecord>> RasGrpcClient::Log(const LogQuery& q) {
  v1::LogRequest req;
  if (q.since_ns) req.set_since_ns(*q.since_ns);
  if (q.until_ns) req.set_until_ns(*q.until_ns);
  req.set_device(q.device);
  if (q.severity) req.set_severity(static_cast<v1::Severity>(*q.severity));
  req.set_limit(q.limit);
  v1::LogReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Log(ctx, req, &reply);
  });
  if (rc < 0) return Errno{rc};
  std::vector<EventRecord> out;
  out.reserve(reply.events_size());
  for (const v1::EventRecord& msg : reply.events()) {
    Result<EventRecord> r = RecordFromProto(msg);
    if (!r) return Errno{r.error()};
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<ThresholdStatus>> RasGrpcClient::Thresholds(const std::string& device,
                                                               ActionQueueStats* actions) {
  v1::ThresholdsRequest req;
  req.set_device(device);
  v1::ThresholdsReply reply;
  int rc = impl_->Call(call_timeout_ms_, [&](grpc::ClientContext* ctx) {
    return impl_->stub->Thresholds(ctx, req, &reply);
  });
  if (rc < 0) return Errno{rc};
  std::vector<ThresholdStatus> out;
  for (const v1::ThresholdStatus& msg : reply.thresholds()) {
    Result<ThresholdStatus> s = ThresholdStatusFromProto(msg);
    if (!s) return Errno{s.error()};
    out.push_back(std::move(*s));
  }
  if (actions) {
    const v1::ActionQueue& q = reply.actions();
    *actions = {q.pending(), q.capacity(), q.run(), q.merged(), q.dropped(), q.timed_out()};
  }
  return out;
}

}  // namespace accel::ras
