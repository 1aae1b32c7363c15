/* jitd's Cockpit page: the views. State comes from jitd's `status`, `list` and `pending`
 * answers, refreshed every 10 seconds and after every action; the countdowns tick each second
 * from the grants' end times. Buttons follow the role `status` reports; the daemon decides
 * anyway, and its refusals are shown as it words them. */
"use strict";

(function () {
    const api = jitdApi;
    const $ = id => document.getElementById(id);
    const state = { status: null, grants: [], pending: [], audit: null, shown: "" };
    const VIEWS = ["ports", "request", "grants", "pending", "activity"];

    /* A table cell or element with text (never HTML: every value may come from a user). */
    function el(tag, text, cls) {
        const e = document.createElement(tag);
        if (text !== undefined && text !== null) e.textContent = String(text);
        if (cls) e.className = cls;
        return e;
    }
    function row(values) {
        const tr = document.createElement("tr");
        values.forEach(v => tr.appendChild(v instanceof Node ? wrap(v) : el("td", v)));
        return tr;
    }
    function wrap(node) {
        const td = document.createElement("td");
        td.appendChild(node);
        return td;
    }
    function button(text, cls, onClick) {
        const b = el("button", text, "pf-c-button " + cls);
        b.type = "button";
        b.addEventListener("click", onClick);
        return b;
    }
    function fill(tbody, rows) {
        tbody.replaceChildren(...rows);
    }
    function say(id, text, ok) {
        const box = $(id);
        box.replaceChildren(el("p", text, ok ? "jitd-ok" : "jitd-error"));
    }
    function sentence(answer) {
        return answer.error ? answer.error.message : "jitd refused the request.";
    }

    function role() {
        return state.status ? state.status.role : "none";
    }
    function mayRequest() {
        return role() === "requester" || role() === "admin";
    }
    function mayChange(grant) {
        return role() === "admin" || (role() === "requester" && state.status && grant.user === state.status.user);
    }

    /* Tabs: arrow keys move between them (WAI-ARIA tabs), Enter/Space or a click selects. */
    function select(name) {
        VIEWS.forEach(v => {
            const tab = $("tab-" + v);
            const on = v === name;
            tab.setAttribute("aria-selected", on ? "true" : "false");
            tab.tabIndex = on ? 0 : -1;
            tab.classList.toggle("pf-m-current", on);
            $("view-" + v).hidden = !on;
        });
        if (name === "activity" && !state.audit) loadAudit();
    }
    function setupTabs() {
        VIEWS.forEach(v => $("tab-" + v).addEventListener("click", () => select(v)));
        $("main").querySelector('[role="tablist"]').addEventListener("keydown", event => {
            const shown = VIEWS.filter(v => !$("tab-" + v).hidden);
            const at = shown.indexOf(document.activeElement.id.replace("tab-", ""));
            if (at < 0 || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
            const next = shown[(at + (event.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
            select(next);
            $("tab-" + next).focus();
            event.preventDefault();
        });
    }

    function showProblem(text) {
        const box = $("problem");
        box.textContent = text || "";
        box.hidden = !text;
    }

    function renderStatus() {
        const s = state.status;
        $("whoami").textContent = "Signed in as " + s.user + ", role " + s.role + "; jitd " + s.version +
            ", " + s.grants + " active grant" + (s.grants === 1 ? "" : "s") + ".";
        fill($("ports-table").tBodies[0], s.ports.map(p => row([
            p.port, p.protocol, p.max_duration,
            Array.isArray(p.allowed_sources) ? p.allowed_sources.join(", ") : p.allowed_sources,
            p.active_grants,
            p.approval ? p.approval.required + " approval" + (p.approval.required === 1 ? "" : "s") : "no",
        ])));
        const recommended = s.recommended || [];
        $("recommended").hidden = recommended.length === 0;
        fill($("recommended-table").tBodies[0], recommended.map(r => row([
            r.port, r.protocol, r.service, el("code", r.policy)])));
        renderRequestForm();
    }

    function renderRequestForm() {
        const s = state.status;
        const allowed = mayRequest();
        $("request-form").hidden = !allowed;
        $("request-not-allowed").hidden = allowed;
        const select = $("req-port");
        const chosen = select.value;
        select.replaceChildren(...s.ports.map(p => {
            const o = el("option", p.port + "/" + p.protocol + " (at most " + p.max_duration + ")");
            o.value = p.port + "/" + p.protocol;
            return o;
        }));
        if (chosen) select.value = chosen;
        const port = currentPort();
        $("req-max").textContent = port ? "At most " + port.max_duration + "; empty means the maximum." : "";
        $("req-reason").required = !!s.require_reason;
        $("req-reason-required").textContent = s.require_reason ? "(required)" : "(optional)";
    }
    function currentPort() {
        const [port, protocol] = $("req-port").value.split("/");
        return state.status.ports.find(p => String(p.port) === port && p.protocol === protocol);
    }

    function renderGrants() {
        const now = Date.now();
        $("grants-empty").hidden = state.grants.length > 0;
        fill($("grants-table").tBodies[0], state.grants.map(g => {
            const actions = document.createElement("div");
            actions.className = "jitd-actions";
            if (mayChange(g)) {
                const extendFor = el("input");
                extendFor.type = "text";
                extendFor.size = 5;
                extendFor.placeholder = "30m";
                extendFor.setAttribute("aria-label", "New remaining time for " + g.id);
                actions.append(extendFor,
                               button("Extend", "pf-m-secondary jitd-extend", () => extend(g, extendFor.value)),
                               button("Revoke", "pf-m-danger jitd-revoke", () => revoke(g)));
            }
            const remaining = el("span", api.countdown(api.secondsUntil(g.end, now)), "jitd-countdown");
            remaining.dataset.end = g.end;
            const tr = row([el("code", g.id), g.user, g.port + "/" + g.protocol, g.source, api.utc(g.end),
                            remaining, g.reason, actions]);
            tr.dataset.grant = g.id;
            return tr;
        }));
    }
    function tick() {
        const now = Date.now();
        document.querySelectorAll(".jitd-countdown").forEach(span => {
            span.textContent = api.countdown(api.secondsUntil(span.dataset.end, now));
        });
    }

    function renderPending() {
        $("tab-pending").hidden = state.pending.length === 0;
        fill($("pending-table").tBodies[0], state.pending.map(r => {
            const actions = document.createElement("div");
            actions.className = "jitd-actions";
            if (r.may_decide)
                actions.append(button("Approve", "pf-m-primary", () => decide("approve", r)),
                               button("Reject", "pf-m-danger", () => decide("reject", r)));
            return row([el("code", r.id), r.user, r.port + "/" + r.protocol, r.source, r.duration,
                        api.utc(r.lapses), approvals(r), actions]);
        }));
    }

    function approvals(r) {
        const by = r.approvals || [];
        return by.length + " of " + r.required + (by.length ? ": " + by.join(", ") : "");
    }

    /* status, then list (with pending): one round each, as jit-request does. */
    function refresh() {
        return api.call({ op: "status" }).then(status => {
            if (!status.ok) {
                showProblem(sentence(status));
                return;
            }
            showProblem("");
            state.status = status;
            renderStatus();
            return api.call({ op: "list" }).then(list => {
                if (!list.ok) {
                    showProblem(sentence(list));
                    return;
                }
                state.grants = list.grants;
                state.pending = list.pending || [];
                // Unchanged rows stay as they are: a refresh must not wipe an extend time being
                // typed or move a button under the pointer.
                const shown = JSON.stringify([status.user, status.role, list.grants, state.pending]);
                if (shown === state.shown) return;
                state.shown = shown;
                renderGrants();
                renderPending();
            });
        });
    }

    function request(event) {
        event.preventDefault();
        $("request-result").replaceChildren();  // the answer shown is always this request's
        const port = currentPort();
        const source = $("req-source").value.trim();
        if (!port) return say("request-result", "Choose a port.");
        if (!source) return say("request-result", "Say where you will connect from (or press My IP).");
        const req = { op: "open", port: port.port, source };
        if (port.protocol !== "any") req.protocol = port.protocol;
        if ($("req-mode-until").checked) {
            const end = Date.parse($("req-until").value);
            if (isNaN(end)) return say("request-result", "Choose an end time.");
            const seconds = Math.floor((end - Date.now()) / 1000);
            if (seconds < 1) return say("request-result", "The end time is in the past.");
            req.duration = seconds + "s";
        } else if ($("req-duration").value.trim()) {
            req.duration = $("req-duration").value.trim();
        }
        const reason = $("req-reason").value.trim();
        if (reason) req.reason = reason;
        $("req-submit").disabled = true;
        api.call(req).then(answer => {
            if (answer.ok && answer.grant)
                say("request-result", "Granted " + answer.grant.id + ": port " + answer.grant.port + "/" +
                    answer.grant.protocol + " open to " + answer.grant.source + " until " +
                    api.utc(answer.grant.end) + " UTC.", true);
            else if (answer.ok && answer.pending)
                say("request-result", "Request " + answer.pending.id + " waits for approval (lapses " +
                    api.utc(answer.pending.lapses) + " UTC).", true);
            else
                say("request-result", sentence(answer));
            return refresh();
        }).finally(() => { $("req-submit").disabled = false });
    }

    function extend(grant, duration) {
        if (!duration.trim()) return say("grants-result", "Say for how long, e.g. 30m.");
        api.call({ op: "extend", id: grant.id, duration: duration.trim() }).then(answer => {
            say("grants-result", answer.ok ? grant.id + " now ends " + api.utc(answer.grant.end) + " UTC."
                : sentence(answer), answer.ok);
            return refresh();
        });
    }
    function revoke(grant) {
        api.call({ op: "revoke", id: grant.id }).then(answer => {
            say("grants-result", answer.ok ? grant.id + " revoked." : sentence(answer), answer.ok);
            return refresh();
        });
    }
    function decide(op, pending) {
        api.call({ op, id: pending.id }).then(answer => {
            say("pending-result", answer.ok ? pending.id + (op === "approve" ? " approved." : " rejected.")
                : sentence(answer), answer.ok);
            return refresh();
        });
    }

    function myIp() {
        api.remoteAddress().then(address => {
            if (address) $("req-source").value = address;
            else say("request-result", "Cockpit does not know your address here; type it.");
        });
    }

    /* The window is fixed when "Show" is pressed, so that the CSV holds the same events. */
    function auditArgs(format) {
        const a = state.audit;
        const args = ["audit", "--format", format, "--since", a.since, "--until", a.until];
        if (a.user) args.push("--user", a.user);
        if (a.port) args.push("--port", a.port);
        return args;
    }
    function loadAudit(event) {
        if (event) event.preventDefault();
        const now = new Date();
        state.audit = {
            since: api.isoSeconds(new Date(now - Number($("audit-since").value) * 1000)),
            until: api.isoSeconds(now),
            user: $("audit-user").value.trim(),
            port: $("audit-port").value.trim(),
        };
        $("audit-window").textContent = "From " + api.utc(state.audit.since) + " to " + api.utc(state.audit.until) + " UTC.";
        api.client(auditArgs("json")).then(text => {
            const events = JSON.parse(text);
            renderAudit(events);
            $("audit-csv").disabled = false;
        }).catch(ex => {
            $("audit-window").textContent = ex.message;
            fill($("audit-table").tBodies[0], []);
            fill($("summary-table").tBodies[0], []);
        });
    }
    function renderAudit(events) {
        fill($("audit-table").tBodies[0], events.map(e => row([
            api.utc(e.time), e.event, e.user, e.port === null ? "" : e.port + (e.protocol ? "/" + e.protocol : ""),
            e.source, e.grant_id, e.reason, [e.cause, e.error, e.message].filter(x => x).join(": ")])));
        const perPort = new Map();
        events.filter(e => e.event === "grant" && e.port !== null).forEach(e => {
            const p = perPort.get(e.port) || { grants: 0, last: "", user: "" };
            p.grants += 1;
            if (e.time >= p.last) {
                p.last = e.time;
                p.user = e.user;
            }
            perPort.set(e.port, p);
        });
        fill($("summary-table").tBodies[0], [...perPort.keys()].sort((a, b) => a - b).map(port => {
            const p = perPort.get(port);
            return row([port, p.grants, api.utc(p.last), p.user]);
        }));
    }
    /* The exact bytes of `jit-request audit --format csv` for the window shown. */
    function downloadCsv() {
        api.client(auditArgs("csv")).then(text => {
            const link = el("a");
            link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
            link.download = "jitd-audit-" + state.audit.since.replace(/:/g, "") + ".csv";
            document.body.appendChild(link);
            link.click();
            link.remove();
        }).catch(ex => { $("audit-window").textContent = ex.message });
    }

    document.addEventListener("DOMContentLoaded", () => {
        setupTabs();
        select("ports");
        $("request-form").addEventListener("submit", request);
        $("req-port").addEventListener("change", renderRequestForm);
        $("req-myip").addEventListener("click", myIp);
        $("audit-form").addEventListener("submit", loadAudit);
        $("audit-csv").addEventListener("click", downloadCsv);
        refresh().finally(() => document.body.setAttribute("data-loaded", "true"));
        window.setInterval(refresh, 10000);
        window.setInterval(tick, 1000);
    });
})();
