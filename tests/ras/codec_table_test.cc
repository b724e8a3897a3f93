// codec_table_test.cc - every codec of the codec table (src/ras/codecs/codec_list.inc) is
// complete: a name, its uAPI bit, a page in docs/ras/ and a fuzz target with seeds.
//
// Adding a RAS format is one codec folder, one line in the table and its uAPI bit
// (docs/ras/README.md, "Adding a format"); the rest of the tree learns the format from the
// table. What cannot be derived, the documentation and the fuzzer, is checked here, so a
// codec installed without them fails the build's tests rather than a review.
#include <gtest/gtest.h>
#include <uapi/accel/accel.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ras/codec_table.h"
#include "ras/codecs/all_codecs.h"

namespace accel::ras {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = ACCEL_SOURCE_DIR;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The codec that owns each codec's format bit: the first of that format in the table.
const Codec* OwnerOf(const Codec* c) {
  for (const Codec* other : AllCodecs())
    if (other->format == c->format) return other;
  return nullptr;
}

bool IsVariant(const Codec* c) {
  return OwnerOf(c) != c;
}

TEST(CodecTableTest, EveryCodecHasAUniqueLowercaseName) {
  std::set<std::string> seen;
  for (const Codec* c : AllCodecs()) {
    ASSERT_NE(c->name, nullptr);
    const std::string name = c->name;
    EXPECT_TRUE(std::regex_match(name, std::regex("[a-z][a-z0-9_]*"))) << name;
    EXPECT_TRUE(seen.insert(name).second) << "two codecs named " << name;
    EXPECT_NE(c->encode, nullptr) << name;
    EXPECT_NE(c->decode, nullptr) << name;
  }
}

TEST(CodecTableTest, EveryFormatIsTheUapiBitOfItsName) {
  const std::string header = ReadFile(kSource / "include/uapi/accel/accel.h");
  ASSERT_FALSE(header.empty());
  for (const Codec* c : AllCodecs()) {
    EXPECT_LT(c->format, uint32_t{ACCEL_RAS_FMT_COUNT}) << c->name;
    EXPECT_NE(c->format, uint32_t{ACCEL_RAS_FMT_RESERVED_6}) << c->name;
    if (IsVariant(c)) continue;  // a variant shares its owner's bit and is found by name
    const std::regex define("#define ACCEL_RAS_FMT_" + Upper(c->name) + " " +
                            std::to_string(c->format) + "\\b");
    EXPECT_TRUE(std::regex_search(header, define))
        << c->name << ": accel.h has no ACCEL_RAS_FMT_" << Upper(c->name) << " " << c->format;
  }
}

TEST(CodecTableTest, EveryCodecHasAPageInDocsRas) {
  const std::string index = ReadFile(kSource / "docs/ras/README.md");
  for (const Codec* c : AllCodecs()) {
    const std::string owner = OwnerOf(c)->name;
    const fs::path page = kSource / "docs/ras" / (owner + ".md");
    ASSERT_TRUE(fs::exists(page)) << c->name << ": no " << page;
    EXPECT_NE(index.find("(" + owner + ".md)"), std::string::npos)
        << "docs/ras/README.md's format table does not link " << owner << ".md";
    // A variant is described on its format's page, by name.
    if (IsVariant(c)) {
      EXPECT_NE(ReadFile(page).find(c->name), std::string::npos) << page << " lacks " << c->name;
    }
  }
}

TEST(CodecTableTest, EveryCodecHasAFuzzTargetWithSeeds) {
  std::string fuzz_lists;
  for (const fs::directory_entry& e : fs::directory_iterator(kSource / "fuzz/ras"))
    if (e.path().extension() == ".cmake") fuzz_lists += ReadFile(e.path());
  for (const Codec* c : AllCodecs()) {
    const std::string target = std::string("ras_") + c->name + "_decode_fuzz";
    EXPECT_NE(fuzz_lists.find("accel_add_fuzzer(" + target), std::string::npos)
        << c->name << ": no " << target << " in fuzz/ras/*.cmake";
    const fs::path seeds = kSource / "fuzz/corpus" / target;
    EXPECT_TRUE(fs::is_directory(seeds) && !fs::is_empty(seeds)) << "no seeds in " << seeds;
  }
}

TEST(CodecTableTest, InstallingTheTableOffersEveryFormatAndName) {
  InstallAllCodecs();
  uint64_t owners = 0;
  for (const Codec* c : AllCodecs()) {
    if (!IsVariant(c)) owners |= uint64_t{1} << c->format;
    EXPECT_EQ(FindCodecByName(c->name), c) << c->name;
    EXPECT_EQ(FindCodec(c->format), OwnerOf(c)) << c->name;
  }
  EXPECT_EQ(InstalledFormats(), owners);
  // Today's table: every assigned bit of the uAPI has its codec.
  uint64_t assigned = 0;
  for (uint32_t bit = 0; bit < ACCEL_RAS_FMT_COUNT; ++bit)
    if (bit != ACCEL_RAS_FMT_RESERVED_6) assigned |= uint64_t{1} << bit;
  EXPECT_EQ(owners, assigned);
}

}  // namespace
}  // namespace accel::ras
