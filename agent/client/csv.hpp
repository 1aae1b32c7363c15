// CSV per RFC 4180: fields with a comma, a double quote, CR or LF are quoted and their quotes
// doubled; records end in CRLF. Fields are made safe for spreadsheets first: one that starts
// with = + - @, a tab or a CR (which a spreadsheet would run as a formula) gets a leading
// single quote (the OWASP advice against CSV injection), and bytes that are not UTF-8 become
// U+FFFD so that the file decodes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jitd::client {

std::string csv_field(std::string_view field);
std::string csv_record(const std::vector<std::string>& fields);  // with the CRLF

}  // namespace jitd::client
