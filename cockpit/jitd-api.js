/* jitd's Cockpit page: talking to jitd and jit-request. Every daemon request goes over a
 * Cockpit stream channel to jitd's Unix socket, opened by the bridge, which runs as the
 * logged-in user: jitd's SO_PEERCRED sees that user's uid, so the same roles apply as for
 * jit-request on the command line. The audit trail is the journal's, read by
 * `jit-request audit` (the same filter of trusted entries, the same CSV bytes). */
"use strict";

const jitdApi = (function () {
    const SOCKET = "/run/jitd/jitd.sock";
    const NOT_RUNNING = "jitd is not running (nothing answers on " + SOCKET + ").";

    /* One request, one connection: the protocol answers one line per line, in order. Resolves
     * with the answer object ({ok:true,...} or {ok:false,error:{code,message}}). */
    function call(request) {
        return new Promise(resolve => {
            const channel = cockpit.channel({ payload: "stream", unix: SOCKET });
            let buffer = "";
            let done = false;
            const finish = answer => {
                if (done) return;
                done = true;
                resolve(answer);
                channel.close();
            };
            channel.addEventListener("message", (event, data) => {
                buffer += data;
                const nl = buffer.indexOf("\n");
                if (nl < 0) return;
                try {
                    finish(JSON.parse(buffer.slice(0, nl)));
                } catch (e) {
                    finish(failure("bad_answer", "jitd answered something that is not JSON."));
                }
            });
            channel.addEventListener("close", (event, options) => {
                if (done) return;
                const problem = options && options.problem;
                if (problem === "not-found" || problem === "no-such-file" || problem === "terminated" ||
                    problem === "disconnected" || !buffer)
                    finish(failure("unavailable", NOT_RUNNING));
                else
                    finish(failure("unavailable", "the connection to jitd closed (" + problem + ")."));
            });
            channel.send(JSON.stringify(request) + "\n");
        });
    }

    function failure(code, message) {
        return { ok: false, error: { code, message } };
    }

    /* jit-request's output, or its error as it printed it (the last line of stderr). A native
     * Promise around cockpit's own, whose handlers do not chain a throw as an ES promise does. */
    function client(args) {
        return Promise.resolve(cockpit.spawn(["jit-request"].concat(args), { err: "message" }))
            .catch(ex => {
                const text = (ex.message || String(ex)).trim().split("\n").pop();
                if (ex.problem === "not-found")
                    throw new Error("jit-request is not installed.");
                throw new Error(text.replace(/^jit-request: /, ""));
            });
    }

    /* The browser's address as the server sees it: cockpit-ws's peer, which cockpit-session
     * puts in the bridge's environment (COCKPIT_REMOTE_PEER) and gives PAM as PAM_RHOST, which
     * logind keeps as the session's RemoteHost. "" when unknown (the user types it). */
    function remoteAddress() {
        const run = argv => Promise.resolve(cockpit.spawn(argv, { err: "ignore" })).then(out => out.trim(), () => "");
        return run(["printenv", "COCKPIT_REMOTE_PEER"]).then(peer => {
            if (peer) return plainAddress(peer);
            return run(["printenv", "XDG_SESSION_ID"]).then(id => id
                ? run(["loginctl", "show-session", id, "--value", "-p", "RemoteHost"]).then(plainAddress)
                : "");
        });
    }

    /* An IPv4 client of a dual-stack socket arrives as ::ffff:a.b.c.d. */
    function plainAddress(text) {
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
        return mapped ? mapped[1] : text;
    }

    /* Whole seconds until an ISO time, never below 0. */
    function secondsUntil(iso, now) {
        return Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
    }

    function countdown(seconds) {
        const h = Math.floor(seconds / 3600);
        const m = Math.floor((seconds % 3600) / 60);
        const s = seconds % 60;
        const two = n => String(n).padStart(2, "0");
        return (h > 0 ? h + ":" + two(m) : String(m)) + ":" + two(s);
    }

    /* "2026-11-23T14:03:00Z" -> "2026-11-23 14:03:00", as jit-request's tables show it. */
    function utc(iso) {
        return iso ? iso.replace("T", " ").replace("Z", "") : "";
    }

    /* The ISO form jitd and jit-request use: whole seconds, Z. */
    function isoSeconds(date) {
        return date.toISOString().replace(/\.\d{3}Z$/, "Z");
    }

    return { call, client, remoteAddress, plainAddress, secondsUntil, countdown, utc, isoSeconds, NOT_RUNNING };
})();
