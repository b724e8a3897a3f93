// all_codecs.cc - see all_codecs.h.
#include "ras/codecs/all_codecs.h"

#include "ras/codec_table.h"
#include "ras/codecs/asn1/asn1_codec.h"
#include "ras/codecs/cbor/cbor_codec.h"
#include "ras/codecs/cper/cper_codec.h"
#include "ras/codecs/grpc_target/grpc_target_codec.h"
#include "ras/codecs/json/json_codec.h"
#include "ras/codecs/key_val_32/key_val_32_codec.h"
#include "ras/codecs/netlink/netlink_codec.h"
#include "ras/codecs/protobuf/protobuf_codec.h"
#include "ras/codecs/thrift/thrift_codec.h"

namespace accel::ras {

std::vector<const Codec*> AllCodecs() {
  return {&KeyVal32Codec(),   &NetlinkCodec(), &JsonCodec(),          &ProtobufCodec(),
          &GrpcTargetCodec(), &ThriftCodec(),  &ThriftCompactCodec(), &Asn1Codec(),
          &CborCodec(),       &CperCodec()};
}

void InstallAllCodecs() {
  const std::vector<const Codec*> all = AllCodecs();
  SetCodecs(all);
}

}  // namespace accel::ras
