// A batch of request lines read in one event-loop turn (Engine::handle_batch). A run of
// consecutive opens that make a grant at once is decided in order against the book (each sees
// the ones before it in the book), applied in one kernel transaction, then journaled and
// answered in order. Every other request is a barrier: the run before it is finished first.
#include <algorithm>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "agent/daemon/approval_rules.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/request_audit.hpp"
#include "agent/wire/response.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

Actor actor_of(const Peer& peer, Role role) {
    return {peer.user, peer.uid, role == Role::admin};
}

}  // namespace

struct Engine::RunDecision {
    OpenFacts facts;
    std::optional<Refusal> refusal;
    LiveGrant grant;                    // when granted
    std::optional<LiveGrant> old;       // the grant it supersedes (removed from the book)
    std::size_t old_pos = kNone;        // the run position of `old` when it is one of the run
    std::size_t superseded_by = kNone;  // a later grant of the run supersedes this one
    bool journaled = false;             // its grant record is in the journal
};

std::vector<BatchAnswer> Engine::handle_batch(std::span<const BatchLine> lines) {
    std::vector<BatchAnswer> answers(lines.size());
    std::vector<RunItem> run;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const Peer& peer = *lines[i].peer;
        RequestParse parsed = parse_request(lines[i].line);
        if (parsed && parsed.request.op == Op::open) {
            if (run.empty()) {  // as submit does: a clock step and ended grants are seen first
                check_clocks();
                expire_due();
            }
            const Request& r = parsed.request;
            const Role role = role_of(policy_.access, peer);
            if (op_spec(Op::open).incomplete(r).empty() && may_run(role, Op::open) &&
                !needs_approval(approval_for(policy_, *r.port, r.protocol), role)) {
                run.push_back({i, socket_origin(peer), std::move(parsed.request), role});
                continue;
            }
        }
        open_run(run, answers);
        run.clear();
        answers[i].line = handle(peer, lines[i].line);
        answers[i].waiting = take_waiting();
    }
    open_run(run, answers);
    return answers;
}

// One decide-apply-retry loop over the run; split it only with its invariants kept together.
// NOLINTNEXTLINE(readability-function-cognitive-complexity)
void Engine::open_run(std::vector<RunItem>& run, std::vector<BatchAnswer>& answers) {
    if (run.empty()) return;
    const auto now = wall_now();
    std::vector<std::optional<Refusal>> out(run.size());
    std::vector<RunDecision> d;
    for (;;) {
        d = decide_run(run, out, now);
        nft::Change change;
        change.replace = true;  // as Engine::apply: the book decides what may be opened
        for (const auto& x : d) {
            if (x.refusal) continue;
            if (x.old && x.old_pos == kNone)
                for (const auto& key : x.old->keys()) change.remove.push_back(key);
            if (x.superseded_by == kNone)  // else its elements need never reach the kernel
                for (const auto& key : x.grant.keys())
                    change.add.push_back(element_of(x.grant, key, now));
        }
        std::size_t culprit = kNone;
        std::string why;
        try {
            if (!change.empty()) kernel_->apply(change);
            break;
        } catch (const nft::Error& e) {
            why = e.what();
            // The element the kernel named: the request that adds it or removes it is taken
            // out, the others are decided again without it.
            for (std::size_t i = 0; e.key() && e.kind() != nft::Error::Kind::not_found &&
                                    culprit == kNone && i < d.size();
                 ++i) {
                if (d[i].refusal) continue;
                auto names = [&](const LiveGrant& g) { return g.keys().contains(*e.key()); };
                if (names(d[i].grant) || (d[i].old && d[i].old_pos == kNone && names(*d[i].old)))
                    culprit = i;
            }
        } catch (const std::exception& e) {
            why = e.what();
        }
        undo_run(d);
        if (culprit == kNone) {
            // Not traced to one request (or the table is gone): each alone, as handle() would.
            spdlog::warn(
                "kernel refused a gathered transaction of {} opens ({}); applying them "
                "one by one",
                run.size(), why);
            for (auto& item : run)
                answers[item.index].line = wire::to_line(submit(item.origin, item.request));
            return;
        }
        const wire::Grant& g = d[culprit].grant.grant;
        spdlog::warn("kernel refused grant {} ({}): {}", g.id, describe(g), why);
        out[culprit] = Refusal{ErrorCode::internal, "the kernel refused grant " + g.id + " (" +
                                                        describe(g) + "): " + why};
    }
    journal_run(run, d, now, answers);
}

