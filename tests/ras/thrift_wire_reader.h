// thrift_wire_reader.h - an independent reader of Thrift's binary and compact protocols.
//
// Written for the tests from the protocol specifications (Apache Thrift's
// doc/specs/thrift-binary-protocol.md and thrift-compact-protocol.md), sharing no code with
// libthrift, so that what the codec writes is checked against the wire format itself rather
// than against the library that wrote it. It turns one struct into a tree of (field id, type,
// value) with no schema, and insists that the struct ends exactly where the bytes do.
//
//   std::optional<WireValue> root = ReadThriftStruct(bytes, WireProtocol::kBinary);
//   const WireValue* name = root->Find({1, 1});  // RasSnapshot.device.name
#ifndef ACCEL_TESTS_RAS_THRIFT_WIRE_READER_H_
#define ACCEL_TESTS_RAS_THRIFT_WIRE_READER_H_

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace accel::ras::testing {

// Type ids as the binary protocol writes them (the compact reader maps its own onto these).
enum WireType : uint8_t {
  kWireStop = 0,
  kWireBool = 2,
  kWireByte = 3,
  kWireDouble = 4,
  kWireI16 = 6,
  kWireI32 = 8,
  kWireI64 = 10,
  kWireString = 11,
  kWireStruct = 12,
  kWireMap = 13,
  kWireSet = 14,
  kWireList = 15,
};

enum class WireProtocol { kBinary, kCompact };

struct WireField;

struct WireValue {
  WireType type = kWireStop;
  int64_t integer = 0;                // bool, byte, i16, i32, i64
  std::string bytes;                  // string / binary
  std::vector<WireField> fields;      // struct, in wire order
  WireType element_type = kWireStop;  // list, set
  std::vector<WireValue> elements;    // list, set (maps are read and dropped)

  // The field with that id, nullptr when absent; a path of ids walks nested structs.
  const WireValue* Find(std::initializer_list<int16_t> path) const;
};

struct WireField {
  int16_t id;
  WireValue value;
};

// The struct `bytes` holds; nullopt when they are not exactly one struct in that protocol.
std::optional<WireValue> ReadThriftStruct(std::span<const uint8_t> bytes, WireProtocol protocol);

}  // namespace accel::ras::testing

#endif  // ACCEL_TESTS_RAS_THRIFT_WIRE_READER_H_
