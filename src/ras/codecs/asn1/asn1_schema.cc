// asn1_schema.cc - see asn1_schema.h.
#include "ras/codecs/asn1/asn1_schema.h"

// Generated from asn1/AccelRas.asn by asn1Parser (accel_ras_asn1_tab.c in the build tree).
extern "C" const asn1_static_node accel_ras_asn1_tab[];

namespace accel::ras::asn1 {
namespace {

// Owns the definitions tree for the life of the process.
class DefinitionsTree {
 public:
  DefinitionsTree() {
    char error[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
    if (asn1_array2tree(accel_ras_asn1_tab, &node_, error) != ASN1_SUCCESS) node_ = nullptr;
  }
  ~DefinitionsTree() { asn1_delete_structure(&node_); }
  DefinitionsTree(const DefinitionsTree&) = delete;
  DefinitionsTree& operator=(const DefinitionsTree&) = delete;

  asn1_node_const get() const { return node_; }

 private:
  asn1_node node_ = nullptr;
};

}  // namespace

asn1_node_const Definitions() {
  static DefinitionsTree tree;  // initialised once, thread-safe (C++11 statics)
  return tree.get();
}

Element::Element(const char* type_name) {
  asn1_node_const definitions = Definitions();
  if (definitions == nullptr || asn1_create_element(definitions, type_name, &node_) != ASN1_SUCCESS)
    node_ = nullptr;
}

Element::~Element() {
  if (node_ != nullptr) asn1_delete_structure(&node_);
}

}  // namespace accel::ras::asn1
