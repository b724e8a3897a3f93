// ras_names.cc - see ras_names.h.
#include "ras_names.h"

#include <fmt/core.h>
#include <uapi/accel/accel.h>

#include <algorithm>
#include <cctype>

#include "ras/codecs/all_codecs.h"
#include "ras/model.h"

namespace accelctl {
namespace {

// The format names are the codecs' own (ras/codecs/codec_list.inc): the first codec of a
// format names its bit, as in the daemon's codec table.
const std::vector<const accel::ras::Codec*>& Codecs() {
  static const std::vector<const accel::ras::Codec*> all = accel::ras::AllCodecs();
  return all;
}

const char* KnownFormatName(unsigned bit) {
  for (const accel::ras::Codec* c : Codecs())
    if (c->format == bit) return c->name;
  return nullptr;
}

std::string LowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::optional<unsigned> RasFormatFromName(const std::string& name) {
  const std::string lower = LowerCase(name);
  for (unsigned bit = 0; bit < 64; ++bit)
    if (const char* known = KnownFormatName(bit); known != nullptr && lower == known) return bit;
  return std::nullopt;
}

bool IsTextRasFormat(unsigned format) {
  for (const accel::ras::Codec* c : Codecs())
    if (c->format == format) return c->text;
  return false;
}

std::string KnownRasFormatNames() {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit)
    if (const char* known = KnownFormatName(bit)) names.push_back(known);
  return JoinNames(names, ", ");
}

CLI::Validator RasFormatValidator() {
  return CLI::Validator(
      [](const std::string& name) -> std::string {
        if (RasFormatFromName(name)) return {};
        return fmt::format("unknown RAS format '{}' (known: {})", name, KnownRasFormatNames());
      },
      "FORMAT");
}

std::optional<uint32_t> RasSeverityFromName(const std::string& name) {
  return accel::ras::SeverityFromName(name);
}

CLI::Validator RasSeverityValidator() {
  return CLI::Validator(
      [](const std::string& name) -> std::string {
        if (RasSeverityFromName(name)) return {};
        std::vector<std::string> known;
        for (uint32_t s = 0; s < accel::ras::kSeverityCount; ++s)
          known.emplace_back(accel::ras::SeverityName(s));
        return fmt::format("unknown severity '{}' (known: {})", name, JoinNames(known, ", "));
      },
      "SEVERITY");
}

std::vector<std::string> RasFormatNames(uint64_t mask) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((mask & (uint64_t{1} << bit)) == 0) continue;
    const char* known = KnownFormatName(bit);
    names.push_back(known ? known : fmt::format("bit{}", bit));
  }
  return names;
}

std::string RasSeverityName(uint32_t severity) {
  if (const char* name = accel::ras::SeverityName(severity)) return name;
  return fmt::format("severity{}", severity);
}

std::string RasComponentName(const std::vector<std::string>& names, uint32_t index) {
  if (index < names.size() && !names[index].empty()) return names[index];
  return fmt::format("component{}", index);
}

std::string JoinNames(const std::vector<std::string>& names, const char* separator) {
  if (names.empty()) return "-";
  std::string out = names.front();
  for (size_t i = 1; i < names.size(); ++i) out += separator + names[i];
  return out;
}

}  // namespace accelctl
