// SPDX-License-Identifier: GPL-2.0 OR MIT
// errors.h - the one table that turns an errno from loading or unloading
// the module into a cause and a fix.
#pragma once

#include <string>

#include "distro.h"
#include "mok.h"

namespace toacheck {

enum class Op { Load, Unload };

struct ErrnoContext {
	std::string running;   // running kernel release
	std::string built_for; // release in the module's vermagic (may be empty)
	Distro distro;
	std::string mok_certificate = kDkmsMokCertificate; // dkms_mok_key()
};

struct Advice {
	std::string name; // "ENOEXEC"
	std::string cause;
	std::string fix; // one or more shell lines; may be empty
	bool ok = false; // not an error (EEXIST on load, ENOENT on unload)
};

Advice explain_errno(Op op, int err, const ErrnoContext &ctx);

// The MOK enrollment steps, one per line.
// Enrolling dkms's certificate (@certificate) in shim's MOK list.
std::string mok_steps(const Distro &distro, const std::string &certificate = kDkmsMokCertificate);

} // namespace toacheck
