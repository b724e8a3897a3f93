// text_table.cc - see text_table.h.
#include "text_table.h"

#include <algorithm>
#include <utility>

namespace accelctl {

TextTable::TextTable(std::vector<std::string> header) {
  rows_.push_back(std::move(header));
}

void TextTable::AddRow(std::vector<std::string> cells) {
  if (cells.size() < rows_.front().size()) cells.resize(rows_.front().size());
  rows_.push_back(std::move(cells));
}

std::vector<size_t> TextTable::ColumnWidths() const {
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : rows_) {
    if (row.size() > widths.size()) widths.resize(row.size());
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  return widths;
}

std::string TextTable::Render(const std::string& indent) const {
  const std::vector<size_t> widths = ColumnWidths();
  std::string out;
  for (const std::vector<std::string>& row : rows_) {
    std::string line = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - row[c].size() + 2, ' ');
    }
    while (line.size() > indent.size() && line.back() == ' ') line.pop_back();  // empty cells
    out += line + '\n';
  }
  return out;
}

}  // namespace accelctl
