// jitd_bench_spa: how fast the fwknop SPA decoder throws away forged packets (random base64 of
// a typical length, HMAC tried against every configured key) and decodes a good one, on one
// core. Prints packets per second of thread CPU time; the target is 100,000 forged packets per
// second with one (wrong) key. No root, no network.
#include <time.h>

#include <openssl/rand.h>

#include <cstdio>
#include <string>
#include <vector>

#include "remote/base64.hpp"
#include "remote/fwknop_keys.hpp"
#include "remote/fwknop_spa.hpp"
#include "tests/unit/remote/spa_builder.hpp"

namespace {

using namespace jitd::remote;

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<FwknopKey> make_keys(std::size_t n) {
    std::vector<FwknopKey> keys;
    for (std::size_t i = 0; i < n; ++i) {
        const auto g = generate_fwknop_key();
        FwknopKey k{"user" + std::to_string(i), "", g.encryption, g.hmac, nullptr};
        prepare_hmac(k);
        keys.push_back(std::move(k));
    }
    return keys;
}

// Random base64 text of `len` characters, the shape of a stock 204-byte packet.
std::string forged(std::size_t len) {
    std::vector<unsigned char> raw(len);
    RAND_bytes(raw.data(), static_cast<int>(raw.size()));
    std::string text = base64_encode_unpadded(raw);
    text.resize(len);
    if (text.starts_with("U2FsdGVkX1")) text[0] = '9';
    // A tag whose last character is canonical base64 of 32 bytes, so every forgery costs the
    // full HMAC against every key (others are refused before any HMAC).
    text.back() = 'A';
    return text;
}

// Decodes `packets` round-robin for at least `min_cpu` seconds; returns packets per second.
double rate(const std::vector<std::string>& packets, const std::vector<FwknopKey>& keys,
            bool expect_ok, double min_cpu) {
    std::size_t done = 0;
    std::size_t wrong = 0;
    const double start = thread_cpu_seconds();
    double now = start;
    while (now - start < min_cpu) {
        for (int i = 0; i < 256; ++i, ++done) {
            const SpaDecode d = decode_spa(packets[done % packets.size()], keys);
            wrong += d.message.has_value() != expect_ok;
        }
        now = thread_cpu_seconds();
    }
    if (wrong != 0) std::fprintf(stderr, "jitd_bench_spa: %zu unexpected verdicts\n", wrong);
    return static_cast<double>(done) / (now - start);
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    std::vector<std::string> forgeries;
    forgeries.reserve(4096);
    for (int i = 0; i < 4096; ++i) forgeries.push_back(forged(204));

    std::printf("fwknop SPA decoder, one core (thread CPU time), %.1f s per row\n", seconds);
    double forged_1 = 0;
    for (const std::size_t n : {std::size_t{1}, std::size_t{10}, std::size_t{100}}) {
        const auto keys = make_keys(n);
        const double r = rate(forgeries, keys, false, seconds);
        if (n == 1) forged_1 = r;
        std::printf("  forged 204 B, %3zu keys      %10.0f packets/s\n", n, r);
    }
    const auto keys = make_keys(10);
    const std::string pt =
        testing::with_digest(testing::spa_body("alice", "1796140000", "203.0.113.7,tcp/22"));
    const std::vector<std::string> good = {
        testing::make_packet(keys[9].encryption, keys[9].hmac, pt)};
    std::printf("  genuine 204 B, 10 keys (last) %9.0f packets/s\n",
                rate(good, keys, true, seconds));
    std::printf("  too short (100 B)            %10.0f packets/s\n",
                rate({std::string(100, 'A')}, keys, false, seconds));
    const bool pass = forged_1 >= 100000;
    std::printf("%s: forged packets, one key: %.0f/s (target >= 100000/s)\n",
                pass ? "PASS" : "MISS", forged_1);
    return pass ? 0 : 1;
}
