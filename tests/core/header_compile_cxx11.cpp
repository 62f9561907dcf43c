// SPDX-License-Identifier: GPL-3.0-or-later
//
// header_compile.c as C++11: fastalloc32.h from C++ without the C++ layer.
#include "header_compile.c"
