#include "agent/client/approval_commands.hpp"

#include <ostream>

#include "agent/client/daemon_call.hpp"
#include "agent/client/daemon_connection.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/text_table.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {
namespace {

using nlohmann::json;

std::string approvals_text(const json& p) {
    std::string who;
    for (const auto& a : p.at("approvals")) who += (who.empty() ? "" : ", ") + a.get<std::string>();
    return std::to_string(p.at("approvals").size()) + " of " +
           std::to_string(p.at("required").get<unsigned>()) + (who.empty() ? "" : " (" + who + ")");
}

// "in 14m (14:18 UTC)".
std::string lapses_in(const json& p, Io& io) {
    std::string at = p.at("lapses").get<std::string>();
    const auto t = wire::parse_iso8601(at);
    if (!t) return at;
    const auto now = io.now();
    if (*t <= now) return "now (" + clock_text(*t, now) + ")";
    return "in " + approximate_duration(*t - now) + " (" + clock_text(*t, now) + ")";
}

std::string what(const json& p) {
    return std::to_string(p.at("port").get<unsigned>()) + "/" +
           p.at("protocol").get<std::string>() + " from " + p.at("source").get<std::string>() +
           " for " + p.at("duration").get<std::string>();
}

}  // namespace

std::string pending_text(const json& p, Io& io) {
    return "request " + printable(p.at("id").get<std::string>()) +
           " awaits approval: " + printable(what(p)) + "; approvals " +
           printable(approvals_text(p)) + "; lapses " + lapses_in(p, io) + "\n";
}

std::string pending_table(const json& pending, Io& io) {
    TextTable t({"ID", "USER", "PORT", "SOURCE", "FOR", "APPROVALS", "LAPSES", "REASON"});
    for (const auto& p : pending) {
        std::string approvals = approvals_text(p);
        if (p.value("may_decide", false)) approvals += " *";
        t.add_row({p.at("id").get<std::string>(), p.at("user").get<std::string>(),
                   std::to_string(p.at("port").get<unsigned>()) + "/" +
                       p.at("protocol").get<std::string>(),
                   p.at("source").get<std::string>(), p.at("duration").get<std::string>(),
                   approvals, lapses_in(p, io), p.value("reason", "")});
    }
    return t.render() + "(* you may approve or reject it)\n";
}

int list_pending(const DaemonTarget& s, bool as_json, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        const json answer = conn.request({{"op", "pending"}});
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        const json& pending = answer.at("pending");
        if (as_json)
            io.out << pending.dump(2) << "\n";
        else if (pending.empty())
            io.out << "no pending requests\n";
        else
            io.out << pending_table(pending, io);
        return int{kExitOk};
    });
}

int decide_request(const DaemonTarget& s, const std::string& op, const std::string& id,
                   const std::string& reason, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        json req{{"op", op}, {"id", id}};
        if (!reason.empty()) req["reason"] = reason;
        const json answer = conn.request(req);
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        if (answer.contains("grant")) {
            const json& g = answer.at("grant");
            io.out << "approved " << printable(id) << ": granted " << printable(g.value("id", ""))
                   << " to " << printable(g.value("user", "")) << "\n";
        } else if (answer.contains("pending")) {
            io.out << "approved " << printable(id) << "; approvals "
                   << printable(approvals_text(answer.at("pending"))) << ", waiting for more\n";
        } else {
            io.out << "rejected " << printable(id) << "\n";
        }
        return int{kExitOk};
    });
}

int cancel_request(const DaemonTarget& s, const std::string& id, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        const json answer = conn.request({{"op", "cancel"}, {"id", id}});
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        io.out << "cancelled " << printable(id) << "\n";
        return int{kExitOk};
    });
}

}  // namespace jitd::client
