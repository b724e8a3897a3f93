// asn1_codec.h - the ASN1 RAS format: the whole Snapshot in DER, after asn1/AccelRas.asn.
//
// The module's Snapshot type is SEQUENCE { header, components, counters, events, pages }, every
// u64 an INTEGER (0..2^64-1), names UTF8String, blobs OCTET STRING, severities ENUMERATED.
// libtasn1 encodes and decodes each element against the schema; the codec frames the lists
// itself and checks canonical DER, value ranges and the model's bounds. It carries everything
// (kCarriesAll). See docs/ras/asn1.md.
//
//   const accel::ras::Codec& asn1 = accel::ras::Asn1Codec();
//   auto der = asn1.encode(snapshot);  // openssl asn1parse -inform DER reads it
//   auto back = asn1.decode(*der);     // == snapshot
#ifndef ACCEL_RAS_CODECS_ASN1_ASN1_CODEC_H_
#define ACCEL_RAS_CODECS_ASN1_ASN1_CODEC_H_

#include "ras/codec.h"

namespace accel::ras {

const Codec& Asn1Codec();

}  // namespace accel::ras

#endif  // ACCEL_RAS_CODECS_ASN1_ASN1_CODEC_H_
