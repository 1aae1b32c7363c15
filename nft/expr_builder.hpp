// Builds a rule expression by expression, the way `nft` would compile the same text.
#pragma once

#include <cstdint>
#include <string_view>

#include "nft/handles.hpp"

namespace jitd::nft {

class RuleBuilder {
  public:
    RuleBuilder(std::string_view table, std::string_view chain);

    RuleBuilder& meta(std::uint32_t key, std::uint32_t dreg);
    RuleBuilder& ct(std::uint32_t key, std::uint32_t dreg);
    RuleBuilder& payload(std::uint32_t base, std::uint32_t offset, std::uint32_t len,
                         std::uint32_t dreg);
    RuleBuilder& cmp(std::uint32_t sreg, std::uint32_t op, const void* data, std::uint32_t len);
    RuleBuilder& bitwise(std::uint32_t reg, std::uint32_t len, const void* mask,
                         const void* xor_value);
    RuleBuilder& lookup(std::uint32_t sreg, std::string_view set, std::uint32_t set_id,
                        bool invert);
    RuleBuilder& counter();
    // `limit rate N/second burst B packets`.
    RuleBuilder& limit(std::uint64_t per_second, std::uint32_t burst);
    // `update @set { <key in sreg> limit rate over N/second burst B packets }`: the source's
    // meter in a dynamic set, created when missing, its timeout renewed; matches (so the rest
    // of the rule runs) only while that source is over its rate. With the set full, no match.
    RuleBuilder& meter_over(std::uint32_t sreg, std::string_view set, std::uint32_t set_id,
                            std::uint64_t per_second, std::uint32_t burst);
    // `log group G snaplen S queue-threshold Q`: a copy of the packet to nflog group G.
    RuleBuilder& log_group(std::uint16_t group, std::uint32_t snaplen, std::uint16_t qthreshold);
    RuleBuilder& verdict(int verdict);

    handles::Rule take() { return std::move(rule_); }

  private:
    RuleBuilder& add(handles::Expr e);
    handles::Rule rule_;
};

}  // namespace jitd::nft
