// RemoteChannel: from an authenticated SPA message to Engine::submit, and the counters.
#include "agent/daemon/remote_channel.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "agent/daemon/grant_rules.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;

// How long a spent request stays in the replay cache beyond max_age: room for clock steps.
constexpr std::chrono::seconds kReplayMargin{300};

// The gid of group `jitd`, which may read the key files (root only when there is none).
gid_t jitd_gid() {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    if (getgrnam_r("jitd", &gr, buf.data(), buf.size(), &found) == 0 && found != nullptr)
        return found->gr_gid;
    return 0;
}

// The key's user as the policy judges users: uid, gid and groups through NSS (done at key load,
// never per packet, so a slow user database does not stall the loop for each datagram).
std::optional<Peer> resolve_user(const std::string& name) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
        return std::nullopt;
    return identify(found->pw_uid, found->pw_gid);
}

// `text` is a dotted quad equal to the datagram's IPv4 source.
bool same_ipv4(const std::string& text, const nft::Datagram& d) {
    in_addr a{};
    if (d.family != nft::Prefix::Family::ipv4 || inet_pton(AF_INET, text.c_str(), &a) != 1)
        return false;
    return std::memcmp(&a, d.source.data(), 4) == 0;
}

config::Protocol protocol_of(const std::string& p) {
    return p == "udp" ? config::Protocol::udp : config::Protocol::tcp;
}

}  // namespace

std::uint64_t RemoteCounters::total() const {
    std::uint64_t n = wrong_port + sibling;
    for (auto v : ssh) n += v;
    for (auto v : spa) n += v;
    for (auto v : intake) n += v;
    return n;
}

void RemoteCounters::add(const RemoteCounters& o) {
    for (std::size_t i = 0; i < ssh.size(); ++i) ssh[i] += o.ssh[i];
    for (std::size_t i = 0; i < spa.size(); ++i) spa[i] += o.spa[i];
    for (std::size_t i = 0; i < intake.size(); ++i) intake[i] += o.intake[i];
    sibling += o.sibling;
    wrong_port += o.wrong_port;
}

json RemoteCounters::to_json() const {
    json out = json::object();
    for (std::size_t i = 0; i < spa.size(); ++i)
        if (spa[i] != 0)
            out[std::string(remote::to_string(static_cast<remote::SpaRefusal>(i)))] = spa[i];
    for (std::size_t i = 0; i < intake.size(); ++i)
        if (intake[i] != 0)
            out[std::string(nft::to_string(static_cast<nft::NflogError>(i)))] = intake[i];
    for (std::size_t i = 1; i < ssh.size(); ++i)
        if (ssh[i] != 0)
            out[std::string("sshsig_") +
                remote::ssh::refusal_name(static_cast<remote::ssh::Refusal>(i))] = ssh[i];
    if (sibling != 0) out["sshsig_sibling"] = sibling;
    if (wrong_port != 0) out["wrong_port"] = wrong_port;
    return out;
}

std::string RemoteCounters::summary() const {
    std::string out;
    const json counts = to_json();
    for (const auto& [name, value] : counts.items())
        out += (out.empty() ? "" : ", ") + name + " " + std::to_string(value.get<std::uint64_t>());
    return out;
}

RemoteChannel::RemoteChannel(Engine& engine, std::string state_dir)
    : engine_(engine), state_dir_(std::move(state_dir)) {}

std::optional<std::uint16_t> RemoteChannel::port() const {
    if (!remote_) return std::nullopt;
    return remote_->port;
}

