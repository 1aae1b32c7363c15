// A plain-text table with aligned columns, as `list`, `status` and `audit` print them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "agent/client/display_text.hpp"

namespace jitd::client {

// Every cell (and header) is passed through printable() (display_text.hpp), so no cell can
// carry a control, bidi or zero-width character or invalid UTF-8 to the terminal.
// Columns are left-aligned, separated by two spaces; the last column is not padded, so no
// line ends in blanks. Widths count UTF-8 code points, not bytes.
class TextTable {
  public:
    explicit TextTable(std::vector<std::string> headers);
    // A row with fewer cells than headers is padded with empty cells; extra cells are an error.
    void add_row(std::vector<std::string> cells);
    std::size_t rows() const { return rows_.size(); }
    std::string render() const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Code points in `s` (UTF-8); what a terminal shows for printable text.
std::size_t display_width(std::string_view s);

}  // namespace jitd::client
