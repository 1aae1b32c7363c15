// wire::grant_line is byte for byte wire::to_line of the same response object.
#include <gtest/gtest.h>

#include "agent/wire/response.hpp"
#include "agent/wire/timefmt.hpp"

namespace jitd::wire {
namespace {

std::string dom_line(const Grant& g, const std::string& superseded) {
    nlohmann::json r = ok_response();
    if (!superseded.empty()) r["superseded"] = superseded;
    r["grant"] = to_json(g);
    return to_line(r);
}

Grant sample() {
    Grant g;
    g.id = "g-0123456789ab";
    g.user = "alice";
    g.uid = 1001;
    g.port = 22;
    g.protocol = config::Protocol::tcp;
    g.source = "203.0.113.7/32";
    g.start = SysSeconds(std::chrono::seconds(1'800'000'000));
    g.end = g.start + std::chrono::hours(1);
    g.reason = "ticket 42";
    return g;
}

TEST(GrantLine, IsTheSameLineAsTheDocument) {
    const Grant g = sample();
    EXPECT_EQ(grant_line(g, format_iso8601(g.end)), dom_line(g, ""));
    EXPECT_EQ(grant_line(g, format_iso8601(g.end), "g-ba9876543210"),
              dom_line(g, "g-ba9876543210"));
}

TEST(GrantLine, EscapesWhatJsonEscapes) {
    Grant g = sample();
    for (const std::string& odd :
         {std::string("quote \" and \\ back"), std::string("tab\tnl\n"), std::string("caf\xc3\xa9"),
          std::string("bad \xff utf8"), std::string("del \x7f"), std::string()}) {
        g.reason = odd;
        g.user = odd;
        EXPECT_EQ(grant_line(g, format_iso8601(g.end)), dom_line(g, "")) << odd;
    }
}

}  // namespace
}  // namespace jitd::wire
