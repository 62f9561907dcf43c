// Text from a file name or a file's contents made safe to print on a terminal.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fa32::traces {

// text with every byte a terminal could act on written as \xNN: the C0
// controls (ESC, newline, ...), DEL, the C1 controls (U+0080-U+009F, whose
// CSI some terminals honour), and each byte that is not part of valid
// UTF-8 (a stray byte, a cut or overlong sequence). Valid UTF-8 otherwise
// stays as it is, so "café" still reads "café". A trace named
// "x\e[31m.json" must not recolour, clear or rewrite the user's terminal,
// nor a newline in a name split a table line in two.
std::string printable(std::string_view text);

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong form,
// surrogate or code point above U+10FFFF) that starts at text[i], a byte
// of 0x80 or more; 0 when there is none. Shared with the SVG escaping.
std::size_t utf8_length(std::string_view text, std::size_t i);

}  // namespace fa32::traces
