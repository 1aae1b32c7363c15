// install(): the whole table in one transaction. Creates what is missing (NLM_F_CREATE without
// EXCL is a no-op for an identical existing object, so live grant elements survive), then
// flushes and refills the protected and always-allow sets and the chain's rules.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <string>

#include "nft/element_encoding.hpp"
#include "nft/expr_builder.hpp"
#include "nft/layout.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

constexpr std::uint16_t kCreate = NLM_F_CREATE;

std::uint32_t set_id(std::string_view name) {
    const auto& all = layout::sets();
    const auto it = std::find_if(all.begin(), all.end(), [&](auto& s) { return s.name == name; });
    return static_cast<std::uint32_t>(it - all.begin()) + 1;
}

void add_table(Batch& b) {
    auto t = handles::make_table();
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTableName);
    nftnl_table_set_u32(t.get(), NFTNL_TABLE_FLAGS, 0);  // never NFT_TABLE_F_OWNER: fail closed
    b.add(MessageTag::about("table inet jitd"), 4096, [&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, kCreate, seq);
        nftnl_table_nlmsg_build_payload(nlh, t.get());
        return nlh;
    });
}

void add_set(Batch& b, const layout::SetDef& def) {
    auto s = handles::make_set();
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, std::string(def.name).c_str());
    nftnl_set_set_u32(s.get(), NFTNL_SET_ID, set_id(def.name));
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_TYPE, layout::key_type(def));
    nftnl_set_set_u32(s.get(), NFTNL_SET_KEY_LEN, layout::key_len(def));
    std::uint32_t flags = 0;
    if (def.interval) flags |= NFT_SET_INTERVAL;
    if (def.timeout) flags |= NFT_SET_TIMEOUT;
    if (def.dynamic) flags |= NFT_SET_EVAL;
    if (def.default_timeout_ms != 0)
        nftnl_set_set_u64(s.get(), NFTNL_SET_TIMEOUT, def.default_timeout_ms);
    if (def.size != 0) nftnl_set_set_u32(s.get(), NFTNL_SET_DESC_SIZE, def.size);
    if (def.interval && def.fields.size() > 1) {
        // Field lengths let the kernel pick pipapo for concatenated intervals; the kernel
        // wants NFT_SET_CONCAT exactly when more than one field is described.
        std::uint8_t lens[NFT_REG32_COUNT] = {};
        for (std::size_t i = 0; i < def.fields.size(); ++i)
            lens[i] = static_cast<std::uint8_t>(def.fields[i].len);
        nftnl_set_set_data(s.get(), NFTNL_SET_DESC_CONCAT, lens,
                           static_cast<std::uint32_t>(def.fields.size()));
        flags |= NFT_SET_CONCAT;
    }
    nftnl_set_set_u32(s.get(), NFTNL_SET_FLAGS, flags);
    b.add(
        MessageTag::about("set " + std::string(def.name)), 4096, [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSET, NFPROTO_INET, kCreate, seq);
            nftnl_set_nlmsg_build_payload(nlh, s.get());
            return nlh;
        });
}

void fill_policy_sets(Batch& b, const TableSpec& spec) {
    for (auto name : {layout::kProtected, layout::kAllow4, layout::kAllow6})
        tx::add_elements(b, MessageTag::about("flush of set " + std::string(name)),
                         NFT_MSG_DELSETELEM, 0, name, {});
    for (const auto& pp : spec.protected_ports) {
        const std::string what = "protected element " + std::string(layout::proto_name(pp.proto)) +
                                 " . " + std::to_string(pp.port);
        tx::add_elements(b, MessageTag::about(what), NFT_MSG_NEWSETELEM, kCreate,
                         layout::kProtected, {tx::ElemSpec::of(keys::proto_port_key(pp))});
    }
    for (const auto& p : spec.always_allow) {
        // rbtree interval: a start element and an end element one past the last address.
        std::vector<tx::ElemSpec> elems{tx::ElemSpec::of(keys::prefix_start(p))};
        if (auto end = keys::prefix_end_exclusive(p))
            elems.push_back(tx::ElemSpec::of(*end, NFT_SET_ELEM_INTERVAL_END));
        tx::add_elements(b, MessageTag::about("always-allow element " + p.str()),
                         NFT_MSG_NEWSETELEM, kCreate, layout::allow_set_for(p.family), elems);
    }
}

