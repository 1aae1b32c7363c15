// CSV per RFC 4180: fields with a comma, a double quote, CR or LF are quoted and their quotes
// doubled; records end in CRLF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jitd::client {

std::string csv_field(std::string_view field);
std::string csv_record(const std::vector<std::string>& fields);  // with the CRLF

}  // namespace jitd::client
