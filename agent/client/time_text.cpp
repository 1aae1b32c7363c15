#include "agent/client/time_text.hpp"

#include "config/duration.hpp"

namespace jitd::client {

using std::chrono::seconds;

std::string approximate_duration(seconds d) {
    const auto s = d.count();
    if (s < 60) return config::format_duration(d);
    // Round to the nearest unit kept, so that 41m59s reads as 42m.
    const long long unit = s < 86400 ? 60 : 3600;
    return config::format_duration(seconds{(s + unit / 2) / unit * unit});
}

std::string clock_text(wire::SysSeconds t, wire::SysSeconds now) {
    const std::string iso = wire::format_iso8601(t);  // 2026-11-23T14:03:00Z
    const bool same_day =
        std::chrono::floor<std::chrono::days>(t) == std::chrono::floor<std::chrono::days>(now);
    return (same_day ? "" : iso.substr(0, 10) + " ") + iso.substr(11, 5) + " UTC";
}

std::string ends_in_text(wire::SysSeconds end, wire::SysSeconds now) {
    if (end <= now) return "ended (" + clock_text(end, now) + ")";
    return "ends in " + approximate_duration(end - now) + " (" + clock_text(end, now) + ")";
}

std::string table_time(wire::SysSeconds t) {
    std::string iso = wire::format_iso8601(t);
    iso[10] = ' ';
    iso.pop_back();  // the Z; headers say UTC
    return iso;
}

}  // namespace jitd::client