void add_chain(Batch& b) {
    auto c = handles::make_chain();
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TABLE, kTableName);
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_NAME, std::string(layout::kChain).c_str());
    nftnl_chain_set_str(c.get(), NFTNL_CHAIN_TYPE, "filter");
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
    nftnl_chain_set_s32(c.get(), NFTNL_CHAIN_PRIO, 0);
    nftnl_chain_set_u32(c.get(), NFTNL_CHAIN_POLICY, NF_ACCEPT);
    b.add(MessageTag::about("chain input"), 4096, [&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, kCreate, seq);
        nftnl_chain_nlmsg_build_payload(nlh, c.get());
        return nlh;
    });
    // A DELRULE naming only the chain removes all of its rules (`flush chain`).
    auto flush = handles::make_rule();
    nftnl_rule_set_str(flush.get(), NFTNL_RULE_TABLE, kTableName);
    nftnl_rule_set_str(flush.get(), NFTNL_RULE_CHAIN, std::string(layout::kChain).c_str());
    b.add(MessageTag::about("flush of chain input"), 4096, [&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELRULE, NFPROTO_INET, 0, seq);
        nftnl_rule_nlmsg_build_payload(nlh, flush.get());
        return nlh;
    });
}

// A set the spec no longer wants (the rate sets after `remote:` went): deleted after the chain
// flush, which released the rules that used it, in the same transaction.
void delete_set(Batch& b, std::string_view name) {
    auto s = handles::make_set();
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, std::string(name).c_str());
    b.add(MessageTag::about("deletion of set " + std::string(name)), 4096,
          [&](char* buf, std::uint32_t seq) {
              nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELSET, NFPROTO_INET, 0, seq);
              nftnl_set_nlmsg_build_payload(nlh, s.get());
              return nlh;
          });
}

// The first install's pickups: one element per session, each with the pickup timeout.
void add_pickups(Batch& b, const std::vector<Tuple>& pickups) {
    for (const auto& t : pickups) {
        tx::ElemSpec spec = tx::ElemSpec::of(keys::pickup_key(t));
        spec.timeout = kPickupTimeout;
        tx::add_elements(b, MessageTag::about("pickup element " + t.str()), NFT_MSG_NEWSETELEM,
                         kCreate, layout::pickup_set_for(t.family), {spec});
    }
}

}  // namespace

void add_install(Batch& b, const TableSpec& raw, const std::vector<Tuple>& pickups,
                 const std::vector<std::string>& present) {
    const TableSpec spec = layout::normalized(raw);
    add_table(b);
    for (const auto& def : layout::sets())
        if (layout::wanted(def, spec)) add_set(b, def);
    fill_policy_sets(b, spec);
    add_pickups(b, pickups);
    add_chain(b);
    for (const auto& def : layout::sets())
        if (!layout::wanted(def, spec) &&
            std::find(present.begin(), present.end(), def.name) != present.end())
            delete_set(b, def.name);
    auto rules = remote_rules(spec, set_id);
    for (auto& r : chain_rules(set_id)) rules.push_back(std::move(r));
    for (std::size_t i = 0; i < rules.size(); ++i) {
        b.add(MessageTag::about("rule " + std::to_string(i + 1) + " of chain input"), 16384,
              [&](char* buf, std::uint32_t seq) {
                  nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET,
                                                        NLM_F_CREATE | NLM_F_APPEND, seq);
                  nftnl_rule_nlmsg_build_payload(nlh, rules[i].get());
                  return nlh;
              });
    }
}

void install(Netlink& nl, const TableSpec& spec, const std::vector<Tuple>& pickups) {
    const auto present = check_existing(nl);
    Batch b(nl.next_seq());
    add_install(b, spec, pickups, present);
    tx::run(nl, b);
}

}  // namespace jitd::nft::ops
