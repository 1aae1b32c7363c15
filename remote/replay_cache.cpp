// File format: one line per authenticated packet, "<first-seen unix seconds> <64 hex digits>\n",
// appended and fdatasync'ed before first_use() says yes. A torn last line after a crash is
// skipped at load. The file is rewritten (to a temporary, then renamed) at load and whenever
// expired records outnumber live ones, so it stays proportional to the live set.
#include "remote/replay_cache.hpp"
#include "agent/wire/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace jitd::remote {

namespace {

constexpr std::int64_t kExpireEvery = 60;    // seconds between sweeps of the in-memory set
constexpr std::size_t kCompactSlack = 1024;  // never rewrite a file for fewer stale records
constexpr std::size_t kRecordChars = 2 * std::size_t{32};

std::runtime_error sys_error(const std::string& what, const std::string& path) {
    return std::runtime_error("replay cache " + path + ": " + what + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw sys_error("write", path);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string format_record(const ReplayCache::Digest& d, std::int64_t seen_s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string line = std::to_string(seen_s);
    line.push_back(' ');
    for (const unsigned char b : d) {
        line.push_back(kHex[b >> 4]);
        line.push_back(kHex[b & 15]);
    }
    line.push_back('\n');
    return line;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool parse_record(std::string_view line, ReplayCache::Digest& d, std::int64_t& seen_s) {
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos || line.size() - sp - 1 != kRecordChars) return false;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + sp, seen_s);
    if (ec != std::errc() || end != line.data() + sp) return false;
    for (std::size_t i = 0; i < d.size(); ++i) {
        const int hi = hex_value(line[sp + 1 + 2 * i]);
        const int lo = hex_value(line[sp + 2 + 2 * i]);
        if (hi < 0 || lo < 0) return false;
        d[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return true;
}

std::int64_t seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::size_t ReplayCache::DigestHash::operator()(const Digest& d) const noexcept {
    // The digests are SHA-256 outputs of authenticated packets: their bytes are uniform.
    std::size_t h = 0;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
}

ReplayCache::ReplayCache(std::string path, std::chrono::seconds keep)
    : path_(std::move(path)), keep_(keep) {
    if (!path_.empty()) load(std::chrono::system_clock::now());
}

std::size_t ReplayCache::size() const {
    return seen_.size();
}

void ReplayCache::load(std::chrono::system_clock::time_point now) {
    const std::int64_t now_s = seconds(now);
    {
        wire::Fd in(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!in && errno != ENOENT) throw sys_error("open", path_);
        std::string text;
        char buf[65536];
        for (ssize_t n; in && (n = ::read(in.get(), buf, sizeof buf)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw sys_error("read", path_);
            text.append(buf, static_cast<std::size_t>(n));
        }
        std::size_t start = 0;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) break;  // torn last record: never acknowledged
            Digest d{};
            std::int64_t seen_s = 0;
            if (parse_record(std::string_view(text).substr(start, end - start), d, seen_s) &&
                now_s - seen_s < keep_.count()) {
                auto [it, fresh] = seen_.try_emplace(d, seen_s);
                if (!fresh && seen_s < it->second) it->second = seen_s;
            }
            start = end + 1;
        }
    }
    last_expire_s_ = now_s;
    compact();
}

void ReplayCache::compact() {
    const std::string tmp = path_ + ".tmp";
    {
        wire::Fd out(
            ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!out) throw sys_error("create", tmp);
        std::string text;
        text.reserve(seen_.size() * (kRecordChars + 13));
        for (const auto& [d, s] : seen_) text += format_record(d, s);
        write_all(out.get(), text, tmp);
        if (::fsync(out.get()) != 0) throw sys_error("fsync", tmp);
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) throw sys_error("rename", tmp);
    // Make the rename itself durable.
    const auto slash = path_.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path_.substr(0, slash);
    if (wire::Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); d) ::fsync(d.get());
    fd_ = wire::Fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    if (!fd_) throw sys_error("open", path_);
    records_in_file_ = seen_.size();
}

void ReplayCache::expire(std::int64_t now_s) {
    last_expire_s_ = now_s;
    std::erase_if(seen_, [&](const auto& e) { return now_s - e.second >= keep_.count(); });
    if (fd_ && records_in_file_ > 2 * seen_.size() + kCompactSlack) compact();
}

void ReplayCache::append(const Digest& digest, std::int64_t seen_s) {
    if (!fd_) return;
    write_all(fd_.get(), format_record(digest, seen_s), path_);
    if (::fdatasync(fd_.get()) != 0) throw sys_error("fdatasync", path_);
    ++records_in_file_;
}

bool ReplayCache::first_use(const Digest& digest, std::chrono::system_clock::time_point now) {
    const std::int64_t now_s = seconds(now);
    if (now_s - last_expire_s_ >= kExpireEvery || now_s < last_expire_s_) expire(now_s);
    const auto it = seen_.find(digest);
    // Seen within `keep` (or "in the future", after the clock stepped back): spent.
    if (it != seen_.end() && now_s - it->second < keep_.count()) return false;
    append(digest, now_s);  // durable before the caller acts on the packet
    seen_[digest] = now_s;
    return true;
}

}  // namespace jitd::remote
