// SPDX-License-Identifier: GPL-2.0 OR MIT
// version.h - toa-check's version, from the VERSION file through CMake.
#pragma once

#ifndef TOA_CHECK_VERSION
#error "TOA_CHECK_VERSION must be defined by the build (cli/CMakeLists.txt)"
#endif

namespace toacheck {
inline constexpr const char *kVersion = TOA_CHECK_VERSION;
}
