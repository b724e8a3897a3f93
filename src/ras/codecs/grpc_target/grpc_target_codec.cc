// grpc_target_codec.cc - see grpc_target_codec.h.
#include "ras/codecs/grpc_target/grpc_target_codec.h"

#include <uapi/accel/accel.h>

#include <cerrno>
#include <mutex>

namespace accel::ras {
namespace {

// Function-local statics: SetGrpcTarget may run from another object's static initialiser.
std::mutex& TargetMutex() {
  static std::mutex mu;
  return mu;
}
std::string& Target() {
  static std::string target;
  return target;
}

constexpr size_t kMaxUri = 4096;

Result<std::vector<uint8_t>> Encode(const Snapshot&) {
  const std::string t = GrpcTarget();
  if (t.empty()) return Err(EOPNOTSUPP);
  return std::vector<uint8_t>(t.begin(), t.end());
}

// A URI gRPC understands for this service: unix:PATH, unix-abstract:, dns:, ipv4:, ipv6:.
Result<Snapshot> Decode(std::span<const uint8_t> bytes) {
  if (bytes.empty() || bytes.size() > kMaxUri) return Err(EINVAL);
  const std::string uri(bytes.begin(), bytes.end());
  for (char c : uri)
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return Err(EINVAL);
  for (const char* scheme : {"unix:", "unix-abstract:", "dns:", "ipv4:", "ipv6:"})
    if (uri.rfind(scheme, 0) == 0 && uri.size() > std::string(scheme).size()) return Snapshot{};
  return Err(EPROTO);
}

Snapshot Project(const Snapshot&) {
  return Snapshot{};
}

const Codec kCodec = {ACCEL_RAS_FMT_GRPC, "grpc", 0, Encode, Decode, Project, /*text=*/true};

}  // namespace

void SetGrpcTarget(const std::string& uri) {
  std::lock_guard lock(TargetMutex());
  Target() = uri;
}

std::string GrpcTarget() {
  std::lock_guard lock(TargetMutex());
  return Target();
}

const Codec& GrpcTargetCodec() {
  return kCodec;
}

}  // namespace accel::ras
