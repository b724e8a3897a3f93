// payload.h - reading a request frame's payload and building a reply's, on the daemon's side.
//
// Shared by the connection session (server.cc) and the control operations (control_ops.h),
// so that both read names and write fixed structs the same way. The structs are the
// pointer-free, fixed-layout ones of wire.h, copied byte for byte as they travel.
//
//   AppendStruct(out, wire::ListHeader{count, 0});
//   std::string name = PayloadString(frame);      // the payload's bytes, NULs and all
#ifndef ACCEL_TRANSPORT_SOCKET_PAYLOAD_H_
#define ACCEL_TRANSPORT_SOCKET_PAYLOAD_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "wire/wire.h"

namespace accel::transport {

template <typename T>
void AppendStruct(std::vector<uint8_t>& out, const T& v) {
  static_assert(std::is_trivially_copyable_v<T>, "only wire structs travel as bytes");
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

// The payload as a string, unchecked: each operation judges the name it expects.
inline std::string PayloadString(const wire::FrameView& f) {
  return std::string(reinterpret_cast<const char*>(f.payload.data()), f.payload.size());
}

}  // namespace accel::transport

#endif  // ACCEL_TRANSPORT_SOCKET_PAYLOAD_H_
