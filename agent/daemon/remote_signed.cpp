// RemoteChannel's signed requests (remote/ssh, docs/REMOTE-SSH.md): the keyring and host names
// loaded at configure(), then per datagram the signature check, the replay cache, the source
// binding and the certificate's end, and Engine::submit as a local `open` of the signer.
#include <openssl/evp.h>
#include <pwd.h>

#include <algorithm>
#include <cstring>
#include <variant>

#include <spdlog/spdlog.h>

#include "agent/daemon/host_names.hpp"
#include "agent/daemon/remote_channel.hpp"
#include "remote/ssh/ssh_request.hpp"
#include "remote/ssh/ssh_verify.hpp"

namespace jitd::agent {
namespace {

using wire::ErrorCode;
namespace ssh = remote::ssh;

// Recently spent requests and the key that spent them, to tell a sibling datagram from a replay.
constexpr std::size_t kSpentByLimit = 4096;

std::optional<Peer> resolve_signer(const std::string& name) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
        return std::nullopt;
    return identify(found->pw_uid, found->pw_gid);
}

// The datagram's source as a host prefix; IPv4-mapped IPv6 as IPv4, as the verifier sees it.
config::Cidr sender_of(const nft::Datagram& d) {
    config::Cidr c;
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (d.family == nft::Prefix::Family::ipv6 && std::memcmp(d.source.data(), kMapped, 12) != 0) {
        c.family = config::Cidr::Family::ipv6;
        std::copy(d.source.begin(), d.source.end(), c.bytes.begin());
        c.prefix_len = 128;
        return c;
    }
    const std::size_t at = d.family == nft::Prefix::Family::ipv6 ? 12 : 0;
    std::copy_n(d.source.begin() + static_cast<std::ptrdiff_t>(at), 4, c.bytes.begin());
    return c;
}

// One replay record per (user, nonce): the client sends the same request once per key, so
// whichever verifies first spends it for all of them.
remote::ReplayCache::Digest replay_digest(const std::string& user,
                                          const std::array<std::uint8_t, 16>& nonce) {
    remote::ReplayCache::Digest out{};
    std::string input = "jitd-sshsig-replay";
    input.push_back('\0');
    input += user;
    input.push_back('\0');
    input.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    unsigned int len = 0;
    EVP_Digest(input.data(), input.size(), out.data(), &len, EVP_sha256(), nullptr);
    return out;
}

// The answer to a request whose signature verified but a later check refused.
ErrorCode refusal_code(ssh::Refusal r) {
    if (r == ssh::Refusal::source_not_allowed) return ErrorCode::source_not_allowed;
    if (r == ssh::Refusal::wrong_user) return ErrorCode::not_authorized;
    return ErrorCode::bad_request;
}

// The signer of a request refused after its signature verified: its name and key only.
Origin refused_signer_origin(const ssh::VerifyResult& v, const std::string& src) {
    Origin origin{Peer{},
                  "remote",
                  "sshsig",
                  {{"JITD_KEY", v.identity.fingerprint}, {"JITD_PACKET_SOURCE", src}}};
    origin.peer.user = v.identity.user;
    origin.peer.uid = uid_t(-1);
    return origin;
}

// The signer as the engine and the journal see it; a user unknown here keeps its name only.
Origin signer_origin(const ssh::VerifyResult& v, const std::optional<Peer>& peer,
                     const std::string& src) {
    Origin origin{peer.value_or(Peer{}),
                  "remote",
                  "sshsig",
                  {{"JITD_KEY", v.identity.fingerprint}, {"JITD_PACKET_SOURCE", src}}};
    if (v.identity.certificate) {
        origin.audit_fields.emplace_back("JITD_CERT_ID", v.identity.cert_key_id);
        origin.audit_fields.emplace_back("JITD_CERT_CA", v.identity.ca_fingerprint);
    }
    if (!peer) origin.peer.user = v.identity.user, origin.peer.uid = uid_t(-1);
    return origin;
}

struct SignedRefusal {
    ErrorCode code;
    const char* cause;
    std::string message;
};

// The source to open for: the request's own (which must contain the sender) or, with
// remote.packet_source, the packet's.
std::variant<config::Cidr, SignedRefusal> requested_source(const ssh::SignedRequest& req,
                                                           const config::Cidr& sender,
                                                           bool packet_source,
                                                           const std::string& src) {
    if (!req.source) {
        if (!packet_source)
            return SignedRefusal{ErrorCode::source_not_allowed, "packet_source",
                                 "the request asks for the packet's source (--from-packet), "
                                 "which needs remote.packet_source: true; send --from ADDR"};
        return sender;
    }
    if (!req.source->contains(sender))
        return SignedRefusal{ErrorCode::source_not_allowed, "source_mismatch",
                             "the request asks for " + req.source->str() + " but came from " + src};
    return *req.source;
}

// The grant's duration: as asked, or our default capped by the port's maximum; never past the
// certificate's end.
std::chrono::seconds requested_duration(const ssh::VerifyResult& v, const Request& r,
                                        RemoteChannel::WallClock::time_point now,
                                        std::chrono::seconds default_duration,
                                        const config::Policy& policy) {
    const ssh::SignedRequest& req = v.request;
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    std::chrono::seconds duration = default_duration;
    if (req.end == ssh::SignedRequest::End::duration)
        duration = std::chrono::seconds(static_cast<long long>(req.end_value));
    else if (req.end == ssh::SignedRequest::End::until)
        duration = std::chrono::seconds(static_cast<long long>(req.end_value)) - now_s;
    if (req.end == ssh::SignedRequest::End::default_duration) {
        // The default is ours, so it is capped rather than refused (as for fwknop).
        const config::PortRule* rule =
            r.protocol ? policy.find(req.port, *r.protocol) : policy.find_port(req.port);
        if (rule != nullptr) duration = std::min(duration, rule->max_duration);
    }
    if (v.identity.valid_before) {
        const auto left =
            std::chrono::duration_cast<std::chrono::seconds>(*v.identity.valid_before - now);
        duration = std::min(duration, left);
    }
    return duration;
}

}  // namespace

