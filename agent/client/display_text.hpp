// Text from the journal or the daemon, made safe to show to a person or to put in a file.
//
// Journal fields are chosen by whoever wrote the entry, so a field may carry terminal escape
// sequences (ESC, CSI, OSC), bidi overrides that reorder what a reader sees, zero-width
// characters that hide text, or bytes that are not UTF-8 at all.
#pragma once

#include <string>
#include <string_view>

namespace jitd::client {

// The one sanitizer for everything shown to a person (tables, messages). Printable UTF-8
// passes unchanged; C0 controls, DEL and C1 controls become \xHH (\t, \n, \r for those three),
// bidi and zero-width format characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069,
// U+FEFF) become \uHHHH, and each byte that is not part of valid UTF-8 becomes \xHH. The
// result is valid UTF-8 with no control or format characters, and sanitizing it again
// changes nothing.
std::string printable(std::string_view s);

// `s` with each byte that is not part of valid UTF-8 replaced by U+FFFD; everything else kept
// (for CSV, whose readers decode UTF-8 but must keep line breaks and tabs in a field).
std::string valid_utf8(std::string_view s);

}  // namespace jitd::client
