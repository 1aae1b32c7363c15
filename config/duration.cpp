// The duration grammar shared by the policy, the socket protocol and the client:
// human form ("1h30m", units d > h > m > s, each at most once) or ISO 8601 (P1DT2H30M).
#include "config/duration.hpp"

#include <cstdint>
#include <limits>
#include <optional>

#include "config/printable.hpp"

namespace jitd::config {
namespace {

using std::int64_t;

// Seconds per unit letter, or 0 for an unknown letter.
int64_t unit_seconds(char unit) {
    switch (unit) {
        case 'd':
        case 'D':
            return 86400;
        case 'h':
        case 'H':
            return 3600;
        case 'm':
        case 'M':
            return 60;
        case 's':
        case 'S':
            return 1;
        default:
            return 0;
    }
}

// Adds count * unit to total, refusing overflow.
bool accumulate(int64_t& total, int64_t count, int64_t unit) {
    if (count > std::numeric_limits<int64_t>::max() / unit) return false;
    const int64_t add = count * unit;
    if (total > std::numeric_limits<int64_t>::max() - add) return false;
    total += add;
    return true;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Reads a run of digits at `pos`; nullopt if there is none or it overflows.
std::optional<int64_t> read_number(std::string_view s, std::size_t& pos) {
    const std::size_t start = pos;
    int64_t n = 0;
    while (pos < s.size() && is_digit(s[pos])) {
        if (n > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
        n = n * 10 + (s[pos] - '0');
        ++pos;
    }
    if (pos == start) return std::nullopt;
    return n;
}

// One section of components, e.g. "1h30m" or ISO's "2H30M": units must come in the order
// given by `order`, each at most once.
std::string parse_components(std::string_view s, std::string_view order, int64_t& total) {
    std::size_t pos = 0;
    std::size_t next_unit = 0;  // index into `order` of the smallest unit still allowed
    while (pos < s.size()) {
        if (!is_digit(s[pos])) {
            return s[pos] == '-'
                       ? "negative durations are not allowed"
                       : "expected a number at '" + detail::printable(s.substr(pos)) + "'";
        }
        const auto n = read_number(s, pos);
        if (!n) return "number too large";
        if (pos == s.size()) {
            return "missing unit after " + std::to_string(*n) + " (use s, m, h or d, e.g. " +
                   std::to_string(*n) + "s)";
        }
        const char unit = s[pos++];
        if (unit == '.' || unit == ',') return "fractions are not allowed; use whole seconds";
        const auto at = order.find(unit, next_unit);
        if (at == std::string_view::npos) {
            if (order.find(unit) != std::string_view::npos) {
                return "unit '" + detail::printable({&unit, 1}) + "' repeated or out of order";
            }
            return "unknown unit '" + detail::printable({&unit, 1}) + "'";
        }
        next_unit = at + 1;
        if (!accumulate(total, *n, unit_seconds(unit))) return "duration too large";
    }
    return {};
}

// "P1DT2H30M5S"; weeks, months and years are refused (months and years have no fixed length).
std::string parse_iso(std::string_view s, int64_t& total) {
    s.remove_prefix(1);  // 'P'
    const auto t = s.find('T');
    const std::string_view date = s.substr(0, t);
    const std::string_view time =
        t == std::string_view::npos ? std::string_view{} : s.substr(t + 1);
    if (t != std::string_view::npos && time.empty()) {
        return "ISO 8601 duration has an empty time part";
    }
    if (date.empty() && time.empty()) return "ISO 8601 duration has no components";
    for (char c : date) {
        if (c == 'Y' || c == 'M' || c == 'W') {
            return "ISO 8601 years, months and weeks are not supported; use days (P7D)";
        }
        if (c == 'H' || c == 'S') return "hours, minutes and seconds go after 'T' (PT1H)";
    }
    if (auto err = parse_components(date, "D", total); !err.empty()) return err;
    return parse_components(time, "HMS", total);
}

}  // namespace

DurationParse parse_duration(std::string_view text) {
    DurationParse out;
    int64_t total = 0;
    std::string err;
    if (text.empty()) {
        err = "empty duration";
    } else if (text.front() == 'P') {
        err = parse_iso(text, total);
    } else {
        err = parse_components(text, "dhms", total);
    }
    if (err.empty() && total == 0) err = "must be greater than zero";
    if (!err.empty()) {
        out.error = "invalid duration '" + detail::printable(text) + "': " + err;
        return out;
    }
    out.value = std::chrono::seconds{total};
    return out;
}

std::string format_duration(std::chrono::seconds d) {
    int64_t s = d.count();
    if (s == 0) return "0s";
    std::string out;
    if (s < 0) {
        out = "-";
        // The most negative value has no positive counterpart; it is not a real duration anyway.
        if (s == std::numeric_limits<int64_t>::min()) ++s;
        s = -s;
    }
    static constexpr struct {
        int64_t seconds;
        char unit;
    } kUnits[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (const auto& u : kUnits) {
        if (s >= u.seconds) {
            out += std::to_string(s / u.seconds) + u.unit;
            s %= u.seconds;
        }
    }
    return out;
}

}  // namespace jitd::config