void RemoteChannel::configure_signed() {
    keyring_ = {};
    host_names_.clear();
    if (!remote_) return;
    std::optional<std::filesystem::path> ca;
    if (remote_->user_ca) ca = *remote_->user_ca;
    ssh::KeyringLoad load = ssh::load_keyring(remote_->keys, ca);
    for (const auto& error : load.errors) spdlog::error("remote: ssh key refused: {}", error);
    keyring_ = std::move(load.keyring);
    host_names_ = remote_->host_names.empty() ? default_host_names() : remote_->host_names;
    spdlog::info("remote: {} ssh keys, {} user CA keys; signed requests for {} host names",
                 keyring_.keys.size(), keyring_.user_cas.size(), host_names_.size());
}

void RemoteChannel::count_ssh(ssh::Refusal r) {
    const auto i = static_cast<std::size_t>(r);
    if (i >= counters_.ssh.size()) return;
    ++counters_.ssh[i];
    ++recent_.ssh[i];
}

void RemoteChannel::refuse_signed(const Origin& origin, const ssh::SignedRequest* req,
                                  ErrorCode code, const std::string& cause,
                                  const std::string& message) const {
    AuditEvent ev(AuditKind::deny);
    ev.user(origin.peer.user, origin.peer.uid);
    ev.set("JITD_CHANNEL", origin.channel);
    for (const auto& [name, value] : origin.audit_fields) ev.set_client(name, value);
    ev.set("JITD_OP", "open");
    if (req != nullptr) ev.set("JITD_PORT", std::to_string(req->port));
    ev.set("JITD_REMOTE_CAUSE", cause);
    ev.deny(code, message);
    spdlog::info("remote: refused a signed request of {} ({}): {}", origin.peer.user, cause,
                 message);
}

void RemoteChannel::handle_signed(const nft::Datagram& d, WallClock::time_point now) {
    const config::Cidr sender = sender_of(d);
    ssh::VerifyPolicy vp;
    vp.max_age = remote_->max_age;
    ssh::VerifyResult v =
        ssh::verify_signed_request(d.payload, keyring_, host_names_, now, sender, vp);
    const std::string src = d.source_text();
    if (!v) {
        // Before the signature verified anyone could have sent it: counted only.
        if (!v.authenticated) return count_ssh(v.refusal);
        // The signature verified (the signer is known) but a check after it failed.
        ++refused_;
        return refuse_signed(refused_signer_origin(v, src), nullptr, refusal_code(v.refusal),
                             ssh::refusal_name(v.refusal), v.reason);
    }
    const ssh::SignedRequest& req = v.request;
    const std::optional<Peer> peer = resolve_signer(v.identity.user);
    const Origin origin = signer_origin(v, peer, src);
    ++refused_;  // until granted
    if (!peer)
        return refuse_signed(origin, &req, ErrorCode::not_authorized, "unknown_user",
                             "the key's user " + v.identity.user + " is not in the user database");
    if (!replay_)
        return refuse_signed(origin, &req, ErrorCode::internal, "replay_cache",
                             "the replay cache is unavailable");
    try {
        const auto digest = replay_digest(v.identity.user, req.nonce);
        if (!replay_->first_use(digest, now)) {
            // The same request signed by another of the user's keys (the client sends one per
            // agent key): expected, so counted, not journaled.
            const auto it = spent_by_.find(digest);
            if (it != spent_by_.end() && it->second != v.identity.fingerprint) {
                --refused_;
                ++counters_.sibling, ++recent_.sibling;
                return;
            }
            return refuse_signed(origin, &req, ErrorCode::bad_request, "replayed",
                                 "this request was already used");
        }
        if (spent_by_.size() >= kSpentByLimit) spent_by_.clear();
        spent_by_.emplace(digest, v.identity.fingerprint);
    } catch (const std::exception& e) {
        return refuse_signed(origin, &req, ErrorCode::internal, "replay_cache",
                             std::string("cannot record the request: ") + e.what());
    }
    const auto source = requested_source(req, sender, remote_->packet_source, src);
    if (const auto* no = std::get_if<SignedRefusal>(&source))
        return refuse_signed(origin, &req, no->code, no->cause, no->message);
    Request r;
    r.op = Op::open;
    r.port = req.port;
    r.protocol = req.protocol;
    // As a local open sends it: hosts without a length.
    r.source = std::get<config::Cidr>(source).str();
    r.reason = req.reason;
    r.pending_id = ssh::pending_request_id(req.nonce);  // what the client printed
    const std::chrono::seconds duration =
        requested_duration(v, r, now, remote_->default_duration, engine_.policy());
    if (duration.count() <= 0)
        return refuse_signed(origin, &req, ErrorCode::bad_request, "ended",
                             "the requested end is not in the future");
    r.duration = duration;
    const nlohmann::json response = engine_.submit(origin, r);
    if (!response.contains("grant")) return;
    --refused_;
    ++granted_;
}

}  // namespace jitd::agent
