// thrift_wire_reader.cc - see thrift_wire_reader.h.
//
// Binary protocol: a field is a type byte and a big-endian i16 id; integers are big-endian
// two's complement of their width; a string is a big-endian i32 length and the bytes; a list
// or set is an element type byte and an i32 count; a map is key and value type bytes and an
// i32 count; a struct ends at a type byte 0.
// Compact protocol: integers are ULEB128 varints of their zigzag encoding; a field header byte
// holds the id's delta from the previous field's (high nibble, 1..15) and a compact type (low
// nibble), or a zero delta and a zigzag varint i16 id after it; a bool field's value is its
// type (1 true, 2 false); a string is a varint length and the bytes; a list or set header
// holds the count in the high nibble (15: a varint count follows) and the element type; a map
// is a varint count and, when not empty, a byte of key and value types.
#include "thrift_wire_reader.h"

#include <iterator>

namespace accel::ras::testing {
namespace {

constexpr int kMaxDepth = 32;

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, WireProtocol protocol)
      : bytes_(bytes), compact_(protocol == WireProtocol::kCompact) {}

  bool ReadStruct(WireValue& out, int depth) {
    if (depth > kMaxDepth) return false;
    out.type = kWireStruct;
    int16_t last_id = 0;  // compact: field ids are deltas from the previous one, per struct
    while (true) {
      uint8_t header;
      if (!Byte(header)) return false;
      if (header == 0) return true;
      WireField field;
      WireType type;
      if (compact_) {
        const uint8_t delta = header >> 4;
        if (delta != 0) {
          field.id = static_cast<int16_t>(last_id + delta);
        } else {
          int64_t id;
          if (!ZigzagVarint(id)) return false;
          field.id = static_cast<int16_t>(id);
        }
        last_id = field.id;
        const uint8_t compact_type = header & 0x0f;
        if (compact_type == 1 || compact_type == 2) {  // a bool's value is its type
          field.value.type = kWireBool;
          field.value.integer = compact_type == 1;
          out.fields.push_back(std::move(field));
          continue;
        }
        if (!FromCompact(compact_type, type)) return false;
      } else {
        type = static_cast<WireType>(header);
        uint64_t id;
        if (!BigEndian(2, id)) return false;
        field.id = static_cast<int16_t>(id);
      }
      if (!ReadValue(type, field.value, depth)) return false;
      out.fields.push_back(std::move(field));
    }
  }

  bool AtEnd() const { return at_ == bytes_.size(); }

 private:
  bool Byte(uint8_t& b) {
    if (at_ >= bytes_.size()) return false;
    b = bytes_[at_++];
    return true;
  }

  bool BigEndian(int width, uint64_t& v) {
    v = 0;
    for (int i = 0; i < width; ++i) {
      uint8_t b;
      if (!Byte(b)) return false;
      v = v << 8 | b;
    }
    return true;
  }

  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b;
      if (!Byte(b)) return false;
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }

  bool ZigzagVarint(int64_t& v) {
    uint64_t u;
    if (!Varint(u)) return false;
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }

  static bool FromCompact(uint8_t compact_type, WireType& type) {
    static constexpr WireType kTypes[] = {
        kWireStop,   kWireBool,   kWireBool, kWireByte, kWireI16, kWireI32,    kWireI64,
        kWireDouble, kWireString, kWireList, kWireSet,  kWireMap, kWireStruct,
    };
    if (compact_type == 0 || compact_type >= std::size(kTypes)) return false;
    type = kTypes[compact_type];
    return true;
  }

  // Signed integer of `width` bytes (binary) or a zigzag varint (compact).
  bool Integer(int width, int64_t& v) {
    if (compact_ && width > 1) return ZigzagVarint(v);
    uint64_t u;
    if (!BigEndian(width, u)) return false;
    const int unused = 64 - 8 * width;
    v = static_cast<int64_t>(u << unused) >> unused;  // sign-extend
    return true;
  }

  bool Length(uint64_t& n) {
    if (compact_) return Varint(n);
    int64_t v;
    if (!Integer(4, v) || v < 0) return false;
    n = static_cast<uint64_t>(v);
    return true;
  }

  bool ReadList(WireValue& out, int depth) {
    uint64_t count;
    uint8_t header;
    if (!Byte(header)) return false;
    if (compact_) {
      count = header >> 4;
      if (count == 15 && !Varint(count)) return false;
      if (!FromCompact(header & 0x0f, out.element_type)) return false;
    } else {
      out.element_type = static_cast<WireType>(header);
      if (!Length(count)) return false;
    }
    if (count > bytes_.size() - at_) return false;  // every element takes a byte at least
    for (uint64_t i = 0; i < count; ++i) {
      WireValue& element = out.elements.emplace_back();
      if (compact_ && out.element_type == kWireBool) {
        uint8_t b;
        if (!Byte(b)) return false;
        element.type = kWireBool;
        element.integer = b == 1;
        continue;
      }
      if (!ReadValue(out.element_type, element, depth)) return false;
    }
    return true;
  }

  bool ReadMap(int depth) {
    uint64_t count;
    WireType key, value;
    if (compact_) {
      if (!Varint(count)) return false;
      if (count == 0) return true;
      uint8_t types;
      if (!Byte(types) || !FromCompact(types >> 4, key) || !FromCompact(types & 0x0f, value))
        return false;
    } else {
      uint8_t k, v;
      if (!Byte(k) || !Byte(v) || !Length(count)) return false;
      key = static_cast<WireType>(k);
      value = static_cast<WireType>(v);
    }
    if (count > bytes_.size() - at_) return false;
    for (uint64_t i = 0; i < count; ++i) {
      WireValue ignored;
      if (!ReadValue(key, ignored, depth) || !ReadValue(value, ignored, depth)) return false;
    }
    return true;
  }

  bool ReadValue(WireType type, WireValue& out, int depth) {
    out.type = type;
    switch (type) {
      case kWireBool:
      case kWireByte:
        return Integer(1, out.integer);
      case kWireI16:
        return Integer(2, out.integer);
      case kWireI32:
        return Integer(4, out.integer);
      case kWireI64:
        return Integer(8, out.integer);
      case kWireDouble:
        at_ += 8;
        return at_ <= bytes_.size();
      case kWireString: {
        uint64_t n;
        if (!Length(n) || n > bytes_.size() - at_) return false;
        out.bytes.assign(reinterpret_cast<const char*>(bytes_.data() + at_), n);
        at_ += n;
        return true;
      }
      case kWireStruct:
        return ReadStruct(out, depth + 1);
      case kWireList:
      case kWireSet:
        return ReadList(out, depth + 1);
      case kWireMap:
        return ReadMap(depth + 1);
      case kWireStop:
        break;
    }
    return false;
  }

  std::span<const uint8_t> bytes_;
  bool compact_;
  size_t at_ = 0;
};

}  // namespace

const WireValue* WireValue::Find(std::initializer_list<int16_t> path) const {
  const WireValue* v = this;
  for (int16_t id : path) {
    const WireValue* next = nullptr;
    for (const WireField& f : v->fields)
      if (f.id == id) next = &f.value;
    if (next == nullptr) return nullptr;
    v = next;
  }
  return v;
}

std::optional<WireValue> ReadThriftStruct(std::span<const uint8_t> bytes, WireProtocol protocol) {
  Reader reader(bytes, protocol);
  WireValue root;
  if (!reader.ReadStruct(root, 0) || !reader.AtEnd()) return std::nullopt;
  return root;
}

}  // namespace accel::ras::testing
