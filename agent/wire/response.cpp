#include "agent/wire/response.hpp"

#include "agent/wire/timefmt.hpp"

namespace jitd::wire {
namespace {

// A JSON string: the text as is when it needs no escaping (plain printable ASCII), else as
// nlohmann::json writes it (invalid UTF-8 replaced).
void append_string(std::string& out, std::string_view text) {
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            out += nlohmann::json(std::string(text))
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            return;
        }
    }
    out += '"';
    out += text;
    out += '"';
}

}  // namespace

nlohmann::json ok_response() {
    return {{"ok", true}};
}

nlohmann::json error_response(ErrorCode code, const std::string& message) {
    return {{"ok", false},
            {"error", {{"code", std::string(to_string(code))}, {"message", message}}}};
}

std::string to_line(const nlohmann::json& response) {
    return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace jitd::wire

namespace jitd::wire {

std::string grant_line(const Grant& g, std::string_view end, std::string_view superseded) {
    // Keys in nlohmann::json's (sorted) order, so the line is byte for byte to_line's.
    std::string out;
    out.reserve(256 + g.reason.size());
    out += R"({"grant":{"end":)";
    append_string(out, end);
    out += R"(,"id":)";
    append_string(out, g.id);
    out += R"(,"port":)";
    out += std::to_string(g.port);
    out += R"(,"protocol":)";
    append_string(out, config::to_string(g.protocol));
    out += R"(,"reason":)";
    append_string(out, g.reason);
    out += R"(,"source":)";
    append_string(out, g.source);
    out += R"(,"start":)";
    append_string(out, format_iso8601(g.start));
    out += R"(,"uid":)";
    out += std::to_string(g.uid);
    out += R"(,"user":)";
    append_string(out, g.user);
    out += R"(},"ok":true)";
    if (!superseded.empty()) {
        out += R"(,"superseded":)";
        append_string(out, superseded);
    }
    out += '}';
    return out;
}

}  // namespace jitd::wire
