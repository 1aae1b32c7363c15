#include "agent/client/daemon_commands.hpp"

#include <ostream>

#include "agent/client/approval_commands.hpp"
#include "agent/client/daemon_call.hpp"
#include "agent/client/daemon_connection.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/grant_text.hpp"
#include "agent/client/time_text.hpp"
#include "agent/wire/timefmt.hpp"
#include "config/duration.hpp"

namespace jitd::client {
namespace {

using nlohmann::json;

int print_grant(const json& answer, Io& io) {
    const auto g = wire::grant_from_json(answer.at("grant"));
    io.out << "granted " << g.id << ": " << port_text(g) << " from " << source_text(g.source)
           << " for " << config::format_duration(g.end - g.start) << ", "
           << ends_in_text(g.end, io.now());
    if (answer.contains("superseded"))
        io.out << "; replaces " << answer.at("superseded").get<std::string>();
    io.out << "\n";
    return int{kExitOk};
}

// The daemon keeps the connection after a pending answer to an open with wait and writes the
// decision as a second line: the grant, or the refusal that ended the request.
int await_decision(DaemonConnection& conn, const json& pending, std::chrono::seconds wait, Io& io) {
    const auto id = pending.at("id").get<std::string>();
    if (wait.count() == 0) {  // until the request lapses (the daemon then says so)
        const auto lapses = wire::parse_iso8601(pending.at("lapses").get<std::string>());
        if (!lapses) throw std::invalid_argument("the pending request has no valid lapses");
        const auto left = *lapses - io.now();
        wait = (left.count() > 0 ? left : std::chrono::seconds(0)) + std::chrono::seconds(30);
    }
    io.out << "waiting up to " << config::format_duration(wait) << " for the decision\n";
    io.out.flush();
    const auto decision = conn.next_answer(wait);
    if (!decision) {
        io.err << "jit-request: no decision on " << printable(id) << " within "
               << config::format_duration(wait)
               << "; it stays pending (see jit-request pending, or jit-request cancel "
               << printable(id) << ")\n";
        return int{kExitTempFail};
    }
    if (!decision->at("ok").get<bool>()) return refused(*decision, io);
    return print_grant(*decision, io);
}

}  // namespace

int open_grant(const DaemonTarget& s, const OpenArgs& req, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        json r = {{"op", "open"}, {"port", req.port.port}, {"source", req.source}};
        // Without --for the daemon grants the port's max_duration: one request, no lookup.
        if (req.duration) r["duration"] = config::format_duration(*req.duration);
        if (req.port.protocol) r["protocol"] = config::to_string(*req.port.protocol);
        if (!req.reason.empty()) r["reason"] = req.reason;
        if (req.wait) r["wait"] = true;
        const json answer = conn.request(r);
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        if (answer.contains("pending")) {  // the port needs approval: nothing is open yet
            io.out << pending_text(answer.at("pending"), io);
            if (req.wait) return await_decision(conn, answer.at("pending"), *req.wait, io);
            io.out << "nothing is open until it is approved; see jit-request pending\n";
            return int{kExitOk};
        }
        return print_grant(answer, io);
    });
}

int list_grants(const DaemonTarget& s, bool as_json, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        const json answer = conn.request({{"op", "list"}});
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        std::vector<wire::Grant> grants;
        for (const auto& g : answer.at("grants")) grants.push_back(wire::grant_from_json(g));
        if (as_json) {
            json arr = json::array();
            for (const auto& g : grants) arr.push_back(wire::to_json(g));
            io.out << arr.dump(2) << "\n";
        } else if (grants.empty()) {
            io.out << "no active grants\n";
        } else {
            io.out << grants_table(grants, io.now());
        }
        // Older daemons send no pending requests; --json stays the array of grants.
        const json pending = answer.value("pending", json::array());
        if (!as_json && pending.is_array() && !pending.empty())
            io.out << "pending requests:\n" << pending_table(pending, io);
        return int{kExitOk};
    });
}

int revoke_grant(const DaemonTarget& s, const std::string& id, bool kill, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        json req{{"op", "revoke"}, {"id", id}};
        if (kill) req["kill"] = true;
        const json answer = conn.request(req);
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        const auto g = wire::grant_from_json(answer.at("grant"));
        io.out << "revoked " << g.id << ": " << port_text(g) << " from " << source_text(g.source)
               << " (" << g.user << ")\n";
        if (const auto k = answer.find("killed"); k != answer.end() && k->is_object()) {
            io.out << "ended " << k->value("sockets", 0) << " sockets and "
                   << k->value("conntrack", 0) << " conntrack entries\n";
            if (k->contains("problem"))
                io.err << "jit-request: warning: " << k->value("problem", "") << "\n";
        }
        return int{kExitOk};
    });
}

int extend_grant(const DaemonTarget& s, const std::string& id, std::chrono::seconds d, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        const json answer =
            conn.request({{"op", "extend"}, {"id", id}, {"duration", config::format_duration(d)}});
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        const auto g = wire::grant_from_json(answer.at("grant"));
        io.out << "extended " << g.id << ": " << port_text(g) << " from " << source_text(g.source)
               << " now " << ends_in_text(g.end, io.now()) << "\n";
        return int{kExitOk};
    });
}

int show_status(const DaemonTarget& s, bool as_json, Io& io) {
    return guarded(s, io, [&](DaemonConnection& conn) {
        json answer = conn.request({{"op", "status"}});
        if (!answer.at("ok").get<bool>()) return refused(answer, io);
        if (as_json) {
            answer.erase("ok");
            io.out << answer.dump(2) << "\n";
        } else {
            io.out << status_text(answer);
        }
        return int{kExitOk};
    });
}

}  // namespace jitd::client
