#include "agent/client/until_time.hpp"

#include <time.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/duration.hpp"

namespace jitd::client {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using LocalSeconds = std::chrono::local_seconds;

constexpr const char* kForms =
    "use HH:MM (local time), 2026-12-02T17:00Z or 2026-12-02T17:00+01:00, or +DURATION "
    "(+90m, +1h30m)";

// 'text', built by appending (GCC 12's false -Wrestrict on "literal" + std::string).
std::string quoted(std::string_view text) {
    std::string q = "'";
    q.append(text);
    q += '\'';
    return q;
}

// Exactly `n` decimal digits.
std::optional<int> digits(std::string_view s, std::size_t n) {
    if (s.size() != n) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// "HH:MM" or "HH:MM:SS", 00:00..23:59:59.
std::optional<seconds> clock_time(std::string_view s) {
    if (s.size() != 5 && s.size() != 8) return std::nullopt;
    const auto h = digits(s.substr(0, 2), 2);
    const auto m = digits(s.substr(3, 2), 2);
    if (s[2] != ':' || !h || !m || *h > 23 || *m > 59) return std::nullopt;
    int sec = 0;
    if (s.size() == 8) {
        const auto v = digits(s.substr(6, 2), 2);
        if (s[5] != ':' || !v || *v > 59) return std::nullopt;
        sec = *v;
    }
    return hours{*h} + minutes{*m} + seconds{sec};
}

// "Z", "+01:00", "-05:30": the offset to subtract to get UTC.
std::optional<seconds> zone_offset(std::string_view s) {
    if (s == "Z") return seconds{0};
    if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':') return std::nullopt;
    const auto h = digits(s.substr(1, 2), 2);
    const auto m = digits(s.substr(4, 2), 2);
    if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
    const seconds off = hours{*h} + minutes{*m};
    return s[0] == '-' ? -off : off;
}

// "2026-12-02T17:00Z" and its variants; nullopt when it is not that form.
std::optional<wire::SysSeconds> absolute_time(std::string_view s) {
    if (s.size() < 11 || s[4] != '-' || s[7] != '-' || s[10] != 'T') return std::nullopt;
    const auto y = digits(s.substr(0, 4), 4);
    const auto mo = digits(s.substr(5, 2), 2);
    const auto d = digits(s.substr(8, 2), 2);
    if (!y || !mo || !d) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{*y},
                                          std::chrono::month{static_cast<unsigned>(*mo)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    const std::string_view rest = s.substr(11);
    const auto zone_at = rest.find_first_of("Z+-");
    if (zone_at == std::string_view::npos) return std::nullopt;
    const auto tod = clock_time(rest.substr(0, zone_at));
    const auto off = zone_offset(rest.substr(zone_at));
    if (!tod || !off) return std::nullopt;
    return std::chrono::sys_days{ymd} + *tod - *off;
}

// The instants at which the local clock reads `local`: none (skipped by a DST change), one,
// or two (repeated), earliest first. Offsets are taken a day either side, which holds while a
// zone changes its offset at most once in two days.
std::vector<wire::SysSeconds> instants_of(LocalSeconds local, const UtcOffsetAt& offset_at) {
    const wire::SysSeconds guess{local.time_since_epoch()};
    std::vector<wire::SysSeconds> out;
    for (seconds off : {offset_at(guess - days{1}), offset_at(guess + days{1})}) {
        const wire::SysSeconds t = guess - off;
        if (offset_at(t) == off && std::find(out.begin(), out.end(), t) == out.end())
            out.push_back(t);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The first instant after `now` at which the local clock shows `tod`: today's (the first of a
// repeated one still ahead), else tomorrow's. Refused when a DST change skips it on that day.
UntilParse clock_until(std::string_view text, seconds tod, wire::SysSeconds now,
                       const UtcOffsetAt& offset_at) {
    UntilParse out;
    const LocalSeconds local_now{(now + offset_at(now)).time_since_epoch()};
    const auto today = std::chrono::floor<days>(local_now);
    for (const auto day : {today, today + days{1}}) {
        const auto instants = instants_of(day + tod, offset_at);
        for (const auto t : instants)
            if (t > now) {
                out.value = t;
                return out;
            }
        if (instants.empty() && day + tod > local_now) break;  // skipped, and still ahead
    }
    out.error = quoted(text) +
                " does not exist on the local clock then (a daylight saving change skips it); "
                "give the time with its offset, e.g. 2026-03-29T03:30+02:00, or use +DURATION";
    return out;
}

}  // namespace

seconds local_utc_offset(wire::SysSeconds t) {
    const time_t tt = static_cast<time_t>(t.time_since_epoch().count());
    struct tm tm {};
    if (localtime_r(&tt, &tm) == nullptr) return seconds{0};
    return seconds{tm.tm_gmtoff};
}

UntilParse parse_until(std::string_view text, wire::SysSeconds now, const UtcOffsetAt& offset_at) {
    UntilParse out;
    if (!text.empty() && text.front() == '+') {
        const auto d = config::parse_duration(text.substr(1));
        if (!d) {
            out.error = quoted(text) + ": " + d.error;
            return out;
        }
        out.value = now + d.value;
        return out;
    }
    if (const auto tod = clock_time(text)) return clock_until(text, *tod, now, offset_at);
    const auto t = absolute_time(text);
    if (!t) {
        if (config::parse_duration(text))
            out.error = quoted(text) + " is a duration: write +" + std::string(text) +
                        " for that long from now (or use --for)";
        else
            out.error = quoted(text) + " is not a time: " + kForms;
        return out;
    }
    if (*t <= now) {
        out.error = quoted(text) + " is in the past (now is " + wire::format_iso8601(now) + ")";
        return out;
    }
    out.value = *t;
    return out;
}

seconds duration_until(wire::SysSeconds end, wire::SysSeconds now) {
    return end > now ? end - now : seconds{0};
}

}  // namespace jitd::client
