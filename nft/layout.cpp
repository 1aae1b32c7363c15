#include "nft/layout.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace jitd::nft::layout {

const std::vector<SetDef>& sets() {
    static const std::vector<SetDef> all = {
        {kProtected, SetRole::protected_ports, {kProto, kService}, false, false},
        {kGrant4Host, SetRole::grant, {kIp4, kProto, kService}, false, true},
        {kGrant4Net, SetRole::grant, {kIp4, kProto, kService}, true, true},
        {kGrant6Host, SetRole::grant, {kIp6, kProto, kService}, false, true},
        {kGrant6Net, SetRole::grant, {kIp6, kProto, kService}, true, true},
        {kAllow4, SetRole::allow, {kIp4}, true, false},
        {kAllow6, SetRole::allow, {kIp6}, true, false},
        {kPickup4, SetRole::pickup, {kIp4, kService, kIp4, kService}, false, true},
        {kPickup6, SetRole::pickup, {kIp6, kService, kIp6, kService}, false, true},
        {kRemoteRate4,
         SetRole::rate,
         {kIp4},
         false,
         true,
         true,
         kRemoteMeterTimeoutMs,
         kRemoteMeterSize},
        {kRemoteRate6,
         SetRole::rate,
         {kIp6},
         false,
         true,
         true,
         kRemoteMeterTimeoutMs,
         kRemoteMeterSize},
        {kPending, SetRole::pending, {kMark, kMark}, false, true},
    };
    return all;
}

const SetDef& set(std::string_view name) {
    for (const auto& s : sets())
        if (s.name == name) return s;
    throw std::logic_error("no set " + std::string(name));
}

bool wanted(const SetDef& def, const TableSpec& spec) {
    return def.role != SetRole::rate || spec.remote_port.has_value();
}

std::string_view grant_set_for(const ElementKey& key) {
    const bool v4 = key.source.family == Prefix::Family::ipv4;
    if (key.source.is_host()) return v4 ? kGrant4Host : kGrant6Host;
    return v4 ? kGrant4Net : kGrant6Net;
}

std::string_view allow_set_for(Prefix::Family family) {
    return family == Prefix::Family::ipv4 ? kAllow4 : kAllow6;
}

std::string_view pickup_set_for(Prefix::Family family) {
    return family == Prefix::Family::ipv4 ? kPickup4 : kPickup6;
}

std::uint32_t key_len(const SetDef& def) {
    std::uint32_t n = 0;
    for (const auto& f : def.fields) n += (f.len + 3) / 4 * 4;
    return n;
}

std::uint32_t key_type(const SetDef& def) {
    std::uint32_t t = 0;
    for (const auto& f : def.fields) t = t << 6 | f.type;
    return t;
}

namespace {

// True when `outer` covers every address of `inner`.
bool covers(const Prefix& outer, const Prefix& inner) {
    if (outer.family != inner.family || outer.len > inner.len) return false;
    for (unsigned bit = 0; bit < outer.len; ++bit) {
        const unsigned byte = bit / 8, mask = 0x80u >> (bit % 8);
        if ((outer.bytes[byte] & mask) != (inner.bytes[byte] & mask)) return false;
    }
    return true;
}

}  // namespace

TableSpec normalized(const TableSpec& spec) {
    TableSpec out;
    out.remote_port = spec.remote_port;
    for (const auto& pp : spec.protected_ports)
        if (std::find(out.protected_ports.begin(), out.protected_ports.end(), pp) ==
            out.protected_ports.end())
            out.protected_ports.push_back(pp);
    for (std::size_t i = 0; i < spec.always_allow.size(); ++i) {
        const Prefix& p = spec.always_allow[i];
        bool redundant = false;
        for (std::size_t j = 0; j < spec.always_allow.size() && !redundant; ++j) {
            if (i == j) continue;
            const Prefix& q = spec.always_allow[j];
            // Covered by a strictly wider prefix, or an equal one that comes first.
            redundant = covers(q, p) && (q.len < p.len || j < i);
        }
        if (!redundant) out.always_allow.push_back(p);
    }
    return out;
}

std::string_view proto_name(L4 proto) {
    return proto == L4::tcp ? "tcp" : "udp";
}

}  // namespace jitd::nft::layout
