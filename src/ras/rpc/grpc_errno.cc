// grpc_errno.cc - see grpc_errno.h.
#include "ras/rpc/grpc_errno.h"

#include <cerrno>
#include <charconv>
#include <cstring>

namespace accel::ras {
namespace {

// errnos above this are not errnos (the kernel's MAX_ERRNO).
constexpr int kMaxErrno = 4095;

}  // namespace

grpc::StatusCode StatusCodeForErrno(int negative_errno) {
  switch (-negative_errno) {
    case 0:
      return grpc::StatusCode::OK;
    case ENODEV:
    case ENOENT:
      return grpc::StatusCode::NOT_FOUND;
    case EINVAL:
    case ERANGE:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case EOPNOTSUPP:
      return grpc::StatusCode::UNIMPLEMENTED;
    case EPERM:
    case EACCES:
      return grpc::StatusCode::PERMISSION_DENIED;
    case ETIMEDOUT:
    case ETIME:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    case E2BIG:
    case ENOSPC:
    case EMFILE:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case ESHUTDOWN:
    case ECONNREFUSED:
      return grpc::StatusCode::UNAVAILABLE;
    case ECANCELED:
      return grpc::StatusCode::CANCELLED;
    default:
      return grpc::StatusCode::INTERNAL;
  }
}

int ErrnoForStatusCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 0;
    case grpc::StatusCode::NOT_FOUND:
      return -ENODEV;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return -EINVAL;
    case grpc::StatusCode::UNIMPLEMENTED:
      return -EOPNOTSUPP;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return -EACCES;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return -ETIMEDOUT;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return -ENOSPC;
    case grpc::StatusCode::UNAVAILABLE:
      return -ECONNREFUSED;
    case grpc::StatusCode::CANCELLED:
      return -ECANCELED;
    case grpc::StatusCode::ALREADY_EXISTS:
      return -EEXIST;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
      return -EBUSY;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return -EIO;
  }
}

std::string ErrnoText(int negative_errno) {
  const int e = -negative_errno;
  const char* name = strerrorname_np(e);
  std::string text = name ? name : "errno " + std::to_string(e);
  return text + " (" + strerror(e) + ")";
}

grpc::Status ErrnoStatus(grpc::ServerContext* ctx, int negative_errno, std::string_view what) {
  return ErrnoStatus(ctx, negative_errno, what, ErrnoText(negative_errno));
}

grpc::Status ErrnoStatus(grpc::ServerContext* ctx, int negative_errno, std::string_view what,
                         std::string_view detail) {
  ctx->AddTrailingMetadata(kErrnoMetadataKey, std::to_string(-negative_errno));
  std::string message(what);
  message += ": ";
  message += detail;
  return grpc::Status(StatusCodeForErrno(negative_errno), message);
}

int ErrnoFromStatus(const grpc::Status& status, const grpc::ClientContext& ctx) {
  if (status.ok()) return 0;
  const auto& trailers = ctx.GetServerTrailingMetadata();
  if (auto it = trailers.find(kErrnoMetadataKey); it != trailers.end()) {
    int e = 0;
    const char* first = it->second.data();
    const char* last = first + it->second.size();
    auto [end, ec] = std::from_chars(first, last, e);
    if (ec == std::errc() && end == last && e > 0 && e <= kMaxErrno) return -e;
  }
  return ErrnoForStatusCode(status.error_code());
}

}  // namespace accel::ras
