// SPDX-License-Identifier: GPL-3.0-or-later
#include "fa32/app/cli.hpp"

int main(int argc, char** argv) {
  return fa32::app::run(argc, argv);
}
