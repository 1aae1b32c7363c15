#include "tests/fuzz/nflog_checks.hpp"

#include <cstdint>
#include <vector>

#include "nft/nflog_packet.hpp"

namespace jitd::fuzz {

std::string check_nflog_input(std::string_view input) {
    // recv() buffers are aligned for nlmsghdr: so is this copy.
    std::vector<std::uint32_t> aligned((input.size() + 3) / 4);
    if (!input.empty()) __builtin_memcpy(aligned.data(), input.data(), input.size());
    std::string problem;
    std::size_t seen = 0;
    nft::NflogSink sink{[&](const nft::Datagram& d) {
                            ++seen;
                            if (d.payload.size() + 8 > input.size())
                                problem = "a payload larger than the input";
                            if (d.source_text() == "?") problem = "a source that does not print";
                        },
                        [&](nft::NflogError e) {
                            ++seen;
                            if (nft::to_string(e) == "?") problem = "an unnamed error";
                        }};
    nft::parse_nflog_buffer({reinterpret_cast<const std::uint8_t*>(aligned.data()), input.size()},
                            sink);
    if (seen > input.size() / 16 + 1) problem = "more outcomes than messages could fit";
    return problem;
}

}  // namespace jitd::fuzz