void RemoteChannel::configure() {
    const auto& next = engine_.policy().remote;
    const bool keep_cache = replay_ && remote_ && next && next->max_age == remote_->max_age;
    remote_ = next;
    keys_.clear();
    users_.clear();
    configure_signed();
    if (!remote_) {
        replay_.reset();
        return;
    }
    remote::FwknopKeyLoad load = remote::load_fwknop_keys(remote_->keys, jitd_gid());
    for (const auto& error : load.errors) spdlog::error("remote: key file refused: {}", error);
    keys_ = std::move(load.keys);
    for (const auto& key : keys_) {
        users_.push_back({resolve_user(key.user)});
        if (!users_.back().peer)
            spdlog::error(
                "remote: {}: user {} is not in the user database; its requests are "
                "refused",
                key.file, key.user);
    }
    spdlog::info("remote: requests on udp port {}, {} fwknop keys from {}", remote_->port,
                 keys_.size(), remote_->keys);
    if (keep_cache) return;
    const std::string path = state_dir_.empty() ? "" : state_dir_ + "/remote-replay";
    try {
        replay_ = std::make_unique<remote::ReplayCache>(path, remote_->max_age * 2 + kReplayMargin);
    } catch (const std::exception& e) {
        // Without a durable record of spent requests every request is refused (fail closed).
        replay_.reset();
        spdlog::error("remote: cannot open the replay cache, refusing every request: {}", e.what());
    }
}

void RemoteChannel::count_spa(remote::SpaRefusal r) {
    const auto i = static_cast<std::size_t>(r);
    if (i >= counters_.spa.size()) return;
    ++counters_.spa[i];
    ++recent_.spa[i];
}

void RemoteChannel::count(nft::NflogError e) {
    const auto i = static_cast<std::size_t>(e);
    if (i >= counters_.intake.size()) return;
    ++counters_.intake[i];
    ++recent_.intake[i];
}

RemoteCounters RemoteChannel::take_recent() {
    RemoteCounters out = recent_;
    recent_ = {};
    return out;
}

json RemoteChannel::status() const {
    if (!remote_) return {{"enabled", false}};
    return {{"enabled", true},
            {"port", remote_->port},
            {"keys", keys_.size()},
            {"ssh_keys", keyring_.keys.size()},
            {"granted", granted_},
            {"refused", refused_},
            {"dropped", counters_.total()},
            {"counters", counters_.to_json()}};
}

void RemoteChannel::refuse(const Origin& origin, const remote::SpaMessage* msg, ErrorCode code,
                           const std::string& cause, const std::string& message) const {
    AuditEvent ev(AuditKind::deny);
    ev.user(origin.peer.user, origin.peer.uid);
    ev.set("JITD_CHANNEL", origin.channel);
    for (const auto& [name, value] : origin.audit_fields) ev.set_client(name, value);
    ev.set("JITD_OP", "open");
    if (msg != nullptr && !msg->access.empty()) {
        ev.set("JITD_PORT", std::to_string(msg->access.front().port));
        ev.set("JITD_PROTOCOL", msg->access.front().protocol);
    }
    ev.set("JITD_REMOTE_CAUSE", cause);
    ev.deny(code, message);
    spdlog::info("remote: refused a request of {} ({}): {}", origin.peer.user, cause, message);
}

