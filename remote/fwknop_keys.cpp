#include "remote/fwknop_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "agent/wire/fd.hpp"
#include "remote/base64.hpp"

namespace jitd::remote {

namespace {

constexpr std::string_view kSuffix = ".fwknop";
constexpr std::size_t kMaxFileBytes = 4096;
constexpr std::size_t kMaxEncryptionKey = 32;  // fwknop refuses longer Rijndael keys
constexpr std::size_t kMinHmacKey = 32;        // below this an HMAC key is guessable
constexpr std::size_t kMaxHmacKey = 128;       // the client's limit

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::string check_stat(const struct stat& st, gid_t allowed_gid) {
    if (!S_ISREG(st.st_mode)) return "not a regular file";
    // root, or whoever runs the loader (the daemon runs as root; tests need not).
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) return "not owned by root";
    if ((st.st_mode & 0022) != 0) return "writable by group or others (chmod 0640)";
    if ((st.st_mode & 0007) != 0) return "accessible by others (chmod 0640)";
    if ((st.st_mode & 0070) != 0 && st.st_gid != 0 && st.st_gid != allowed_gid)
        return "readable by group " + std::to_string(st.st_gid) + " (chgrp root or jitd)";
    return {};
}

// Reads at most kMaxFileBytes from an open file; throws on error or a larger file.
std::string read_small(int fd) {
    std::string text(kMaxFileBytes + 1, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::invalid_argument(std::string("cannot read: ") + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxFileBytes) throw std::invalid_argument("larger than 4096 bytes");
    text.resize(got);
    return text;
}

}  // namespace

bool valid_key_user(const std::string& user) {
    if (user.empty() || user.size() > 64 || user[0] == '.' || user[0] == '-') return false;
    return std::all_of(user.begin(), user.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
    });
}

std::string check_key_file_access(const std::string& file, gid_t allowed_gid) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) return std::strerror(errno);
    return check_stat(st, allowed_gid);
}

namespace {

// Which of the two settings a key file has given so far.
struct KeySettings {
    bool have_enc = false;
    bool have_hmac = false;
};

// One "name value" line (neither blank nor a comment) into `key`.
void read_key_line(std::string_view line, const std::string& where, FwknopKey& key,
                   KeySettings& settings) {
    const std::size_t sep = line.find_first_of(": \t");
    if (sep == std::string_view::npos) throw std::invalid_argument(where + "no value");
    const std::string name = lower(line.substr(0, sep));
    const std::string_view value = trim(line.substr(sep + 1));
    bool* seen = name == "key_base64"        ? &settings.have_enc
                 : name == "hmac_key_base64" ? &settings.have_hmac
                                             : nullptr;
    if (!seen)
        throw std::invalid_argument(where + "unknown setting '" + std::string(line.substr(0, sep)) +
                                    "' (expected key_base64 or hmac_key_base64)");
    if (*seen) throw std::invalid_argument(where + name + " given twice");
    *seen = true;
    auto bytes = base64_decode(value);
    if (!bytes) throw std::invalid_argument(where + name + " is not valid base64");
    (seen == &settings.have_enc ? key.encryption : key.hmac) = std::move(*bytes);
}

void check_key(const FwknopKey& key, const KeySettings& settings) {
    if (!settings.have_enc) throw std::invalid_argument("key_base64 missing");
    if (!settings.have_hmac)
        throw std::invalid_argument("hmac_key_base64 missing (HMAC is mandatory)");
    if (key.encryption.empty() || key.encryption.size() > kMaxEncryptionKey)
        throw std::invalid_argument("key_base64 must decode to 1..32 bytes");
    if (key.hmac.size() < kMinHmacKey || key.hmac.size() > kMaxHmacKey)
        throw std::invalid_argument("hmac_key_base64 must decode to 32..128 bytes");
    if (key.encryption.size() == key.hmac.size() &&
        CRYPTO_memcmp(key.encryption.data(), key.hmac.data(), key.hmac.size()) == 0)
        throw std::invalid_argument("key_base64 and hmac_key_base64 are equal");
}

}  // namespace

// Lines "name: value" or "NAME value" (so access.conf's KEY_BASE64 lines paste as they are);
// '#' comments and blank lines are ignored. Exactly key_base64 and hmac_key_base64, once each.
FwknopKey parse_fwknop_key(const std::string& user, const std::string& file,
                           const std::string& text) {
    FwknopKey key{user, file, {}, {}, nullptr};
    KeySettings settings;
    std::size_t start = 0;
    int line_no = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line = trim(std::string_view(text).substr(start, end - start));
        start = end + 1;
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        read_key_line(line, "line " + std::to_string(line_no) + ": ", key, settings);
    }
    check_key(key, settings);
    prepare_hmac(key);
    return key;
}

FwknopKeyLoad load_fwknop_keys(const std::string& dir, gid_t allowed_gid) {
    namespace fs = std::filesystem;
    FwknopKeyLoad load;
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > kSuffix.size() && name.ends_with(kSuffix)) files.push_back(it->path());
    }
    if (ec) {
        load.errors.push_back(dir + ": " + ec.message());
        return load;
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        const std::string file = path.string();
        const std::string name = path.filename().string();
        const std::string user = name.substr(0, name.size() - kSuffix.size());
        try {
            if (!valid_key_user(user))
                throw std::invalid_argument("user name must be letters, digits, '.', '_', '-'");
            wire::Fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
            if (!fd) throw std::invalid_argument(std::strerror(errno));
            struct stat st {};
            if (::fstat(fd.get(), &st) != 0) throw std::invalid_argument(std::strerror(errno));
            if (const std::string bad = check_stat(st, allowed_gid); !bad.empty())
                throw std::invalid_argument(bad);
            std::string text = read_small(fd.get());
            load.keys.push_back(parse_fwknop_key(user, file, text));
            OPENSSL_cleanse(text.data(), text.size());
        } catch (const std::invalid_argument& e) {
            load.errors.push_back(file + ": " + e.what());
        }
    }
    return load;
}

void prepare_hmac(FwknopKey& key) {
    key.hmac_prepared = std::make_shared<const HmacSha256>(key.hmac);
}

GeneratedFwknopKey generate_fwknop_key() {
    GeneratedFwknopKey key{std::vector<unsigned char>(32), std::vector<unsigned char>(64)};
    if (RAND_bytes(key.encryption.data(), static_cast<int>(key.encryption.size())) != 1 ||
        RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) != 1)
        throw std::runtime_error("no random bytes from libcrypto");
    return key;
}

std::string format_fwknop_key_file(const GeneratedFwknopKey& key) {
    return "key_base64: " + base64_encode(key.encryption) +
           "\nhmac_key_base64: " + base64_encode(key.hmac) + "\n";
}

}  // namespace jitd::remote