std::vector<Engine::RunDecision> Engine::decide_run(const std::vector<RunItem>& run,
                                                    const std::vector<std::optional<Refusal>>& out,
                                                    wire::SysSeconds now) {
    std::vector<RunDecision> d(run.size());
    std::unordered_map<std::string, std::size_t> in_run;  // grant id -> run position
    for (std::size_t i = 0; i < run.size(); ++i) {
        const Request& r = run[i].request;
        OpenRequest req{*r.port, r.protocol, *r.source, r.duration, r.reason};
        auto verdict = check_open(policy_, book_, actor_of(run[i].origin.peer, run[i].role), req,
                                  now, &d[i].facts);
        if (out[i]) {  // taken out after the kernel refused its element: facts only
            d[i].refusal = out[i];
            continue;
        }
        if (auto* refusal = std::get_if<Refusal>(&verdict)) {
            d[i].refusal = *refusal;
            continue;
        }
        auto& plan = std::get<OpenPlan>(verdict);
        LiveGrant& grant = plan.grant;
        do grant.grant.id = new_grant_id();
        while (book_.find(grant.grant.id) != nullptr);
        if (plan.supersedes) {
            d[i].old = book_.remove(*plan.supersedes);
            if (auto it = in_run.find(*plan.supersedes); it != in_run.end()) {
                d[i].old_pos = it->second;
                d[it->second].superseded_by = i;
            }
        }
        in_run.emplace(grant.grant.id, i);
        d[i].grant = grant;
        book_.add(std::move(grant));
    }
    return d;
}

void Engine::undo_run(const std::vector<RunDecision>& d) {
    for (auto x = d.rbegin(); x != d.rend(); ++x) {
        if (x->refusal) continue;
        book_.remove(x->grant.grant.id);
        if (x->old) book_.add(*x->old);
    }
}

// Records in decision order with the rollback of each refused one; kept whole for that order.
// NOLINTNEXTLINE(readability-function-cognitive-complexity)
void Engine::journal_run(const std::vector<RunItem>& run, std::vector<RunDecision>& d,
                         wire::SysSeconds now, std::vector<BatchAnswer>& answers) {
    for (std::size_t i = 0; i < run.size(); ++i) {
        const RunItem& item = run[i];
        RunDecision& x = d[i];
        AuditEvent ev(AuditKind::grant);
        note_request(ev, item.origin, true, item.request);
        if (x.facts.protocol) ev.set("JITD_PROTOCOL", config::to_string(*x.facts.protocol));
        if (x.facts.source) ev.set("JITD_SOURCE", *x.facts.source);
        if (x.refusal) {
            answers[item.index].line = wire::to_line(refuse(ev, *x.refusal));
            continue;
        }
        const wire::Grant g = x.grant.grant;
        ev.grant(g);
        const std::string end = wire::format_iso8601(g.end);
        ev.message(g.user + " granted " + describe(g) + " until " + end + " (" + g.id + ")");
        if (!ev.commit()) {
            // This grant alone goes back: the kernel and the book as if it had not been made.
            // A later grant of the run that superseded it supersedes what it superseded.
            nft::Change undo;
            book_.remove(g.id);
            if (x.superseded_by != kNone) {
                RunDecision& by = d[x.superseded_by];
                by.old = std::move(x.old);
                by.old_pos = x.old_pos;
                if (x.old_pos != kNone) d[x.old_pos].superseded_by = x.superseded_by;
            } else {
                undo.remove = x.grant.keys();
                if (x.old) {
                    for (const auto& key : x.old->keys())
                        undo.add.push_back(element_of(*x.old, key, now));
                    book_.add(*x.old);
                    if (x.old_pos != kNone) d[x.old_pos].superseded_by = kNone;
                }
            }
            const OpCall call{item.origin, item.role, item.request};
            answers[item.index].line = wire::to_line(refuse_unaudited(call, undo, "grant " + g.id));
            continue;
        }
        x.journaled = true;
        std::string_view superseded;
        if (x.old && (x.old_pos == kNone || d[x.old_pos].journaled)) {
            note_superseded(item.origin, x.old->grant, g.id);
            superseded = x.old->grant.id;
        }
        answers[item.index].line = wire::grant_line(g, end, superseded);
    }
}

}  // namespace jitd::agent
