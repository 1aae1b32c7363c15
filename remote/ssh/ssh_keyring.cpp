// authorized_keys parsing (the sshd(8) AUTHORIZED_KEYS FILE FORMAT, the options jitd honours)
// and the keyring loader.
#include "remote/ssh/ssh_keyring.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace jitd::remote::ssh {
namespace {

// Options about ssh sessions (forwarding, ptys, rc files): nothing for jitd to enforce.
constexpr std::array<std::string_view, 11> kSessionOptions{
    "restrict",          "no-agent-forwarding", "no-port-forwarding", "no-pty", "no-user-rc",
    "no-X11-forwarding", "agent-forwarding",    "port-forwarding",    "pty",    "user-rc",
    "X11-forwarding"};

struct LineError {
    std::string what;
};

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string_view next_token(std::string_view& s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    std::size_t n = 0;
    while (n < s.size() && !is_space(s[n])) ++n;
    const auto tok = s.substr(0, n);
    s.remove_prefix(n);
    return tok;
}

// The options field: up to the first space outside double quotes.
std::string_view options_field(std::string_view& s) {
    bool quoted = false;
    std::size_t i = 0;
    for (; i < s.size(); ++i) {
        if (s[i] == '\\' && quoted && i + 1 < s.size()) {
            ++i;
        } else if (s[i] == '"') {
            quoted = !quoted;
        } else if (is_space(s[i]) && !quoted) {
            break;
        }
    }
    if (quoted) throw LineError{"unterminated quote in the options"};
    const auto field = s.substr(0, i);
    s.remove_prefix(i);
    return field;
}

// The "value" of option `name` after its '=' at field[i]; moves i past the closing quote.
std::string quoted_value(std::string_view field, std::size_t& i, const std::string& name) {
    ++i;
    if (i >= field.size() || field[i] != '"')
        throw LineError{"option " + name + " needs a double-quoted value"};
    ++i;
    std::string value;
    while (i < field.size() && field[i] != '"') {
        if (field[i] == '\\' && i + 1 < field.size() && field[i + 1] == '"') ++i;
        value += field[i++];
    }
    ++i;  // the closing quote (options_field checked it exists)
    return value;
}

// Splits name[="value"] items; values lose their quotes and backslash escapes.
std::vector<std::pair<std::string, std::optional<std::string>>> split_options(
    std::string_view field) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    std::size_t i = 0;
    while (i < field.size()) {
        std::string name;
        while (i < field.size() && field[i] != ',' && field[i] != '=') name += field[i++];
        std::optional<std::string> value;
        if (i < field.size() && field[i] == '=') value = quoted_value(field, i, name);
        if (i < field.size() && field[i] != ',')
            throw LineError{"text after the value of option " + name};
        if (i < field.size()) {
            ++i;
            if (i == field.size()) throw LineError{"empty option after the last comma"};
        }
        if (name.empty()) throw LineError{"empty option"};
        out.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

void apply_option(KeyEntry& e, const std::string& name, const std::optional<std::string>& value) {
    auto flag = [&](std::string_view n) {
        if (name != n) return false;
        if (value) throw LineError{"option " + name + " takes no value"};
        return true;
    };
    if (name == "from") {
        if (!value) throw LineError{"from needs a value"};
        if (e.from) throw LineError{"from given twice"};
        auto parsed = parse_from_patterns(*value);
        if (!parsed.error.empty()) throw LineError{parsed.error};
        e.from = std::move(parsed.rule);
    } else if (flag("no-touch-required")) {
        e.sk.user_presence = false;
    } else if (flag("verify-required")) {
        e.sk.user_verification = true;
    } else if (std::find(kSessionOptions.begin(), kSessionOptions.end(), name) !=
               kSessionOptions.end()) {
        if (value) throw LineError{"option " + name + " takes no value"};
    } else if (name == "command") {
        throw LineError{
            "command= restricts this key to one command; jitd refuses such keys rather than "
            "let them open ports (list a separate key for jitd)"};
    } else if (name == "cert-authority") {
        throw LineError{"cert-authority: put CA keys in the remote.user_ca file instead"};
    } else {
        throw LineError{"unknown option '" + name.substr(0, 64) + "'"};
    }
}

// "TYPE BASE64 [COMMENT]" from `rest`.
PublicKey read_key(std::string_view& rest) {
    const auto type = next_token(rest);
    const auto b64 = next_token(rest);
    if (type.empty() || b64.empty()) throw LineError{"expected a key type and a base64 key"};
    if (!key_type_from_name(type)) {
        if (cert_type_from_name(type))
            throw LineError{"a certificate is not a key: trust its CA with remote.user_ca"};
        throw LineError{"unsupported key type '" + std::string(type.substr(0, 64)) + "'"};
    }
    PublicKey key;
    try {
        key = parse_public_key(base64_decode(b64));
    } catch (const WireError& err) {
        throw LineError{std::string("bad key: ") + err.what()};
    }
    if (type != key_type_name(key.type))
        throw LineError{"key type " + std::string(type) + " does not match the key's own"};
    return key;
}

template <typename Fn>
void each_line(std::string_view text, const std::string& file, LoadErrors& errors, Fn fn) {
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string_view probe = line;
        while (!probe.empty() && is_space(probe.front())) probe.remove_prefix(1);
        if (probe.empty() || probe.front() == '#') continue;
        const std::string where = file + ":" + std::to_string(number);
        try {
            fn(probe, where);
        } catch (const LineError& e) {
            errors.push_back(where + ": " + e.what);
        }
    }
}

std::optional<std::string> slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::vector<const KeyEntry*> Keyring::find(std::string_view blob) const {
    std::vector<const KeyEntry*> out;
    for (const auto& k : keys)
        if (k.key.blob == blob) out.push_back(&k);
    return out;
}

const PublicKey* Keyring::find_ca(std::string_view blob) const {
    for (const auto& ca : user_cas)
        if (ca.blob == blob) return &ca;
    return nullptr;
}

bool valid_user_name(std::string_view name) {
    if (name.empty() || name.size() > 32 || name[0] == '-' || name[0] == '.') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

void add_authorized_keys(Keyring& ring, const std::string& user, std::string_view text,
                         const std::string& file, LoadErrors& errors) {
    each_line(text, file, errors, [&](std::string_view line, const std::string& where) {
        KeyEntry e;
        e.user = user;
        e.where = where;
        std::string_view rest = line;
        std::string_view probe = rest;
        const auto first = next_token(probe);
        if (!key_type_from_name(first) && !cert_type_from_name(first)) {
            for (const auto& [name, value] : split_options(options_field(rest)))
                apply_option(e, name, value);
        }
        e.key = read_key(rest);
        e.fingerprint = fingerprint(e.key.blob);
        ring.keys.push_back(std::move(e));
    });
}

void add_user_cas(Keyring& ring, std::string_view text, const std::string& file,
                  LoadErrors& errors) {
    each_line(text, file, errors, [&](std::string_view line, const std::string&) {
        ring.user_cas.push_back(read_key(line));
    });
}

KeyringLoad load_keyring(const std::filesystem::path& keys_dir,
                         const std::optional<std::filesystem::path>& user_ca) {
    KeyringLoad out;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(keys_dir, ec))
        if (entry.path().extension() == ".pub") files.push_back(entry.path());
    if (ec) out.errors.push_back(keys_dir.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        const std::string user = f.stem().string();
        if (!valid_user_name(user)) {
            out.errors.push_back(f.string() + ": '" + user + "' is not a valid user name");
            continue;
        }
        const auto text = slurp(f);
        if (!text) {
            out.errors.push_back(f.string() + ": cannot be read");
            continue;
        }
        add_authorized_keys(out.keyring, user, *text, f.string(), out.errors);
    }
    if (user_ca) {
        const auto text = slurp(*user_ca);
        if (!text)
            out.errors.push_back(user_ca->string() + ": cannot be read");
        else
            add_user_cas(out.keyring, *text, user_ca->string(), out.errors);
    }
    return out;
}

}  // namespace jitd::remote::ssh
