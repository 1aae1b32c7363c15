// The "recommended" section of `status`'s text output.
#include "agent/client/recommended_text.hpp"

#include <gtest/gtest.h>

namespace jitd::client {
namespace {

using json = nlohmann::json;

TEST(RecommendedText, OneLinePerPortWithItsPolicyLine) {
    const json st = {
        {"recommended",
         json::array({{{"port", 2222},
                       {"protocol", "tcp"},
                       {"service", "ssh-alt"},
                       {"policy", "- {port: 2222, protocol: tcp, max_duration: 1h}"}},
                      {{"port", 5900},
                       {"protocol", "tcp"},
                       {"service", "vnc"},
                       {"policy", "- {port: 5900, protocol: tcp, max_duration: 1h}"}}})}};
    EXPECT_EQ(recommended_text(st),
              "listening but not protected (recommended for the policy):\n"
              "  2222/tcp (ssh-alt): add to ports:  - {port: 2222, protocol: tcp, max_duration: "
              "1h}\n"
              "  5900/tcp (vnc): add to ports:  - {port: 5900, protocol: tcp, max_duration: 1h}\n");
}

TEST(RecommendedText, NothingWhenNoneOrAnOlderDaemon) {
    EXPECT_EQ(recommended_text(json{{"recommended", json::array()}}), "");
    EXPECT_EQ(recommended_text(json::object()), "");
}

TEST(RecommendedText, ControlBytesFromTheDaemonAreNotPrinted) {
    const json st = {{"recommended", json::array({{{"port", 23},
                                                   {"protocol", "tcp"},
                                                   {"service", "tel\x1b[2Jnet"},
                                                   {"policy", "- {port: 23}"}}})}};
    const std::string text = recommended_text(st);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_NE(text.find("23/tcp"), std::string::npos) << text;
}

}  // namespace
}  // namespace jitd::client
