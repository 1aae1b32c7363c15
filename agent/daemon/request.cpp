#include "agent/daemon/request.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "agent/daemon/op_table.hpp"
#include "agent/wire/grant.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;

std::string quote(std::string_view s) {
    // Names from the client go back into messages: keep them short and JSON-safe.
    std::string out = std::string(s.substr(0, 40));
    return json(out).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string parse_string(const json& obj, std::string_view name, std::optional<std::string>& out) {
    auto it = obj.find(std::string(name));
    if (it == obj.end()) return std::string(name) + " is missing";
    if (!it->is_string()) return std::string(name) + " must be a string";
    out = it->get<std::string>();
    return {};
}

std::string parse_duration_field(const json& obj, Request& r) {
    std::optional<std::string> text;
    if (auto err = parse_string(obj, "duration", text); !err.empty()) return err;
    auto d = config::parse_duration(*text);
    if (!d) return "duration: " + d.error;
    if (d.value < std::chrono::seconds(1)) return "duration must be at least 1s";
    r.duration = d.value;
    return {};
}

}  // namespace

std::string parse_open_fields(const json& obj, Request& r) {
    auto port = obj.find("port");
    if (port == obj.end()) return "port is missing";
    if (!port->is_number_integer()) return "port must be an integer";
    auto value = port->get<std::int64_t>();
    if (value < 1 || value > 65535) return "port must be between 1 and 65535";
    r.port = static_cast<std::uint16_t>(value);

    if (auto proto = obj.find("protocol"); proto != obj.end()) {
        if (!proto->is_string()) return "protocol must be a string";
        const auto& s = proto->get_ref<const std::string&>();
        if (s == "tcp")
            r.protocol = config::Protocol::tcp;
        else if (s == "udp")
            r.protocol = config::Protocol::udp;
        else
            return "protocol must be \"tcp\" or \"udp\" (omit it for the port's own)";
    }
    if (auto err = parse_string(obj, "source", r.source); !err.empty()) return err;
    // Omitted: the port's max_duration (check_open fills it in).
    if (obj.contains("duration"))
        if (auto err = parse_duration_field(obj, r); !err.empty()) return err;
    if (auto reason = obj.find("reason"); reason != obj.end()) {
        if (!reason->is_string()) return "reason must be a string";
        r.reason = reason->get<std::string>();
        if (auto err = check_reason(r.reason); !err.empty()) return err;
    }
    if (auto wait = obj.find("wait"); wait != obj.end()) {
        if (!wait->is_boolean()) return "wait must be true or false";
        r.wait = wait->get<bool>();
    }
    return {};
}

std::string parse_revoke_fields(const json& obj, Request& r) {
    if (auto err = parse_string(obj, "id", r.id); !err.empty()) return err;
    if (auto kill = obj.find("kill"); kill != obj.end()) {
        if (!kill->is_boolean()) return "kill must be true or false";
        r.kill = kill->get<bool>();
    }
    return {};
}

std::string parse_extend_fields(const json& obj, Request& r) {
    if (auto err = parse_string(obj, "id", r.id); !err.empty()) return err;
    return parse_duration_field(obj, r);
}

std::string parse_no_fields(const json& /*obj*/, Request& /*r*/) {
    return {};
}

std::string incomplete_open(const Request& r) {
    if (!r.port || *r.port == 0) return "port is missing";
    if (!r.source) return "source is missing";
    if (r.duration && *r.duration < std::chrono::seconds(1)) return "duration must be at least 1s";
    return check_reason(r.reason);
}

std::string incomplete_revoke(const Request& r) {
    return r.id ? std::string() : "id is missing";
}

std::string incomplete_extend(const Request& r) {
    if (!r.id) return "id is missing";
    if (!r.duration) return "duration is missing";
    if (*r.duration < std::chrono::seconds(1)) return "duration must be at least 1s";
    return {};
}

std::string incomplete_none(const Request& /*r*/) {
    return {};
}

std::string check_reason(std::string_view reason) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < reason.size(); ++i) {
        auto c = static_cast<unsigned char>(reason[i]);
        if (c < 0x20 || c == 0x7f) return "reason must not contain control characters";
        // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
        if (c == 0xc2 && i + 1 < reason.size()) {
            auto n = static_cast<unsigned char>(reason[i + 1]);
            if (n >= 0x80 && n <= 0x9f) return "reason must not contain control characters";
        }
        if ((c & 0xc0) != 0x80) ++chars;  // count code points, not bytes
    }
    if (chars > wire::kMaxReason)
        return "reason is longer than " + std::to_string(wire::kMaxReason) + " characters";
    return {};
}

RequestParse parse_request(std::string_view line) {
    RequestParse out;
    json obj = json::parse(line.begin(), line.end(), nullptr, false);
    if (obj.is_discarded()) {
        out.error = "the request is not valid JSON";
        return out;
    }
    if (!obj.is_object()) {
        out.error = "the request must be a JSON object";
        return out;
    }
    auto op = obj.find("op");
    if (op == obj.end()) {
        out.error = "op is missing";
        return out;
    }
    if (!op->is_string()) {
        out.error = "op must be a string";
        return out;
    }
    const OpSpec* spec = op_spec_by_name(op->get_ref<const std::string&>());
    if (spec == nullptr) {
        out.error = "unknown op " + quote(op->get_ref<const std::string&>());
        return out;
    }
    out.op_known = true;
    out.request.op = spec->op;
    for (const auto& [key, value] : obj.items()) {
        if (key == "op") continue;
        if (std::find(spec->fields.begin(), spec->fields.end(), key) == spec->fields.end()) {
            out.error = "unknown field " + quote(key) + " for op " + std::string(spec->name);
            return out;
        }
    }
    out.error = spec->parse(obj, out.request);
    return out;
}

}  // namespace jitd::agent
