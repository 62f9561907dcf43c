// What printable() lets through to a terminal, byte by byte: the escaping
// that text and Markdown reports and error messages share.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <doctest/doctest.h>

#include <string>

#include "fa32/traces/printable.hpp"

using fa32::traces::printable;
using fa32::traces::utf8_length;

TEST_CASE("printable: controls and bytes that are not UTF-8 as \\xNN, valid UTF-8 as it is") {
  CHECK(printable("plain.json") == "plain.json");
  CHECK(printable("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
  CHECK(printable("x\x1b[31m") == "x\\x1b[31m");
  CHECK(printable(std::string("a\0b\n\t\x7f", 6)) == "a\\x00b\\x0a\\x09\\x7f");
  // C1 controls (U+0080-U+009F; U+009B is a CSI to some terminals), and
  // U+00A0, the first code point past them.
  CHECK(printable("\xc2\x9b") == "\\xc2\\x9b");
  CHECK(printable("\xc2\x80") == "\\xc2\\x80");
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");
  // Overlong forms, a surrogate, past U+10FFFF, a cut sequence, a stray
  // continuation byte.
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(printable("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");
  CHECK(printable("ab\xe6\x97") == "ab\\xe6\\x97");
  CHECK(printable("\x80z") == "\\x80z");
}

TEST_CASE("utf8_length: the well-formed sequence at a byte, or 0") {
  CHECK(utf8_length("\xc3\xa9", 0) == 2);
  CHECK(utf8_length("\xe6\x97\xa5", 0) == 3);
  CHECK(utf8_length("\xf0\x9f\x98\x80", 0) == 4);
  CHECK(utf8_length("\xf4\x8f\xbf\xbf", 0) == 4);  // U+10FFFF
  CHECK(utf8_length("\xf4\x90\x80\x80", 0) == 0);
  CHECK(utf8_length("\xe6\x97", 0) == 0);
  CHECK(utf8_length("a\xc3\xa9", 1) == 2);
  CHECK(utf8_length("\xa9", 0) == 0);
}
