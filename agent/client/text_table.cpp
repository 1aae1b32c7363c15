#include "agent/client/text_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace jitd::client {

std::size_t display_width(std::string_view s) {
    // Continuation bytes (10xxxxxx) do not start a code point.
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {
    for (auto& h : headers_) h = printable(h);
}

void TextTable::add_row(std::vector<std::string> cells) {
    if (cells.size() > headers_.size()) throw std::logic_error("table row has too many cells");
    cells.resize(headers_.size());
    // Every cell goes through the one sanitizer, whoever wrote it: a cell is shown to a person.
    for (auto& c : cells) c = printable(c);
    rows_.push_back(std::move(cells));
}

std::string TextTable::render() const {
    std::vector<std::size_t> width(headers_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], display_width(row[i]));
    };
    measure(headers_);
    for (const auto& r : rows_) measure(r);

    std::string out;
    auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) line += "  ";
            line += row[i];
            if (i + 1 < row.size()) line.append(width[i] - display_width(row[i]), ' ');
        }
        // An empty last cell would leave the padding of the one before it.
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };
    emit(headers_);
    for (const auto& r : rows_) emit(r);
    return out;
}

}  // namespace jitd::client
