// asn1_schema.h - asn1/AccelRas.asn as libtasn1 definitions, and structures made from them.
//
// The build compiles the module into libtasn1's static array (asn1Parser); this file turns the
// array into a definitions tree once per process and hands out structures of its types. The
// codec uses it, and so do the tests that check the codec's bytes against the whole schema.
//
//   accel::ras::asn1::Element event("AccelRas.Event");
//   if (!event) return Err(ENOMEM);
//   asn1_write_value(event.get(), "code", ...);
#ifndef ACCEL_RAS_CODECS_ASN1_ASN1_SCHEMA_H_
#define ACCEL_RAS_CODECS_ASN1_ASN1_SCHEMA_H_

#include <libtasn1.h>

namespace accel::ras::asn1 {

// The definitions tree of the AccelRas module, built on first use and read-only afterwards
// (libtasn1 only reads it when creating structures, so threads may share it). nullptr only if
// libtasn1 rejects the array its own asn1Parser generated, or runs out of memory.
asn1_node_const Definitions();

// One libtasn1 structure of a type of the module ("AccelRas.Snapshot"), deleted with it.
class Element {
 public:
  explicit Element(const char* type_name);
  ~Element();
  Element(const Element&) = delete;
  Element& operator=(const Element&) = delete;

  explicit operator bool() const { return node_ != nullptr; }
  asn1_node get() const { return node_; }
  // For asn1_der_decoding2(), which deletes the structure (and clears the pointer) on error.
  asn1_node* address() { return &node_; }

 private:
  asn1_node node_ = nullptr;
};

}  // namespace accel::ras::asn1

#endif  // ACCEL_RAS_CODECS_ASN1_ASN1_SCHEMA_H_
