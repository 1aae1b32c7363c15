// check_existing(): before install/restore, the definitions of jitd's sets and chain that
// already exist are compared with the layout. NEWSET/NEWCHAIN without NLM_F_EXCL leave an
// existing object alone; newer kernels refuse one whose definition differs (EEXIST), but 5.10
// accepts a NEWSET for a set with another key type or flags and keeps the old set, so the
// rules would look up the wrong key. jitd refuses such a table itself, on every kernel, before
// sending anything, and names the object.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "nft/layout.hpp"
#include "nft/operations.hpp"

namespace jitd::nft::ops {
namespace {

// A set's definition as the kernel reports it (or as jitd would create it).
struct SetShape {
    std::uint32_t key_type = 0, key_len = 0, flags = 0, data_len = 0, size = 0;
    std::uint64_t timeout = 0;
    std::uint32_t gc_interval = 0;
    std::vector<std::uint8_t> field_lens;  // NFTA_SET_DESC_CONCAT, when given
    bool operator==(const SetShape&) const = default;
};

SetShape wanted(const layout::SetDef& def) {
    SetShape s;
    s.key_type = layout::key_type(def);
    s.key_len = layout::key_len(def);
    if (def.interval) s.flags |= NFT_SET_INTERVAL;
    if (def.timeout) s.flags |= NFT_SET_TIMEOUT;
    if (def.dynamic) s.flags |= NFT_SET_EVAL;
    s.timeout = def.default_timeout_ms;
    s.size = def.size;
    if (def.interval && def.fields.size() > 1) {
        s.flags |= NFT_SET_CONCAT;
        for (const auto& f : def.fields) s.field_lens.push_back(static_cast<std::uint8_t>(f.len));
    }
    return s;
}

std::uint32_t u32_or0(nftnl_set* s, std::uint16_t attr) {
    return nftnl_set_is_set(s, attr) ? nftnl_set_get_u32(s, attr) : 0;
}

SetShape reported(nftnl_set* s) {
    SetShape r;
    r.key_type = u32_or0(s, NFTNL_SET_KEY_TYPE);
    r.key_len = u32_or0(s, NFTNL_SET_KEY_LEN);
    r.flags = u32_or0(s, NFTNL_SET_FLAGS);
    r.data_len = u32_or0(s, NFTNL_SET_DATA_LEN);
    r.gc_interval = u32_or0(s, NFTNL_SET_GC_INTERVAL);
    r.size = u32_or0(s, NFTNL_SET_DESC_SIZE);
    if (nftnl_set_is_set(s, NFTNL_SET_TIMEOUT)) r.timeout = nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT);
    if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
        std::uint32_t n = 0;
        const auto* lens =
            static_cast<const std::uint8_t*>(nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &n));
        if (lens != nullptr) r.field_lens.assign(lens, lens + n);
    }
    // Older kernels do not report the field lengths; the key length still has to match.
    return r;
}

std::string describe(const SetShape& s) {
    std::string out = "key length " + std::to_string(s.key_len) + ", key type " +
                      std::to_string(s.key_type) + ", flags";
    const std::pair<std::uint32_t, const char*> names[] = {
        {NFT_SET_ANONYMOUS, "anonymous"}, {NFT_SET_CONSTANT, "constant"},
        {NFT_SET_INTERVAL, "interval"},   {NFT_SET_MAP, "map"},
        {NFT_SET_TIMEOUT, "timeout"},     {NFT_SET_EVAL, "dynamic"},
        {NFT_SET_OBJECT, "object"},       {NFT_SET_CONCAT, "concat"}};
    bool any = false;
    for (const auto& [bit, name] : names)
        if (s.flags & bit) out += std::string(any ? "," : " ") + name, any = true;
    if (!any) out += " none";
    if (s.timeout != 0) out += ", default timeout " + std::to_string(s.timeout) + " ms";
    if (s.size != 0) out += ", size " + std::to_string(s.size);
    if (s.data_len != 0) out += ", data length " + std::to_string(s.data_len);
    return out;
}

