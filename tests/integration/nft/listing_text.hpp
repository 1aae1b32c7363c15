// `nft list` output made comparable: element lists joined on one line and sorted (hash sets
// list in hash order), counters and remaining times dropped.
#pragma once

#include <algorithm>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace jitd::nft::testing {

inline std::string comparable_listing(std::string text) {
    text = std::regex_replace(text, std::regex(",\n[ \t]+"), ", ");
    text = std::regex_replace(text, std::regex(" expires [0-9dhms]+"), "");
    text = std::regex_replace(text, std::regex("counter packets [0-9]+ bytes [0-9]+"), "counter");
    std::istringstream in(text);
    std::string out, line;
    const std::string open = "elements = { ";
    while (std::getline(in, line)) {
        const auto at = line.find(open);
        if (at != std::string::npos && line.size() >= 2 && line.ends_with(" }")) {
            const std::string body =
                line.substr(at + open.size(), line.size() - 2 - at - open.size());
            std::vector<std::string> items;
            std::size_t pos = 0;
            while (true) {
                const auto comma = body.find(", ", pos);
                items.push_back(body.substr(pos, comma - pos));
                if (comma == std::string::npos) break;
                pos = comma + 2;
            }
            std::sort(items.begin(), items.end());
            line = line.substr(0, at + open.size());
            for (std::size_t i = 0; i < items.size(); ++i) line += (i ? ", " : "") + items[i];
            line += " }";
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace jitd::nft::testing
