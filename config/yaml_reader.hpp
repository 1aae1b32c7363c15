// Internal to the loader: strict, typed reading of yaml-cpp nodes. Every mistake becomes a
// PolicyError at the offending node's line and column. Not part of the config interface.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/cidr.hpp"

namespace jitd::config::detail {

// One `key: value` pair of a mapping; `name` is how messages call it ("max_duration").
struct Field {
    std::string name;
    YAML::Node key;
    YAML::Node value;
};

// `f` as messages should call it: a nested key's full name ("approval.wait").
inline Field named(const Field& f, std::string name) {
    Field out = f;
    out.name = std::move(name);
    return out;
}

// The checked keys of one mapping.
class Fields {
  public:
    const Field* get(std::string_view name) const;
    void add(Field f) { items_.push_back(std::move(f)); }

  private:
    std::vector<Field> items_;
};

class Reader {
  public:
    explicit Reader(std::string origin) : origin_(std::move(origin)) {}
    const std::string& origin() const { return origin_; }

    // The single YAML document in `text`; syntax errors and a second document are refused.
    YAML::Node load_document(std::string_view text) const;

    [[noreturn]] void fail(const YAML::Mark& at, const std::string& message) const;
    // At the value, or at its key when the value is empty (an empty value has no useful mark).
    [[noreturn]] void fail(const Field& at, const std::string& message) const;
    [[noreturn]] void fail_node(const YAML::Node& at, const YAML::Mark& fallback,
                                const std::string& message) const;

    // `node` must be a mapping with unique scalar keys, each one of `allowed`; `what` names
    // the mapping in messages ("a ports entry").
    Fields mapping(const YAML::Node& node, const YAML::Mark& fallback, std::string_view what,
                   std::initializer_list<std::string_view> allowed) const;
    std::vector<YAML::Node> sequence(const Field& f) const;
    std::string string(const Field& f) const;
    long long integer(const Field& f, long long lo, long long hi) const;
    bool boolean(const Field& f) const;
    std::chrono::seconds duration(const Field& f) const;
    // A list item that must be a CIDR; `f` is the list it belongs to.
    Cidr cidr(const Field& f, const YAML::Node& item) const;

  private:
    std::string origin_;
};

// "a mapping", "a list", "nothing", or the scalar in quotes: for "expected X, got Y".
std::string describe(const YAML::Node& node);
YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback);
// 1-based line for "first at line N" in messages.
inline int line_of(const YAML::Mark& m) {
    return m.is_null() ? 0 : m.line + 1;
}

}  // namespace jitd::config::detail
