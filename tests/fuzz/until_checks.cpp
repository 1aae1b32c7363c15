#include "tests/fuzz/until_checks.hpp"

#include "agent/client/until_time.hpp"
#include "config/duration.hpp"

namespace jitd::fuzz {
namespace {

using namespace std::chrono_literals;

// 2026-03-28T12:00:00Z, a day before a DST change.
constexpr wire::SysSeconds kNow{std::chrono::seconds{1774699200}};
constexpr wire::SysSeconds kChange = kNow + 13h;

std::chrono::seconds offset_at(wire::SysSeconds t) {
    return t < kChange ? 1h : 2h;
}

bool is_clock_form(std::string_view s) {
    return (s.size() == 5 || s.size() == 8) && s[2] == ':';
}

}  // namespace

std::string check_until_input(std::string_view input) {
    const auto r = client::parse_until(input, kNow, offset_at);
    if (!r) return r.error.empty() ? "refused without a message" : "";
    if (!r.error.empty()) return "accepted with an error";
    if (r.value <= kNow) return "an end that is not after now";
    if (!input.empty() && input.front() == '+') {
        const auto d = config::parse_duration(input.substr(1));
        if (!d || r.value - kNow != d.value) return "+DURATION does not end DURATION from now";
    } else if (is_clock_form(input)) {
        if (r.value - kNow > 48h) return "a clock time more than two days ahead";
        const auto local = r.value + offset_at(r.value);
        const auto tod = local - std::chrono::floor<std::chrono::days>(local);
        const auto h = (input[0] - '0') * 10 + (input[1] - '0');
        if (std::chrono::duration_cast<std::chrono::hours>(tod).count() != h)
            return "a clock time that does not show its hour";
    }
    return "";
}

}  // namespace jitd::fuzz
