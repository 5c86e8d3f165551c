// SPDX-License-Identifier: GPL-2.0 OR MIT
// doctor.h - the checklist: is everything in place for TOA on this machine?
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "distro.h"
#include "mok.h"
#include "command.h"
#include "report.h"
#include "stats.h"

namespace toacheck {

struct DoctorContext {
	System &sys;
	std::string release; // the kernel checked
	std::string running; // the kernel running
	Distro distro;
	MokKey mok;			// dkms's Secure Boot key (framework.conf)
	std::optional<ModInfo> modinfo; // filled by check_module
	DoctorContext(System &s, std::string rel);
	bool checking_running() const { return release == running; }
	const ModInfo &module();
};

// Each check, in the order doctor runs them.
Check check_kernel(DoctorContext &ctx);
Check check_headers(DoctorContext &ctx);
Check check_compiler(DoctorContext &ctx);
Check check_dkms(DoctorContext &ctx);
Check check_module(DoctorContext &ctx);
Check check_signature(DoctorContext &ctx);
Check check_loaded(DoctorContext &ctx);
std::optional<Check> check_hooks(DoctorContext &ctx); // only when loaded
Check check_boot(DoctorContext &ctx);
std::optional<Check> check_trusted(DoctorContext &ctx); // only when loaded
std::optional<Check> check_params(DoctorContext &ctx);	// only when loaded
std::optional<Check> check_traffic(DoctorContext &ctx); // only when loaded

std::vector<Check> run_checks(DoctorContext &ctx);

// Helpers with their own tests.
std::string parse_uts_release(const std::string &utsrelease_h);
std::optional<std::string> parse_cc_version_text(const std::string &config);
std::string compiler_name(const std::string &cc_version_text);
std::string compiler_version(const std::string &version_line); // "12.2.0"
bool config_lists_module(const std::string &conf_text, const std::string &module);
// The options module/Kbuild needs that an include/config/auto.conf lacks.
std::vector<std::string> config_lacks(const std::string &auto_conf);
// Why the running kernel loads only signed modules ("module.sig_enforce=1",
// "lockdown=integrity", "lockdown=confidentiality"), or "".
std::string signed_only_reason(System &sys);

struct DoctorCmd : Command {
	bool json = false;
	std::string kernel; // empty: the running one
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

} // namespace toacheck
