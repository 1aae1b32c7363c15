// sshsig_bench: signed-request verifications per second on one core, per key type. Keys come from
// ssh-keygen, signatures from the key-file signer; each timed call is the daemon's whole check
// (verify_signed_request: parse, signature, keyring, request). No root needed.
//   build/tests/bench/sshsig_bench [SECONDS]
#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "remote/ssh/ssh_private_key.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/support/process.hpp"

namespace {

namespace ssh = jitd::remote::ssh;

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Case {
    const char* label;
    const char* type;
    int bits;
};

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "jitd-sshsig-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return 1;
    const std::filesystem::path dir = tmpl;

    const std::vector<Case> cases{
        {"ssh-ed25519", "ed25519", 0},         {"ecdsa-sha2-nistp256", "ecdsa", 256},
        {"ecdsa-sha2-nistp384", "ecdsa", 384}, {"ecdsa-sha2-nistp521", "ecdsa", 521},
        {"rsa-sha2-512 (2048)", "rsa", 2048},  {"rsa-sha2-512 (3072)", "rsa", 3072},
        {"rsa-sha2-512 (4096)", "rsa", 4096}};
    ssh::SignedRequest r;
    r.host = "bastion-7";
    r.port = 22;
    r.client_time = static_cast<std::uint64_t>(time(nullptr));
    const std::string req = ssh::encode_request(r);
    const std::vector<std::string> hosts{"bastion-7"};
    const auto sender = jitd::config::parse_cidr("192.0.2.10").value;

    std::printf("%-22s %12s %8s\n", "key type", "verify/s", "bytes");
    int status = 0;
    for (const auto& c : cases) {
        const std::string key = (dir / c.label).string();
        std::vector<std::string> argv_gen{"ssh-keygen", "-q", "-t", c.type, "-N", "", "-f", key};
        if (c.bits != 0) argv_gen.insert(argv_gen.end(), {"-b", std::to_string(c.bits)});
        jitd::test::run_ok(argv_gen);
        auto signer = ssh::KeyFileSigner::from_file(key);
        const std::string datagram =
            ssh::encode_datagram(req, ssh::sign_sshsig(*signer, ssh::kJitdNamespace, req));
        ssh::Keyring ring;
        ssh::LoadErrors errors;
        ssh::add_authorized_keys(ring, "alice", jitd::test::read_file(key + ".pub"), "alice.pub",
                                 errors);
        long n = 0;
        const double start = thread_cpu_seconds();
        double elapsed = 0;
        do {
            for (int i = 0; i < 16; ++i) {
                const auto res = ssh::verify_signed_request(
                    datagram, ring, hosts, std::chrono::system_clock::now(), sender);
                if (!res) {
                    std::fprintf(stderr, "%s: refused: %s\n", c.label, res.reason.c_str());
                    status = 1;
                    break;
                }
                ++n;
            }
            elapsed = thread_cpu_seconds() - start;
        } while (elapsed < seconds && status == 0);
        std::printf("%-22s %12.0f %8zu\n", c.label, static_cast<double>(n) / elapsed,
                    datagram.size());
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return status;
}
