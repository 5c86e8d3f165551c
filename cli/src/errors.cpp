// SPDX-License-Identifier: GPL-2.0 OR MIT
// errors.cpp - errno -> (cause, fix). Keep every explanation in this table.
#include "errors.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace toacheck {

namespace {

enum class Scope { Load, Unload, Both };

struct Entry {
	Scope scope;
	int err;
	const char *name;
	const char *cause; // fmt template: {running} {built}
	const char *fix;   // fmt template: {running} {headers} {mok}
	bool ok;
};

// clang-format off
constexpr std::array kTable = {
	Entry{Scope::Load, ENOEXEC, "ENOEXEC",
	      "the module was built for {built} while {running} runs (Invalid module format)",
	      "{headers}\ndkms autoinstall -k {running}", false},
	Entry{Scope::Load, EKEYREJECTED, "EKEYREJECTED",
	      "Secure Boot is on and the key that signed the module is not enrolled (Key was rejected by service)",
	      "{mok}", false},
	Entry{Scope::Load, ENOKEY, "ENOKEY",
	      "Secure Boot is on and the module is unsigned or its key is unknown (Required key not available)",
	      "{mok}", false},
	Entry{Scope::Load, EBADMSG, "EBADMSG",
	      "the module's signature is malformed",
	      "dkms remove toa --all && dkms autoinstall -k {running}", false},
	Entry{Scope::Both, EPERM, "EPERM",
	      "the kernel refused: not running as root, kernel lockdown is active, or module loading is disabled (kernel.modules_disabled=1)",
	      "run as root (sudo toa-check ...); if /sys/kernel/security/lockdown shows [integrity] or [confidentiality], the module must be signed with an enrolled key:\n{mok}", false},
	Entry{Scope::Both, EACCES, "EACCES",
	      "permission denied reading the module or talking to the kernel",
	      "run as root: sudo toa-check ...", false},
	Entry{Scope::Load, EEXIST, "EEXIST",
	      "toa is already loaded", "", true},
	Entry{Scope::Load, EINVAL, "EINVAL",
	      "the kernel rejected a module parameter or the module's layout (see the kernel log line starting with 'TOA:')",
	      "dmesg | grep 'TOA:'\ncheck --param values: option_kinds up to 4 of 2..255 (not 0-5, 8, 19, 29, 30, 34), max_entries 1..16777216, trusted_sources comma-separated CIDRs", false},
	Entry{Scope::Load, ENOENT, "ENOENT",
	      "the module file or a symbol it needs is missing",
	      "dkms autoinstall -k {running}", false},
	Entry{Scope::Load, ENOSYS, "ENOSYS",
	      "this kernel was built without loadable module support (CONFIG_MODULES is not set)",
	      "boot a distribution kernel that supports modules", false},
	Entry{Scope::Load, ENOMEM, "ENOMEM",
	      "the kernel ran out of memory while loading the module",
	      "free memory, or lower max_entries (--param max_entries=N)", false},
	Entry{Scope::Load, EBUSY, "EBUSY",
	      "a kprobe the module needs is busy or the symbol cannot be probed on this kernel",
	      "dmesg | grep 'TOA:'", false},
	Entry{Scope::Load, ENODEV, "ENODEV",
	      "the kernel cannot probe a function toa needs (kprobes unavailable?)",
	      "check CONFIG_KPROBES=y and CONFIG_KRETPROBES=y in /boot/config-{running}", false},
	Entry{Scope::Unload, EBUSY, "EBUSY",
	      "toa is in use and cannot be removed now",
	      "retry after the programs using it exit: toa-check unload", false},
	Entry{Scope::Unload, EWOULDBLOCK, "EWOULDBLOCK",
	      "toa is in use and cannot be removed now",
	      "retry after the programs using it exit: toa-check unload", false},
	Entry{Scope::Unload, ENOENT, "ENOENT",
	      "toa is not loaded", "", true},
};
// clang-format on

bool in_scope(Scope s, Op op)
{
	return s == Scope::Both || (s == Scope::Load && op == Op::Load) ||
		(s == Scope::Unload && op == Op::Unload);
}

} // namespace

std::string mok_steps(const Distro &distro, const std::string &certificate)
{
	return fmt::format(
		"{}\nmokutil --import {}   (choose a one-time password)\n"
		"reboot, then in the blue MOK manager: Enroll MOK -> Continue -> Yes -> the password\n"
		"toa-check load",
		distro.install_mokutil(), certificate);
}

Advice explain_errno(Op op, int err, const ErrnoContext &ctx)
{
	std::string built = ctx.built_for.empty() ? "another kernel" : ctx.built_for;
	for (const Entry &e : kTable) {
		if (e.err != err || !in_scope(e.scope, op))
			continue;
		Advice a;
		a.name = e.name;
		a.ok = e.ok;
		a.cause = fmt::format(fmt::runtime(e.cause), fmt::arg("running", ctx.running),
				      fmt::arg("built", built));
		a.fix = fmt::format(fmt::runtime(e.fix), fmt::arg("running", ctx.running),
				    fmt::arg("headers", ctx.distro.install_headers(ctx.running)),
				    fmt::arg("mok", mok_steps(ctx.distro, ctx.mok_certificate)));
		return a;
	}
	Advice a;
	a.name = fmt::format("errno {}", err);
	a.cause = std::strerror(err);
	a.fix = "dmesg | tail";
	return a;
}

} // namespace toacheck