// One dump of the table's sets or chains; `reset` runs before each attempt, as a dump
// interrupted by a concurrent change (EINTR) is repeated from the start.
template <class Reset, class Parse>
void dump(Netlink& nl, int msg, const char* what, Reset&& reset, Parse&& on_object) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        reset();
        const int err = nl.request(
            [&](char* buf, std::uint32_t seq) {
                nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, static_cast<std::uint16_t>(msg),
                                                      NFPROTO_INET, NLM_F_DUMP, seq);
                // Both requests filter by table name (NFTA_SET_TABLE and NFTA_CHAIN_TABLE).
                mnl_attr_put_strz(nlh, NFTA_SET_TABLE, kTableName);
                return nlh;
            },
            [&](const nlmsghdr* nlh) { on_object(nlh); });
        if (err == EINTR) continue;
        if (err == ENOENT) return;  // no table: nothing exists yet
        if (err != 0)
            throw Error(
                Error::Kind::kernel, err,
                std::string("listing ") + what + " of table inet jitd: " + std::strerror(err));
        return;
    }
    throw Error(Error::Kind::io, EINTR, std::string("listing ") + what + ": kept changing");
}

[[noreturn]] void refuse(const std::string& object, const std::string& has,
                         const std::string& needs) {
    throw Error(Error::Kind::kernel, EEXIST,
                object + " already exists with another definition (" + has + "; jitd needs " +
                    needs + "): remove it, or table inet jitd, and start jitd again");
}

// jitd's sets, where they exist, have exactly the shape its rules need; returns their names.
std::vector<std::string> check_sets(Netlink& nl) {
    std::vector<std::pair<std::string, SetShape>> sets;
    dump(
        nl, NFT_MSG_GETSET, "sets", [&] { sets.clear(); },
        [&](const nlmsghdr* nlh) {
            auto s = handles::make_set();
            if (nftnl_set_nlmsg_parse(nlh, s.get()) < 0) return;
            if (!nftnl_set_is_set(s.get(), NFTNL_SET_NAME)) return;
            const std::string table = nftnl_set_get_str(s.get(), NFTNL_SET_TABLE);
            if (table != kTableName) return;
            sets.emplace_back(nftnl_set_get_str(s.get(), NFTNL_SET_NAME), reported(s.get()));
        });
    std::vector<std::string> present;
    for (auto& [name, has] : sets) {
        const layout::SetDef* def = nullptr;
        for (const auto& d : layout::sets())
            if (d.name == name) def = &d;
        if (def == nullptr) continue;  // not one of jitd's: never referenced by its rules
        SetShape need = wanted(*def);
        if (has.field_lens.empty()) need.field_lens.clear();
        if (!(has == need)) refuse("set " + name, describe(has), describe(need));
        present.push_back(name);
    }
    return present;
}

// jitd's input chain, where it exists, is the base chain its rules need.
void check_chain(Netlink& nl) {
    struct ChainShape {
        bool base = false;
        std::uint32_t hook = 0;
        std::int32_t prio = 0;
        std::string type;
    };
    std::optional<ChainShape> chain;
    dump(
        nl, NFT_MSG_GETCHAIN, "chains", [&] { chain.reset(); },
        [&](const nlmsghdr* nlh) {
            auto c = handles::make_chain();
            if (nftnl_chain_nlmsg_parse(nlh, c.get()) < 0) return;
            if (std::string(nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE)) != kTableName ||
                nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME) != layout::kChain)
                return;
            ChainShape s;
            s.base = nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM);
            if (s.base) {
                s.hook = nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_HOOKNUM);
                s.prio = nftnl_chain_get_s32(c.get(), NFTNL_CHAIN_PRIO);
                if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_TYPE))
                    s.type = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TYPE);
            }
            chain = s;
        });
    if (chain && !(chain->base && chain->hook == NF_INET_LOCAL_IN && chain->prio == 0 &&
                   chain->type == "filter")) {
        const std::string has = chain->base ? "type " + chain->type + " hook " +
                                                  std::to_string(chain->hook) + " priority " +
                                                  std::to_string(chain->prio)
                                            : "a regular chain, no hook";
        refuse("chain input", has, "type filter hook input priority 0");
    }
}

}  // namespace

std::vector<std::string> check_existing(Netlink& nl) {
    auto present = check_sets(nl);
    check_chain(nl);
    return present;
}

}  // namespace jitd::nft::ops
