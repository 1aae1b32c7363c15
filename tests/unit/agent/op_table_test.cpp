// agent/PROTOCOL.md's request table and the daemon's op table (op_table.cpp) say the same:
// every op, the role it needs, the own-grants rule and the fields it accepts.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/daemon/op_table.hpp"

namespace jitd::agent {
namespace {

struct DocRow {
    std::string role;
    bool own_only = false;
    std::set<std::string> fields;
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line.substr(1));  // after the leading '|'
    for (std::string cell; std::getline(in, cell, '|');) out.push_back(trim(cell));
    return out;
}

// "port, protocol?, source" -> {port, protocol, source}; "—" -> {}.
std::set<std::string> field_names(const std::string& cell) {
    std::set<std::string> names;
    if (cell == "—") return names;
    std::stringstream in(cell);
    for (std::string name; std::getline(in, name, ',');) {
        name = trim(name);
        if (!name.empty() && name.back() == '?') name.pop_back();
        names.insert(name);
    }
    return names;
}

// The table under "## Requests" whose header starts "| op".
std::map<std::string, DocRow> documented_ops() {
    std::ifstream file(JITD_PROTOCOL_MD);
    EXPECT_TRUE(file) << "cannot read " << JITD_PROTOCOL_MD;
    std::map<std::string, DocRow> rows;
    bool in_section = false;
    bool in_table = false;
    for (std::string line; std::getline(file, line);) {
        if (line.rfind("## ", 0) == 0) in_section = line == "## Requests";
        if (!in_section) continue;
        if (!in_table) {
            in_table = line.rfind("| op ", 0) == 0;
            continue;
        }
        if (line.empty() || line[0] != '|') break;
        auto c = cells(line);
        if (c.size() < 4 || c[0].find_first_not_of('-') == std::string::npos) continue;
        rows[c[0]] = DocRow{c[1], c[2].rfind("yes", 0) == 0, field_names(c[3])};
    }
    return rows;
}

TEST(OpTable, ProtocolMdListsEveryOpAsTheCodeDoes) {
    const auto doc = documented_ops();
    ASSERT_FALSE(doc.empty()) << "no request table in " << JITD_PROTOCOL_MD;
    EXPECT_EQ(doc.size(), op_table().size()) << "PROTOCOL.md and op_table() list other ops";
    for (const OpSpec& spec : op_table()) {
        const std::string name(spec.name);
        SCOPED_TRACE(name);
        auto it = doc.find(name);
        ASSERT_NE(it, doc.end()) << "op " << name << " is missing from PROTOCOL.md";
        EXPECT_EQ(it->second.role, to_string(spec.needed));
        EXPECT_EQ(it->second.own_only, spec.own_grants_only);
        const std::set<std::string> code_fields(spec.fields.begin(), spec.fields.end());
        EXPECT_EQ(it->second.fields, code_fields);
    }
}

// The parser accepts exactly the fields the table names: each one alone gets past the
// unknown-field check, and a field of another op does not.
TEST(OpTable, ParserAcceptsExactlyTheTablesFields) {
    for (const OpSpec& spec : op_table()) {
        const std::string name(spec.name);
        SCOPED_TRACE(name);
        for (std::string_view field : spec.fields) {
            auto p =
                parse_request(R"({"op":")" + name + R"(",")" + std::string(field) + R"(":null})");
            EXPECT_EQ(p.error.find("unknown field"), std::string::npos) << field << ": " << p.error;
        }
        auto p = parse_request(R"({"op":")" + name + R"(","user":"root"})");
        EXPECT_NE(p.error.find("unknown field \"user\" for op " + name), std::string::npos)
            << p.error;
    }
}

}  // namespace
}  // namespace jitd::agent
