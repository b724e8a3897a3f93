// grpc_errno.h - accel's negative errnos and gRPC status codes, in both directions.
//
// The RAS service answers a backend error with the gRPC code that says the same thing
// (-ENODEV is NOT_FOUND, -EINVAL INVALID_ARGUMENT, ...), a message naming the errno
// ("Query(accel9): ENODEV (No such device)") and the exact errno in the trailing metadata
// key `accel-errno` (decimal, positive). RasGrpcClient reads that key first, so accelctl sees
// the backend's errno unchanged; from any other server it falls back to the code alone.
#ifndef ACCEL_RAS_RPC_GRPC_ERRNO_H_
#define ACCEL_RAS_RPC_GRPC_ERRNO_H_

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

namespace accel::ras {

inline constexpr char kErrnoMetadataKey[] = "accel-errno";

// The status code for a negative errno (see docs/ras/grpc.md for the table).
grpc::StatusCode StatusCodeForErrno(int negative_errno);
// The negative errno a client reports for a status code; 0 for OK.
int ErrnoForStatusCode(grpc::StatusCode code);
// "ENODEV (No such device)".
std::string ErrnoText(int negative_errno);

// A server-side error: the mapped code, "<what>: <ErrnoText>", and `accel-errno` in ctx's
// trailing metadata.
grpc::Status ErrnoStatus(grpc::ServerContext* ctx, int negative_errno, std::string_view what);
// The same with a message of the caller's own (for errors that are not the backend's).
grpc::Status ErrnoStatus(grpc::ServerContext* ctx, int negative_errno, std::string_view what,
                         std::string_view detail);

// The client side: 0 for OK, else `accel-errno` from the trailing metadata when the server
// sent a sane one, else ErrnoForStatusCode.
int ErrnoFromStatus(const grpc::Status& status, const grpc::ClientContext& ctx);

}  // namespace accel::ras

#endif  // ACCEL_RAS_RPC_GRPC_ERRNO_H_
