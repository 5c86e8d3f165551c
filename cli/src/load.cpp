// SPDX-License-Identifier: GPL-2.0 OR MIT
// load.cpp - preflight, insert, confirm; remove.
#include "load.h"

#include <ostream>

#include <fmt/format.h>

#include "errors.h"
#include "params.h"

namespace toacheck {

namespace {

void print_advice(Env &env, const Advice &a, Status status)
{
	Check c{"", status, fmt::format("{}: {}", a.name, a.cause), a.fix};
	print_check(env.out, c);
}

void print_toa_lines(Env &env, size_t since)
{
	auto lines = toa_log_lines(env.sys);
	for (size_t i = since; i < lines.size(); ++i)
		env.out << "    kernel: " << lines[i] << "\n";
}

} // namespace

std::string live_params(System &sys)
{
	std::string out;
	for (const char *key : {"option_kinds", "trusted_sources", "max_entries"}) {
		auto v = sys.read_file(std::string("/sys/module/toa/parameters/") + key);
		if (!v)
			continue;
		std::string value = trim(*v);
		if (!out.empty())
			out += ' ';
		out += fmt::format("{}={}", key,
				   value.empty() && std::string(key) == "trusted_sources"
					   ? "(empty: any source)"
					   : value);
	}
	return out.empty() ? "(none readable in /sys/module/toa/parameters)" : out;
}

std::vector<std::string> toa_log_lines(System &sys)
{
	std::vector<std::string> out;
	for (const auto &line : sys.kernel_log())
		if (line.rfind("TOA:", 0) == 0)
			out.push_back(line);
	return out;
}

int LoadCmd::run(Env &env)
{
	// Bad input first: exit 2 before touching anything.
	std::vector<ModuleParam> parsed = parse_params(params);
	if (!module.empty() && !env.sys.exists(module))
		throw UsageError(fmt::format("--module {}: no such file", module));
	if (!env.sys.is_root())
		throw UsageError("loading a module needs root (run: sudo toa-check load)");

	ErrnoContext ectx;
	ectx.running = env.sys.kernel_release();
	ectx.distro = Distro(env.sys.os_release());
	ectx.mok_certificate = dkms_mok_key(env.sys).certificate;

	if (env.sys.module_loaded()) {
		auto v = env.sys.read_file("/sys/module/toa/version");
		env.out << fmt::format("\u2713 toa {}is already loaded\n", v ? trim(*v) + " " : "");
		env.out << fmt::format("    parameters now: {}\n", live_params(env.sys));
		if (!parsed.empty())
			env.out << "    parameters not applied; write them to /sys/module/toa/parameters/<name>, "
				   "or: toa-check unload && toa-check load --param ...\n";
		return kExitOk;
	}

	// Preflight.
	if (!env.sys.exists("/proc/modules")) {
		print_advice(env, explain_errno(Op::Load, ENOSYS, ectx), Status::Fail);
		return kExitFail;
	}
	ModInfo mi = env.sys.module_info(module.empty() ? "toa" : module, ectx.running);
	if (!mi.found) {
		Check c{"module", Status::Fail,
			module.empty() ? fmt::format("no toa module for {} (libkmod finds none)",
						     ectx.running)
				       : fmt::format("{}: not a readable kernel module", module),
			fmt::format("dkms autoinstall -k {}", ectx.running)};
		print_check(env.out, c);
		return kExitFail;
	}
	ectx.built_for = first_word(mi.vermagic);
	if (ectx.built_for != ectx.running) {
		print_advice(env, explain_errno(Op::Load, ENOEXEC, ectx), Status::Fail);
		return kExitFail;
	}
	print_check(env.out,
		    {"module", Status::Pass, fmt::format("{} built for {}", mi.path, ectx.running),
		     ""});
	SecureBoot sb = env.sys.secure_boot();
	if (sb == SecureBoot::Enabled && mi.signer.empty()) {
		print_advice(env, explain_errno(Op::Load, ENOKEY, ectx), Status::Fail);
		return kExitFail;
	}
	print_check(env.out,
		    {"signature", Status::Pass,
		     sb == SecureBoot::Enabled
			     ? fmt::format("Secure Boot on, signed by {}", mi.signer)
			     : sb == SecureBoot::Disabled ? "Secure Boot off"
							  : "Secure Boot state unknown",
		     ""});

	// As modprobe does: the configured options (modprobe.d, the kernel
	// command line: trusted_sources above all), then --param, which wins.
	std::string configured = trim(env.sys.configured_options("toa"));
	std::string given = params_string(parsed);
	try {
		effective_params(configured);
	} catch (const UsageError &e) {
		print_check(
			env.out,
			{"options", Status::Fail,
			 fmt::format("the configured options are refused: {}", e.what()),
			 "toa-check enable --trusted-sources ... (or edit /etc/modprobe.d/toa.conf)"});
		return kExitFail;
	}
	std::string opts = configured.empty() ? given
		: given.empty()		      ? configured
					      : configured + " " + given;
	size_t log_before = toa_log_lines(env.sys).size();
	int err = env.sys.insert_module(mi.path, opts);
	if (err != 0) {
		Advice a = explain_errno(Op::Load, err, ectx);
		if (a.ok) {
			env.out << fmt::format("\u2713 {}\n", a.cause);
			return kExitOk;
		}
		print_advice(env, a, Status::Fail);
		print_toa_lines(env, log_before);
		return kExitFail;
	}

	// Confirm.
	if (!env.sys.module_loaded()) {
		print_check(env.out,
			    {"loaded", Status::Fail,
			     "the kernel accepted the module but /sys/module/toa is missing",
			     "dmesg | grep 'TOA:'"});
		return kExitFail;
	}
	auto lines = toa_log_lines(env.sys);
	std::string loaded_line;
	for (size_t i = log_before; i < lines.size(); ++i)
		if (lines[i].find("TOA: toa loaded") != std::string::npos)
			loaded_line = lines[i];
	if (loaded_line.empty()) {
		print_check(
			env.out,
			{"loaded", Status::Warn,
			 "toa is loaded but the kernel log shows no 'TOA: toa loaded' line (cannot read /dev/kmsg?)",
			 ""});
	} else {
		print_check(env.out, {"loaded", Status::Pass, loaded_line, ""});
	}
	if (!configured.empty())
		env.out << fmt::format("    options from the configuration: {}\n", configured);
	if (!given.empty())
		env.out << fmt::format("    options given: {}\n", given);
	env.out << fmt::format("    parameters now: {}\n", live_params(env.sys));
	return kExitOk;
}

int UnloadCmd::run(Env &env)
{
	if (!env.sys.is_root())
		throw UsageError("unloading a module needs root (run: sudo toa-check unload)");
	if (!env.sys.module_loaded()) {
		env.out << "\u2713 toa is not loaded\n";
		return kExitOk;
	}
	ErrnoContext ectx;
	ectx.running = env.sys.kernel_release();
	ectx.distro = Distro(env.sys.os_release());
	ectx.mok_certificate = dkms_mok_key(env.sys).certificate;
	int err = env.sys.remove_module("toa");
	if (err != 0) {
		Advice a = explain_errno(Op::Unload, err, ectx);
		if (a.ok) {
			env.out << fmt::format("\u2713 {}\n", a.cause);
			return kExitOk;
		}
		print_advice(env, a, Status::Fail);
		return kExitFail;
	}
	if (env.sys.module_loaded()) {
		print_check(env.out,
			    {"unloaded", Status::Fail,
			     "the kernel accepted the removal but /sys/module/toa is still there",
			     "toa-check unload"});
		return kExitFail;
	}
	env.out << "\u2713 toa unloaded\n";
	return kExitOk;
}

} // namespace toacheck
