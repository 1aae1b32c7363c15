#pragma once
// The strict parser of a decrypted SPA plaintext (fields, inner digest, access message).
// Internal to jitd_remote; callers use parse_spa_plaintext.

#include <optional>
#include <string_view>

#include "remote/fwknop_spa.hpp"

namespace jitd::remote {

struct SpaFields {
    std::optional<SpaMessage> message;
    std::optional<SpaRefusal> refusal;
};

SpaFields parse_spa_fields(std::string_view plaintext);

}  // namespace jitd::remote
