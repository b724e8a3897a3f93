// text_table.h - a plain-text table with aligned columns, as lspci and nvidia-smi print them.
//
// Columns are separated by two spaces and padded to their widest cell; the last column is not
// padded, so lines carry no trailing blanks. Cells are printed as given (no wrapping).
//
//   TextTable t({"NODE", "DRIVER"});
//   t.AddRow({"accel0", "dummy"});
//   fmt::print("{}", t.Render());
#ifndef ACCEL_TOOLS_ACCELCTL_TEXT_TABLE_H_
#define ACCEL_TOOLS_ACCELCTL_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace accelctl {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);

  // A row with fewer cells than the header is padded with empty cells; extra cells are kept.
  void AddRow(std::vector<std::string> cells);

  // Every line (header first), each ending in '\n' and starting with `indent`.
  std::string Render(const std::string& indent = "") const;

 private:
  std::vector<size_t> ColumnWidths() const;

  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
};

}  // namespace accelctl

#endif  // ACCEL_TOOLS_ACCELCTL_TEXT_TABLE_H_
