// The one sanitizer for text shown to a person, CSV's defences, and which journal writer counts
// as jitd.
#include <gtest/gtest.h>

#include <string>

#include "agent/client/csv.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/journal_reader.hpp"

namespace jitd::client {
namespace {

TEST(Printable, KeepsPrintableUtf8) {
    EXPECT_EQ(printable("alice"), "alice");
    EXPECT_EQ(printable("zoë 東京 ✓ 🙂"), "zoë 東京 ✓ 🙂");
    EXPECT_EQ(printable(""), "");
    EXPECT_EQ(printable("back\\slash"), "back\\slash");
}

TEST(Printable, EscapesC0C1AndDel) {
    EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(printable("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
    EXPECT_EQ(printable("\x1b[2J"), "\\x1b[2J");
    EXPECT_EQ(printable("t\tn\nr\r"), "t\\tn\\nr\\r");
    EXPECT_EQ(printable("\x7f"), "\\x7f");
    EXPECT_EQ(printable("\xc2\x9b"
                        "1m"),
              "\\x9b1m");                                                    // U+009B, CSI in C1
    EXPECT_EQ(printable("\xc2\x80\xc2\x9f\xc2\xa0"), "\\x80\\x9f\xc2\xa0");  // NBSP stays
}

TEST(Printable, EscapesBidiAndZeroWidthCharacters) {
    EXPECT_EQ(printable("\xe2\x80\xae"), "\\u202e");  // RIGHT-TO-LEFT OVERRIDE
    EXPECT_EQ(printable("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
              "\\u202a\\u202b\\u202c\\u202d");
    EXPECT_EQ(printable("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"),
              "\\u2066\\u2067\\u2068\\u2069");
    EXPECT_EQ(printable("\xe2\x80\x8e\xe2\x80\x8f"), "\\u200e\\u200f");
    EXPECT_EQ(printable("a\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d"
                        "b"),
              "a\\u200b\\u200c\\u200db");
    EXPECT_EQ(printable("\xef\xbb\xbfx"), "\\ufeffx");
    EXPECT_EQ(printable("\xe2\x80\x90"), "\xe2\x80\x90");  // HYPHEN, just past the range
}

TEST(Printable, EscapesEachByteOfInvalidUtf8) {
    EXPECT_EQ(printable("bad \xff\xfe"), "bad \\xff\\xfe");
    EXPECT_EQ(printable("\xc3"), "\\xc3");                             // truncated
    EXPECT_EQ(printable("\xc3(x"), "\\xc3(x");                         // bad continuation
    EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
    EXPECT_EQ(printable("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong, 3 bytes
    EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
    EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // over U+10FFFF
    EXPECT_EQ(printable("\x9b"), "\\x9b");                             // 8-bit CSI alone
}

TEST(Printable, IsIdempotentAndLeavesNoControls) {
    const std::string hostile = "g\x1b]8;;http://x\x07\xe2\x80\xae\xff\xc2\x85\xef\xbb\xbf";
    const std::string once = printable(hostile);
    EXPECT_EQ(printable(once), once);
    for (char c : once) {
        const auto u = static_cast<unsigned char>(c);
        EXPECT_TRUE(u >= 0x20 && u < 0x7f) << "byte " << int(u) << " in " << once;
    }
}

// Every string of up to two bytes, and every three-byte sequence with a three-byte lead: the
// result never holds a control or format character and sanitizing it again changes nothing.
TEST(Printable, HoldsForEveryShortInput) {
    auto check = [](const std::string& in) {
        const std::string out = printable(in);
        ASSERT_EQ(printable(out), out) << in;
        ASSERT_EQ(valid_utf8(out), out) << in;
        for (char c : out) {
            const auto u = static_cast<unsigned char>(c);
            ASSERT_TRUE(u >= 0x20 && u != 0x7f) << "byte " << int(u) << " from input " << in;
        }
        for (const char* bad :
             {"\xc2\x80", "\xc2\x9f", "\xe2\x80\xae", "\xe2\x80\x8b", "\xef\xbb\xbf"})
            ASSERT_EQ(out.find(bad), std::string::npos) << in;
    };
    for (int a = 0; a < 256; ++a) {
        check(std::string(1, static_cast<char>(a)));
        for (int b = 0; b < 256; ++b) check({static_cast<char>(a), static_cast<char>(b)});
    }
    for (int a = 0xE0; a <= 0xEF; ++a)
        for (int b = 0x80; b <= 0xBF; ++b)
            for (int c = 0x80; c <= 0xBF; ++c)
                check({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
}

TEST(ValidUtf8, ReplacesOnlyWhatIsNotUtf8) {
    EXPECT_EQ(valid_utf8("ok ë\n\t"), "ok ë\n\t");
    EXPECT_EQ(valid_utf8("a\xff"
                         "b"),
              "a\xef\xbf\xbd"
              "b");
    EXPECT_EQ(valid_utf8("\xc3"), "\xef\xbf\xbd");
}

TEST(Csv, NeutralisesCellsASpreadsheetWouldRunAsFormulas) {
    EXPECT_EQ(csv_field("=1+1"), "'=1+1");
    EXPECT_EQ(csv_field("+1"), "'+1");
    EXPECT_EQ(csv_field("-1"), "'-1");
    EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
    EXPECT_EQ(csv_field("\t=1"), "'\t=1");
    EXPECT_EQ(csv_field("\r=1"), "\"'\r=1\"");  // still quoted for the CR
    EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\",\"y\")"),
              "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    // Only the first character matters.
    EXPECT_EQ(csv_field("a=1"), "a=1");
    EXPECT_EQ(csv_field("2026-11-23T14:00:00Z"), "2026-11-23T14:00:00Z");
    EXPECT_EQ(csv_field("'=1"), "'=1");
}

TEST(Csv, ReplacesInvalidUtf8) {
    EXPECT_EQ(csv_field("bad \xff"), "bad \xef\xbf\xbd");
}

TEST(JournalTrust, OnlyJournaldsOwnFieldsCount) {
    const std::optional<uid_t> svc = 998;
    EXPECT_EQ(classify_writer("jitd.service", "998", "jitd", svc), Trust::service);
    EXPECT_EQ(classify_writer("jitd.service", "998", "", svc), Trust::service);
    EXPECT_EQ(classify_writer("", "0", "jitd", svc), Trust::root);
    EXPECT_EQ(classify_writer("", "0", "jitd", std::nullopt), Trust::root);
    EXPECT_EQ(classify_writer("jitd.service", "0", "jitd", svc), Trust::root);
    // A process anyone can start, named jitd, or in the unit but with another uid.
    EXPECT_EQ(classify_writer("", "1000", "jitd", svc), Trust::untrusted);
    EXPECT_EQ(classify_writer("jitd.service", "1000", "jitd", svc), Trust::untrusted);
    EXPECT_EQ(classify_writer("session-3.scope", "998", "jitd", svc), Trust::untrusted);
    EXPECT_EQ(classify_writer("jitd.service", "998", "jitd", std::nullopt), Trust::untrusted);
    EXPECT_EQ(classify_writer("", "0", "logger", svc), Trust::untrusted);
    EXPECT_EQ(classify_writer("", "0", "jitd2", svc), Trust::untrusted);
    EXPECT_EQ(classify_writer("", "", "jitd", svc), Trust::untrusted);
    EXPECT_STREQ(trust_name(Trust::service), "service");
    EXPECT_STREQ(trust_name(Trust::root), "root");
    EXPECT_STREQ(trust_name(Trust::untrusted), "untrusted");
}

}  // namespace
}  // namespace jitd::client
