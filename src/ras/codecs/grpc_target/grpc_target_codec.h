// grpc_target_codec.h - ACCEL_RAS_FMT_GRPC: the answer is where to call, not data.
//
// A gRPC service cannot travel through an ioctl; what RAS_QUERY returns for this format is the
// gRPC target URI of acceld's RAS service (service accel.ras.v1.Ras), e.g.
// "unix:/run/accel/ras.sock", without a NUL. The caller connects there and calls Query/Watch.
// It carries nothing of the Snapshot (carries = 0): Decode checks the URI and returns an empty
// Snapshot.
#ifndef ACCEL_RAS_CODECS_GRPC_TARGET_GRPC_TARGET_CODEC_H_
#define ACCEL_RAS_CODECS_GRPC_TARGET_GRPC_TARGET_CODEC_H_

#include <string>

#include "ras/codec.h"

namespace accel::ras {

// Set once by acceld before devices exist; "" makes the format answer -EOPNOTSUPP.
void SetGrpcTarget(const std::string& uri);
std::string GrpcTarget();
const Codec& GrpcTargetCodec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_GRPC_TARGET_GRPC_TARGET_CODEC_H_
