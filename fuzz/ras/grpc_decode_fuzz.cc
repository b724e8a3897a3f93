// grpc_decode_fuzz.cc - the GRPC format's decoder (the service's target URI) on arbitrary
// bytes.
//
// The GRPC payload carries no Snapshot, only where the RAS service listens, so the common
// oracle's round trip does not apply. Oracles: an error is -EINVAL (not a URI) or -EPROTO (a
// scheme gRPC would not dial); an accepted URI decodes to the empty Snapshot, and a daemon
// announcing exactly that target encodes it back byte for byte.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../fuzz_check.h"
#include "ras/codecs/grpc_target/grpc_target_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace accel::ras;
  using accel::Result;
  const Codec& codec = GrpcTargetCodec();
  Result<Snapshot> s = codec.decode(std::span<const uint8_t>(data, size));
  if (!s) {
    FUZZ_CHECK(s.error() == -EINVAL || s.error() == -EPROTO, "decode error %d", s.error());
    return 0;
  }
  FUZZ_CHECK(*s == Snapshot{}, "a target URI decoded to a non-empty snapshot");
  SetGrpcTarget(std::string(reinterpret_cast<const char*>(data), size));
  Result<std::vector<uint8_t>> again = codec.encode(*s);
  FUZZ_CHECK(again.ok() && *again == std::vector<uint8_t>(data, data + size),
             "an accepted target does not encode back to itself");
  return 0;
}
