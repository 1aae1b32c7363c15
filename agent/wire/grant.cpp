#include "agent/wire/grant.hpp"

#include <stdexcept>

namespace jitd::wire {

nlohmann::json to_json(const Grant& g) {
    return {{"id", g.id},
            {"user", g.user},
            {"uid", g.uid},
            {"port", g.port},
            {"protocol", config::to_string(g.protocol)},
            {"source", g.source},
            {"start", format_iso8601(g.start)},
            {"end", format_iso8601(g.end)},
            {"reason", g.reason}};
}

Grant grant_from_json(const nlohmann::json& j) {
    Grant g;
    g.id = j.at("id").get<std::string>();
    g.user = j.at("user").get<std::string>();
    g.uid = j.at("uid").get<uid_t>();
    g.port = j.at("port").get<std::uint16_t>();
    auto proto = config::protocol_from_text(j.at("protocol").get<std::string>());
    if (!proto) throw std::invalid_argument("grant has an unknown protocol");
    g.protocol = *proto;
    g.source = j.at("source").get<std::string>();
    auto start = parse_iso8601(j.at("start").get<std::string>());
    auto end = parse_iso8601(j.at("end").get<std::string>());
    if (!start || !end) throw std::invalid_argument("grant has a malformed time");
    g.start = *start;
    g.end = *end;
    g.reason = j.value("reason", "");
    return g;
}

}  // namespace jitd::wire
