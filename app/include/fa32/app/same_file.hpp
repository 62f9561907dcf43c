// Refusing to write a command's output over one of its inputs.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace fa32::app {

// Throws InputError when `output` names the same file as one of `inputs`
// (the same device and inode, so "./t.fa32", a symlink or a hard link are
// caught as well as the same spelling). Opening the output truncates it,
// and a reader that has not reached the end yet would read the new file's
// first bytes: the input would be lost and the command fail or, worse,
// succeed on part of it. An input "-" is what standard input holds and an
// output "-" what standard output holds (a regular file, when redirected);
// paths that do not exist yet are never the same file.
void refuse_output_over_input(const std::string& output, const std::vector<std::string>& inputs);

// Throws InputError when "-" (standard input) is among `inputs` more than
// once: it can be read once, and the second read met an empty stream and
// blamed the input ("empty input, not a trace").
void refuse_stdin_twice(const std::vector<std::string>& inputs);

}  // namespace fa32::app
