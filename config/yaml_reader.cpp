// Strict, typed reading of yaml-cpp nodes for the policy loader.
#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <yaml-cpp/anchor.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "config/duration.hpp"
#include "config/policy_loader.hpp"
#include "config/printable.hpp"

namespace jitd::config::detail {
namespace {

// yaml-cpp tags plain (unquoted) scalars "?"; numbers and booleans must be plain.
bool is_plain(const YAML::Node& n) {
    return n.Tag() == "?";
}

// Levenshtein distance, for "did you mean" on misspelt keys (keys are short).
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

std::string unknown_key_message(const std::string& key, std::string_view what,
                                std::initializer_list<std::string_view> allowed) {
    std::string msg = "unknown key '" + printable(key) + "' in " + std::string(what);
    for (auto name : allowed) {
        if (edit_distance(key, name) <= 2) {
            return msg + "; did you mean '" + std::string(name) + "'?";
        }
    }
    msg += "; expected ";
    std::size_t i = 0;
    for (auto name : allowed) {
        if (i > 0) msg += i + 1 == allowed.size() ? " or " : ", ";
        msg += name;
        ++i;
    }
    return msg;
}

// Records where each document starts, and nothing else.
class DocumentStarts final : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> starts;
    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

}  // namespace

YAML::Node Reader::load_document(std::string_view text) const {
    const std::string copy(text);
    try {
        // Not YAML::LoadAll: on a stray token such as "," yaml-cpp 0.7 reports empty documents
        // forever, allocating until the OOM killer comes (fixed upstream in yaml-cpp PR #1319).
        // Two rounds of the parser are enough to know whether there is a second document.
        std::istringstream in(copy);
        YAML::Parser parser(in);
        DocumentStarts docs;
        for (int round = 0; round < 2 && parser.HandleNextDocument(docs); ++round) {
        }
        if (docs.starts.size() > 1) {
            fail(docs.starts[1],
                 "stray content or a second YAML document; a policy is one YAML document");
        }
        return YAML::Load(copy);
    } catch (const YAML::DeepRecursion& e) {
        fail(e.mark, "YAML nested more than " + std::to_string(e.depth()) + " levels deep");
    } catch (const YAML::Exception& e) {
        // yaml-cpp quotes the offending byte raw, even a NUL.
        const std::string message = "YAML syntax error: " + printable(e.msg, 200);
        fail(e.mark, message);
    }
}

const Field* Fields::get(std::string_view name) const {
    for (const auto& f : items_) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return (is_plain(node) ? "'" : "the quoted string '") + printable(node.Scalar()) + "'";
        default:
            return "nothing";
    }
}

YAML::Mark mark_or(const YAML::Node& node, const YAML::Mark& fallback) {
    if (!node.IsDefined() || node.IsNull()) return fallback;
    const YAML::Mark m = node.Mark();
    return m.is_null() ? fallback : m;
}

void Reader::fail(const YAML::Mark& at, const std::string& message) const {
    if (at.is_null()) throw PolicyError(origin_, 1, 1, message);
    throw PolicyError(origin_, at.line + 1, at.column + 1, message);
}

void Reader::fail(const Field& at, const std::string& message) const {
    fail(mark_or(at.value, at.key.Mark()), message);
}

void Reader::fail_node(const YAML::Node& at, const YAML::Mark& fallback,
                       const std::string& message) const {
    fail(mark_or(at, fallback), message);
}

Fields Reader::mapping(const YAML::Node& node, const YAML::Mark& fallback, std::string_view what,
                       std::initializer_list<std::string_view> allowed) const {
    if (!node.IsMap()) {
        fail_node(node, fallback,
                  std::string(what) + ": expected a mapping, got " + describe(node));
    }
    Fields out;
    std::vector<std::pair<std::string, YAML::Mark>> seen;
    for (const auto& kv : node) {
        const YAML::Node& key = kv.first;
        const YAML::Mark key_mark = mark_or(key, mark_or(kv.second, fallback));
        if (!key.IsScalar()) {
            fail(key_mark, std::string(what) + ": keys must be plain words, got " + describe(key));
        }
        const std::string& name = key.Scalar();
        for (const auto& [prev, prev_mark] : seen) {
            if (prev == name) {
                fail(key_mark, "duplicate key '" + printable(name) + "' in " + std::string(what) +
                                   " (first at line " + std::to_string(line_of(prev_mark)) + ")");
            }
        }
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            fail(key_mark, unknown_key_message(name, what, allowed));
        }
        seen.emplace_back(name, key_mark);
        out.add(Field{name, key, kv.second});
    }
    return out;
}

std::vector<YAML::Node> Reader::sequence(const Field& f) const {
    if (!f.value.IsSequence()) {
        fail(f, f.name + ": expected a list, got " + describe(f.value));
    }
    std::vector<YAML::Node> out;
    for (const auto& item : f.value) out.push_back(item);
    return out;
}

std::string Reader::string(const Field& f) const {
    if (!f.value.IsScalar()) fail(f, f.name + ": expected a string, got " + describe(f.value));
    return f.value.Scalar();
}

long long Reader::integer(const Field& f, long long lo, long long hi) const {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!f.value.IsScalar() || !is_plain(f.value)) {
        fail(f, f.name + ": expected an integer " + range + ", got " + describe(f.value));
    }
    const std::string& text = f.value.Scalar();
    long long v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::invalid_argument || end != text.data() + text.size()) {
        fail(f, f.name + ": expected an integer " + range + ", got " + describe(f.value));
    }
    if (ec == std::errc::result_out_of_range || v < lo || v > hi) {
        fail(f, f.name + ": " + text + " is out of range " + range);
    }
    return v;
}

bool Reader::boolean(const Field& f) const {
    if (f.value.IsScalar() && is_plain(f.value)) {
        const std::string& t = f.value.Scalar();
        if (t == "true" || t == "True" || t == "TRUE") return true;
        if (t == "false" || t == "False" || t == "FALSE") return false;
    }
    fail(f, f.name + ": expected true or false, got " + describe(f.value));
}

std::chrono::seconds Reader::duration(const Field& f) const {
    if (!f.value.IsScalar()) {
        fail(f, f.name + ": expected a duration such as 3h or PT3H, got " + describe(f.value));
    }
    const auto parsed = parse_duration(f.value.Scalar());
    if (!parsed) fail(f, f.name + ": " + parsed.error);
    return parsed.value;
}

Cidr Reader::cidr(const Field& f, const YAML::Node& item) const {
    const YAML::Mark at = mark_or(item, mark_or(f.value, f.key.Mark()));
    if (!item.IsScalar()) {
        fail(at, f.name + ": expected an address or CIDR, got " + describe(item));
    }
    const auto parsed = parse_cidr(item.Scalar());
    if (!parsed) fail(at, f.name + ": " + parsed.error);
    return parsed.value;
}

}  // namespace jitd::config::detail
