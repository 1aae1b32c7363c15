#include "nft/expr_builder.hpp"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <string>

namespace jitd::nft {

RuleBuilder::RuleBuilder(std::string_view table, std::string_view chain)
    : rule_(handles::make_rule()) {
    nftnl_rule_set_u32(rule_.get(), NFTNL_RULE_FAMILY, NFPROTO_INET);
    nftnl_rule_set_str(rule_.get(), NFTNL_RULE_TABLE, std::string(table).c_str());
    nftnl_rule_set_str(rule_.get(), NFTNL_RULE_CHAIN, std::string(chain).c_str());
}

RuleBuilder& RuleBuilder::add(handles::Expr e) {
    nftnl_rule_add_expr(rule_.get(), e.release());  // the rule owns it from here on
    return *this;
}

RuleBuilder& RuleBuilder::meta(std::uint32_t key, std::uint32_t dreg) {
    auto e = handles::make_expr("meta");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_KEY, key);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_META_DREG, dreg);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::ct(std::uint32_t key, std::uint32_t dreg) {
    auto e = handles::make_expr("ct");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_KEY, key);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CT_DREG, dreg);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::payload(std::uint32_t base, std::uint32_t offset, std::uint32_t len,
                                  std::uint32_t dreg) {
    auto e = handles::make_expr("payload");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_BASE, base);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_OFFSET, offset);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_LEN, len);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_PAYLOAD_DREG, dreg);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::cmp(std::uint32_t sreg, std::uint32_t op, const void* data,
                              std::uint32_t len) {
    auto e = handles::make_expr("cmp");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_SREG, sreg);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_CMP_OP, op);
    nftnl_expr_set(e.get(), NFTNL_EXPR_CMP_DATA, data, len);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::bitwise(std::uint32_t reg, std::uint32_t len, const void* mask,
                                  const void* xor_value) {
    auto e = handles::make_expr("bitwise");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_SREG, reg);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_DREG, reg);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_BITWISE_LEN, len);
    nftnl_expr_set(e.get(), NFTNL_EXPR_BITWISE_MASK, mask, len);
    nftnl_expr_set(e.get(), NFTNL_EXPR_BITWISE_XOR, xor_value, len);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::lookup(std::uint32_t sreg, std::string_view set, std::uint32_t set_id,
                                 bool invert) {
    auto e = handles::make_expr("lookup");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LOOKUP_SREG, sreg);
    nftnl_expr_set_str(e.get(), NFTNL_EXPR_LOOKUP_SET, std::string(set).c_str());
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LOOKUP_SET_ID, set_id);
    if (invert) nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::counter() {
    return add(handles::make_expr("counter"));
}

namespace {

handles::Expr packet_limit(std::uint64_t per_second, std::uint32_t burst, bool over) {
    auto e = handles::make_expr("limit");
    nftnl_expr_set_u64(e.get(), NFTNL_EXPR_LIMIT_RATE, per_second);
    nftnl_expr_set_u64(e.get(), NFTNL_EXPR_LIMIT_UNIT, 1);  // seconds
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LIMIT_BURST, burst);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LIMIT_FLAGS, over ? NFT_LIMIT_F_INV : 0);
    return e;
}

}  // namespace

RuleBuilder& RuleBuilder::limit(std::uint64_t per_second, std::uint32_t burst) {
    return add(packet_limit(per_second, burst, false));
}

RuleBuilder& RuleBuilder::meter_over(std::uint32_t sreg, std::string_view set, std::uint32_t set_id,
                                     std::uint64_t per_second, std::uint32_t burst) {
    auto e = handles::make_expr("dynset");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_DYNSET_SREG_KEY, sreg);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
    nftnl_expr_set_str(e.get(), NFTNL_EXPR_DYNSET_SET_NAME, std::string(set).c_str());
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_DYNSET_SET_ID, set_id);
    // No NFTNL_EXPR_DYNSET_TIMEOUT: new and renewed elements take the set's default timeout.
    // The dynset takes ownership of the limit expression.
    nftnl_expr_add_expr(e.get(), NFTNL_EXPR_DYNSET_EXPRESSIONS,
                        packet_limit(per_second, burst, true).release());
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::log_group(std::uint16_t group, std::uint32_t snaplen,
                                    std::uint16_t qthreshold) {
    auto e = handles::make_expr("log");
    nftnl_expr_set_u16(e.get(), NFTNL_EXPR_LOG_GROUP, group);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_LOG_SNAPLEN, snaplen);
    nftnl_expr_set_u16(e.get(), NFTNL_EXPR_LOG_QTHRESHOLD, qthreshold);
    return add(std::move(e));
}

RuleBuilder& RuleBuilder::verdict(int verdict) {
    auto e = handles::make_expr("immediate");
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
    nftnl_expr_set_u32(e.get(), NFTNL_EXPR_IMM_VERDICT, static_cast<std::uint32_t>(verdict));
    return add(std::move(e));
}

}  // namespace jitd::nft
