// Strict YAML loader: any problem is a PolicyError carrying FILE:LINE:COLUMN.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "config/policy.hpp"

namespace jitd::config {

class PolicyError : public std::runtime_error {
  public:
    // line and column are 1-based; 0 means "the whole file" (e.g. it cannot be read).
    PolicyError(std::string file, int line, int column, std::string message);
    const std::string& file() const { return file_; }
    int line() const { return line_; }
    int column() const { return column_; }
    const std::string& message() const { return message_; }  // without the location prefix

  private:
    std::string file_;
    int line_;
    int column_;
    std::string message_;
};

// what() is "FILE:LINE:COLUMN: message" ("FILE: message" when line is 0, e.g. the file cannot be
// read). The origin in messages is the path (or origin) exactly as given.
Policy load_policy_file(const std::string& path);
Policy parse_policy(std::string_view yaml_text, const std::string& origin);

}  // namespace jitd::config
