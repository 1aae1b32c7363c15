#include "tests/support/journal.hpp"

#include <time.h>

#include <stdexcept>

#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

std::uint64_t realtime_usec() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

}  // namespace

std::string journal_field(const nlohmann::json& entry, const std::string& name) {
    auto it = entry.find(name);
    if (it == entry.end() || it->is_null()) return "";
    const nlohmann::json* v = &*it;
    // A repeated field comes as an array of values: the first one is the value we wrote.
    if (v->is_array() && !v->empty() && !(*v)[0].is_number()) v = &(*v)[0];
    if (v->is_string()) return v->get<std::string>();
    if (v->is_array()) {  // bytes
        std::string s;
        for (const auto& b : *v) s.push_back(static_cast<char>(b.get<int>()));
        return s;
    }
    return v->dump();
}

Journal::Journal(bool since_now) : since_usec_(since_now ? realtime_usec() : 0) {}

std::vector<nlohmann::json> Journal::entries(const JournalMatch& match) const {
    // --all: without it journalctl writes null for a field over 4 KiB, hiding what a test of
    // field sizes must see.
    std::vector<std::string> argv{"journalctl", "-o", "json", "--all",
                                  "--no-pager", "-q", "-t",   "jitd"};
    for (const auto& [k, v] : match) {
        std::string term = k;
        term += '=';
        term += v;
        argv.push_back(std::move(term));
    }
    auto r = run(argv);
    std::vector<nlohmann::json> out;
    std::size_t pos = 0;
    const std::string& text = r.out;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line[0] != '{') continue;  // "-- No entries --" and the like
        auto e = nlohmann::json::parse(line, nullptr, false);
        if (e.is_discarded()) continue;
        if (since_usec_ != 0) {
            auto ts = journal_field(e, "__REALTIME_TIMESTAMP");
            if (ts.empty() || std::stoull(ts) < since_usec_) continue;
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<nlohmann::json> Journal::wait_for(const JournalMatch& match,
                                                std::chrono::milliseconds limit) const {
    auto got = wait_for_count(match, 1, limit);
    if (got.empty()) return std::nullopt;
    return got.front();
}

std::vector<nlohmann::json> Journal::wait_for_count(const JournalMatch& match, std::size_t n,
                                                    std::chrono::milliseconds limit) const {
    std::vector<nlohmann::json> got;
    poll_until(
        [&] {
            got = entries(match);
            return got.size() >= n;
        },
        limit);
    return got;
}

std::string Journal::dump() const {
    std::string s = "journal entries of jitd since the test's mark:\n";
    for (const auto& e : entries()) {
        s += "  ";
        for (const char* f : {"JITD_EVENT", "JITD_GRANT_ID", "JITD_USER", "JITD_PORT",
                              "JITD_SOURCE", "JITD_ERROR", "MESSAGE"}) {
            auto v = journal_field(e, f);
            if (!v.empty()) s += std::string(f) + "=" + v + " ";
        }
        s += "\n";
    }
    return s;
}

std::optional<nlohmann::json> wait_for_entry(const JournalMatch& match,
                                             std::chrono::milliseconds limit) {
    return Journal(false).wait_for(match, limit);
}

}  // namespace jitd::test