void RemoteChannel::handle(const nft::Datagram& d, WallClock::time_point now) {
    if (!remote_) return;
    if (d.dest_port != remote_->port) {  // the rule of a previous policy, for a moment
        ++counters_.wrong_port;
        ++recent_.wrong_port;
        return;
    }
    if (remote::ssh::looks_like_signed_request(d.payload)) return handle_signed(d, now);
    const remote::SpaDecode dec = remote::decode_spa(d.payload, keys_);
    if (!dec.authenticated || dec.key_index >= keys_.size()) {
        count_spa(dec.refusal.value_or(remote::SpaRefusal::no_key_matched));
        return;
    }
    const remote::FwknopKey& key = keys_[dec.key_index];
    const std::string src = d.source_text();
    Origin origin{users_[dec.key_index].peer.value_or(Peer{}),
                  "remote",
                  "fwknop",
                  {{"JITD_KEY", key.file}, {"JITD_PACKET_SOURCE", src}}};
    if (!users_[dec.key_index].peer) origin.peer.user = key.user, origin.peer.uid = uid_t(-1);
    ++refused_;  // until granted
    if (!dec.message) {
        count_spa(dec.refusal.value_or(remote::SpaRefusal::malformed));
        const std::string cause(
            remote::to_string(dec.refusal.value_or(remote::SpaRefusal::malformed)));
        return refuse(origin, nullptr, ErrorCode::bad_request, cause,
                      "an authenticated fwknop packet that is not an access request (" + cause +
                          "; NAT and command messages are not supported)");
    }
    const remote::SpaMessage& msg = *dec.message;
    origin.audit_fields.emplace_back("JITD_CLIENT_USER", msg.client_user);
    if (!users_[dec.key_index].peer)
        return refuse(origin, &msg, ErrorCode::not_authorized, "unknown_user",
                      "the key's user " + key.user + " is not in the user database");
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    const long long skew = now_s.count() - msg.timestamp;
    if (std::llabs(skew) > remote_->max_age.count())
        return refuse(origin, &msg, ErrorCode::bad_request, "stale",
                      "the request's time is " + std::to_string(std::llabs(skew)) + "s " +
                          (skew > 0 ? "behind" : "ahead of") + " ours (remote.max_age " +
                          config::format_duration(remote_->max_age) + ")");
    if (!replay_)
        return refuse(origin, &msg, ErrorCode::internal, "replay_cache",
                      "the replay cache is unavailable");
    try {
        if (!replay_->first_use(dec.replay_digest, now))
            return refuse(origin, &msg, ErrorCode::bad_request, "replayed",
                          "this request was already used");
    } catch (const std::exception& e) {
        return refuse(origin, &msg, ErrorCode::internal, "replay_cache",
                      std::string("cannot record the request: ") + e.what());
    }
    std::string source;
    if (msg.allow_ip == "0.0.0.0") {
        if (!remote_->packet_source)
            return refuse(origin, &msg, ErrorCode::source_not_allowed, "packet_source",
                          "the request asks for the packet's source (fwknop -s), which needs "
                          "remote.packet_source: true; send -a ADDRESS");
        source = src;
    } else if (!same_ipv4(msg.allow_ip, d)) {
        return refuse(origin, &msg, ErrorCode::source_not_allowed, "source_mismatch",
                      "the request asks for " + msg.allow_ip + " but came from " + src);
    } else {
        source = msg.allow_ip;
    }
    decide(origin, msg, source);
}

void RemoteChannel::decide(const Origin& origin, const remote::SpaMessage& msg,
                           const std::string& source) {
    const config::Policy& policy = engine_.policy();
    const bool v4 = source.find(':') == std::string::npos;
    std::vector<Request> requests;
    for (const auto& a : msg.access) {
        Request r;
        r.op = Op::open;
        r.port = a.port;
        r.protocol = protocol_of(a.protocol);
        r.source = source + (v4 ? "/32" : "/128");
        const config::PortRule* rule = policy.find(a.port, *r.protocol);
        const auto max = rule != nullptr ? rule->max_duration : config::kDefaultMaxDuration;
        std::chrono::seconds asked = remote_->default_duration;
        if (msg.type == 3 && msg.client_timeout && *msg.client_timeout > 0)
            asked = std::chrono::seconds(*msg.client_timeout);
        r.duration = std::min(asked, max);  // capped, as fwknopd does, never refused for it
        requests.push_back(std::move(r));
    }
    // All or nothing: the pure policy check first for every port, so a refusal usually costs
    // nothing in the kernel; the first refused one goes to the Engine, which journals it.
    const Role role = role_of(policy.access, origin.peer);
    const Actor actor{origin.peer.user, origin.peer.uid, role == Role::admin};
    const auto now = wire::now_seconds();
    for (const auto& r : requests) {
        const bool refused =
            !may_run(role, Op::open) ||
            std::holds_alternative<Refusal>(check_open(
                policy, engine_.book(), actor,
                OpenRequest{*r.port, r.protocol, *r.source, *r.duration, r.reason}, now));
        if (refused) {
            engine_.submit(origin, r);
            return;
        }
    }
    std::vector<std::string> granted;
    for (const auto& r : requests) {
        const json response = engine_.submit(origin, r);
        if (response.contains("grant")) {
            granted.push_back(response["grant"].value("id", ""));
            continue;
        }
        // A later port failed in the kernel or the journal: close the ones already opened.
        for (const auto& id : granted) {
            Request undo;
            undo.op = Op::revoke;
            undo.id = id;
            undo.kill = false;
            engine_.submit(origin, undo);
        }
        return;
    }
    --refused_;
    ++granted_;
}

}  // namespace jitd::agent
