// SPDX-License-Identifier: GPL-2.0 OR MIT
// doctor.cpp - one function per check; each says what is wrong and the
// command that fixes it on this distribution.
#include "doctor.h"

#include <cctype>
#include <cstdlib>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "errors.h"
#include "params.h"
#include "version.h"
#include "toa_uapi.h"

namespace toacheck {

namespace {

int major_of(const std::string &v)
{
	try {
		return std::stoi(v);
	} catch (const std::exception &) {
		return 0;
	}
}

std::string modules_dir(const std::string &release)
{
	return "/lib/modules/" + release;
}

} // namespace

DoctorContext::DoctorContext(System &s, std::string rel)
	: sys(s), release(std::move(rel)), running(s.kernel_release()), distro(s.os_release()),
	  mok(dkms_mok_key(s))
{
	if (release.empty())
		release = running;
}

const ModInfo &DoctorContext::module()
{
	if (!modinfo)
		modinfo = sys.module_info("toa", release);
	return *modinfo;
}

std::string parse_uts_release(const std::string &text)
{
	static const std::regex re(R"re(#\s*define\s+UTS_RELEASE\s+"([^"]*)")re");
	std::smatch m;
	if (std::regex_search(text, m, re))
		return m[1];
	return "";
}

std::optional<std::string> parse_cc_version_text(const std::string &config)
{
	for (const auto &line : split_lines(config)) {
		const std::string key = "CONFIG_CC_VERSION_TEXT=";
		if (line.rfind(key, 0) != 0)
			continue;
		std::string v = trim(line.substr(key.size()));
		if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
			v = v.substr(1, v.size() - 2);
		return v;
	}
	return std::nullopt;
}

std::string compiler_name(const std::string &text)
{
	// "gcc-12 (Debian 12.2.0-14) 12.2.0" -> gcc-12;
	// "Debian clang version 14.0.6" -> clang
	std::string w = first_word(text);
	if (w.find("gcc") != std::string::npos || w.find("clang") != std::string::npos)
		return w;
	if (text.find("clang version") != std::string::npos)
		return "clang";
	return w;
}

std::string compiler_version(const std::string &line)
{
	// The version follows the parenthesised vendor string when there is
	// one: "gcc-12 (Debian 12.2.0-14) 12.2.0", "gcc (GCC) 11.4.1 2023...".
	static const std::regex ver(R"(^\d+\.\d+(\.\d+)?$)");
	size_t paren = line.find(')');
	std::istringstream in(paren == std::string::npos ? line : line.substr(paren + 1));
	std::string tok;
	while (in >> tok)
		if (std::regex_match(tok, ver))
			return tok;
	if (paren != std::string::npos)
		return compiler_version(line.substr(0, paren) + " " + line.substr(paren + 1));
	return "";
}

std::vector<std::string> config_lacks(const std::string &auto_conf)
{
	// module/Kbuild's TOA_NEEDS, and one of the two ftrace flavours.
	static const char *const needs[] = {"CONFIG_MODULES",	      "CONFIG_INET",
					    "CONFIG_KPROBES",	      "CONFIG_KRETPROBES",
					    "CONFIG_FUNCTION_TRACER", "CONFIG_DYNAMIC_FTRACE",
					    "CONFIG_TRACEPOINTS"};
	std::set<std::string> set;
	for (const auto &line : split_lines(auto_conf))
		if (line.size() > 2 && line.compare(line.size() - 2, 2, "=y") == 0)
			set.insert(line.substr(0, line.size() - 2));
	std::vector<std::string> lacks;
	for (const char *n : needs)
		if (!set.count(n))
			lacks.emplace_back(n);
	if (!set.count("CONFIG_DYNAMIC_FTRACE_WITH_REGS") &&
	    !set.count("CONFIG_DYNAMIC_FTRACE_WITH_ARGS"))
		lacks.emplace_back("CONFIG_DYNAMIC_FTRACE_WITH_REGS/_WITH_ARGS");
	return lacks;
}

std::string signed_only_reason(System &sys)
{
	auto enforce = sys.read_file("/sys/module/module/parameters/sig_enforce");
	if (enforce && trim(*enforce) == "Y")
		return "module.sig_enforce=1";
	// "none [integrity] confidentiality": both levels refuse unsigned modules
	auto lockdown = sys.read_file("/sys/kernel/security/lockdown");
	if (lockdown) {
		for (const char *level : {"integrity", "confidentiality"})
			if (lockdown->find(std::string("[") + level + "]") != std::string::npos)
				return std::string("lockdown=") + level;
	}
	return "";
}

bool config_lists_module(const std::string &text, const std::string &module)
{
	for (auto line : split_lines(text)) {
		size_t c = line.find_first_of("#;");
		if (c != std::string::npos)
			line.resize(c);
		if (trim(line) == module)
			return true;
	}
	return false;
}

Check check_kernel(DoctorContext &ctx)
{
	Check c{"kernel", Status::Pass, "", ""};
	if (ctx.running.empty()) {
		c.status = Status::Fail;
		c.summary = "cannot tell which kernel runs (uname failed)";
		return c;
	}
	if (!ctx.checking_running()) {
		c.summary = fmt::format("checking kernel {} (running {}): live checks skipped",
					ctx.release, ctx.running);
		return c;
	}
	if (!ctx.sys.exists("/proc/modules")) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"kernel {} runs without loadable module support (no /proc/modules)",
			ctx.running);
		c.fix = "boot a distribution kernel built with CONFIG_MODULES=y\n"
			"toa-check doctor --kernel RELEASE   (checks the build for an installed kernel)";
		return c;
	}
	auto disabled = ctx.sys.read_file("/proc/sys/kernel/modules_disabled");
	if (disabled && trim(*disabled) == "1") {
		if (ctx.sys.module_loaded()) {
			c.status = Status::Warn;
			c.summary = fmt::format(
				"kernel {} running with kernel.modules_disabled=1: toa stays loaded but cannot be reloaded or updated until a reboot",
				ctx.running);
			return c;
		}
		c.status = Status::Fail;
		c.summary = fmt::format(
			"kernel {} runs with kernel.modules_disabled=1: it loads no module until it reboots",
			ctx.running);
		c.fix = "remove kernel.modules_disabled=1 from /etc/sysctl.conf and /etc/sysctl.d/*.conf, then reboot (it cannot be undone at run time)";
		return c;
	}
	c.summary = fmt::format("kernel {} running", ctx.running);
	return c;
}

Check check_headers(DoctorContext &ctx)
{
	Check c{"headers", Status::Pass, "", ""};
	std::string build = modules_dir(ctx.release) + "/build";
	if (!ctx.sys.exists(build)) {
		c.status = Status::Fail;
		c.summary =
			fmt::format("no kernel headers for {} ({} missing)", ctx.release, build);
		c.fix = ctx.distro.install_headers(ctx.release);
		return c;
	}
	auto uts = ctx.sys.read_file(build + "/include/generated/utsrelease.h");
	std::string rel = uts ? parse_uts_release(*uts) : "";
	if (rel.empty()) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"headers in {} are incomplete (no UTS_RELEASE in include/generated/utsrelease.h)",
			build);
		c.fix = ctx.distro.install_headers(ctx.release);
		return c;
	}
	if (rel != ctx.release) {
		c.status = Status::Fail;
		c.summary =
			fmt::format("headers in {} are for {}, not {}", build, rel, ctx.release);
		c.fix = ctx.distro.install_headers(ctx.release);
		return c;
	}
	if (auto conf = ctx.sys.read_file(build + "/include/config/auto.conf")) {
		std::vector<std::string> lacks = config_lacks(*conf);
		if (!lacks.empty()) {
			std::string list;
			for (const auto &l : lacks)
				list += (list.empty() ? "" : " ") + l;
			c.status = Status::Fail;
			c.summary = fmt::format(
				"kernel {} is configured without {}, which toa needs: DKMS does not build toa for it",
				ctx.release, list);
			c.fix = "boot a kernel built with these options (the distributions' standard kernels have them)";
			return c;
		}
	}
	c.summary = fmt::format("headers for {} installed", ctx.release);
	// Debian and Ubuntu: the flavour's meta-package brings the headers of
	// the next kernel update, which DKMS needs to rebuild toa for it.
	std::string flavour = kernel_flavour(ctx.release);
	if (ctx.distro.family() == Family::Debian && !flavour.empty() &&
	    ctx.sys.find_program("dpkg-query")) {
		CmdResult r = ctx.sys.run({"dpkg-query", "-W", "-f=${Package} ${Status}\n",
					   "linux-headers-" + flavour + "*"});
		if (r.exit_code >= 0 && !r.timed_out &&
		    !headers_meta_installed(r.output, flavour)) {
			c.status = Status::Warn;
			c.summary = fmt::format(
				"headers for {} installed, but not linux-headers-{}: the next kernel update comes without headers and DKMS cannot build toa for it",
				ctx.release, flavour);
			c.fix = ctx.distro.install("linux-headers-" + flavour);
		}
	}
	return c;
}

Check check_compiler(DoctorContext &ctx)
{
	Check c{"compiler", Status::Pass, "", ""};
	std::string build = modules_dir(ctx.release) + "/build";
	std::optional<std::string> text;
	for (const char *f : {"/include/config/auto.conf", "/.config"})
		if (auto conf = ctx.sys.read_file(build + f); conf && !text)
			text = parse_cc_version_text(*conf);
	if (!text) {
		c.status = Status::Warn;
		c.summary = ctx.sys.exists(build)
			? "compiler not checked: the kernel config has no CONFIG_CC_VERSION_TEXT"
			: "compiler not checked: no kernel headers";
		return c;
	}
	std::string name = compiler_name(*text);
	std::string want = compiler_version(*text);
	if (!ctx.sys.find_program(name)) {
		c.status = Status::Fail;
		c.summary = fmt::format("compiler {} is missing (the kernel was built with \"{}\")",
					name, *text);
		c.fix = ctx.distro.install_compiler(name);
		return c;
	}
	CmdResult r = ctx.sys.run({name, "--version"});
	std::string have = r.exit_code == 0
		? compiler_version(split_lines(r.output).empty() ? "" : split_lines(r.output)[0])
		: "";
	if (!want.empty() && !have.empty() && major_of(have) < major_of(want)) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"compiler {} is version {}, older than the kernel's {}: builds fail with \"CONFIG_RETPOLINE=y but not supported by the compiler\"",
			name, have, want);
		c.fix = ctx.distro.install_compiler(name + "-" + std::to_string(major_of(want)));
		return c;
	}
	c.summary = fmt::format("compiler {} {} present (kernel built with \"{}\")", name,
				have.empty() ? "" : have, *text);
	return c;
}

namespace {

// "0.1.10" -> {0, 1, 10}: versions compare number by number.
std::vector<long> version_key(const std::string &v)
{
	std::vector<long> key;
	std::istringstream in(v);
	std::string part;
	while (std::getline(in, part, '.'))
		key.push_back(std::strtol(part.c_str(), nullptr, 10));
	return key;
}

// The newest version of the toa DKMS source in /usr/src (toa-<version> with a
// dkms.conf), or "" when there is none.
std::string newest_toa_source(System &sys)
{
	std::string best;
	for (const auto &name : sys.list_dir("/usr/src")) {
		if (name.rfind("toa-", 0) != 0 || !sys.read_file("/usr/src/" + name + "/dkms.conf"))
			continue;
		std::string v = name.substr(4);
		if (best.empty() || version_key(best) < version_key(v))
			best = v;
	}
	return best;
}

} // namespace

Check check_dkms(DoctorContext &ctx)
{
	Check c{"dkms", Status::Pass, "", ""};
	if (!ctx.sys.find_program("dkms")) {
		c.status = Status::Fail;
		c.summary = "dkms is not installed";
		c.fix = ctx.distro.install_dkms() + "\n" + ctx.distro.install(kPackageName);
		return c;
	}
	CmdResult r = ctx.sys.run({"dkms", "status", "toa"});
	if (r.timed_out) {
		c.status = Status::Fail;
		c.summary = fmt::format("dkms status toa did not finish within {:g} s",
					kRunTimeoutSeconds);
		c.fix = "dkms status toa   (run it by hand to see where it hangs)";
		return c;
	}
	bool registered = false;
	std::string built_state;
	std::string version;
	for (const auto &line : split_lines(r.output)) {
		// dkms 3: "toa/0.1.0, 6.1.0-56-amd64, x86_64: installed"
		// dkms 2: "toa, 0.1.0, 6.1.0-56-amd64, x86_64: installed"
		if (line.rfind("toa", 0) != 0)
			continue;
		registered = true;
		std::vector<std::string> fields;
		std::istringstream in(line.substr(0, line.rfind(": ")));
		std::string f;
		while (std::getline(in, f, ','))
			fields.push_back(trim(f));
		std::string state = line.rfind(": ") == std::string::npos
			? ""
			: trim(line.substr(line.rfind(": ") + 2));
		std::string kernel;
		if (!fields.empty() && fields[0].find('/') != std::string::npos) {
			version = fields[0].substr(fields[0].find('/') + 1);
			kernel = fields.size() > 1 ? fields[1] : "";
		} else if (fields.size() > 2) {
			version = fields[1];
			kernel = fields[2];
		}
		if (kernel != ctx.release)
			continue;
		if (state.rfind("installed", 0) == 0) {
			c.summary =
				fmt::format("dkms: toa/{} installed for {}", version, ctx.release);
			return c;
		}
		built_state = state;
	}
	c.status = Status::Fail;
	if (!built_state.empty()) {
		c.summary = fmt::format("dkms: toa/{} is {} for {} but not installed", version,
					built_state, ctx.release);
		c.fix = fmt::format("dkms install toa/{} -k {}", version, ctx.release);
	} else if (registered) {
		c.summary = fmt::format("dkms: toa is not built for {}", ctx.release);
		c.fix = fmt::format("{}\ndkms autoinstall -k {}",
				    ctx.distro.install_headers(ctx.release), ctx.release);
	} else if (auto src = newest_toa_source(ctx.sys); !src.empty()) {
		// The package is there, dkms lost track of it (dkms remove, a
		// cleaned /var/lib/dkms): reinstalling the package would do nothing.
		c.summary =
			fmt::format("dkms does not know toa, though /usr/src/toa-{} is there", src);
		c.fix = fmt::format("dkms add toa/{}\ndkms install toa/{} -k {}", src, src,
				    ctx.release);
	} else {
		c.summary = "dkms does not know toa";
		c.fix = ctx.distro.install(kPackageName);
	}
	return c;
}

Check check_module(DoctorContext &ctx)
{
	Check c{"module", Status::Pass, "", ""};
	const ModInfo &mi = ctx.module();
	if (!mi.found) {
		c.status = Status::Fail;
		c.summary =
			fmt::format("no toa module for {} (libkmod finds none in /lib/modules/{})",
				    ctx.release, ctx.release);
		c.fix = fmt::format("dkms autoinstall -k {}", ctx.release);
		return c;
	}
	std::string built = first_word(mi.vermagic);
	if (built != ctx.release) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"{} is built for {}, not {} (loading fails: Invalid module format)",
			mi.path, built.empty() ? "an unknown kernel" : built, ctx.release);
		c.fix = fmt::format("{}\ndkms autoinstall -k {}",
				    ctx.distro.install_headers(ctx.release), ctx.release);
		return c;
	}
	c.summary =
		fmt::format("module {}{} built for {}", mi.path,
			    mi.version.empty() ? "" : " (version " + mi.version + ")", ctx.release);
	return c;
}

Check check_signature(DoctorContext &ctx)
{
	Check c{"signature", Status::Pass, "", ""};
	const ModInfo &mi = ctx.module();
	if (!mi.found) {
		c.status = Status::Warn;
		c.summary = "signature not checked: no module file";
		return c;
	}
	std::string signer = mi.signer.empty() ? "unsigned" : "signed by " + mi.signer;
	std::string only_signed = ctx.checking_running() ? signed_only_reason(ctx.sys) : "";
	if (mi.signer.empty() && !only_signed.empty()) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"the running kernel loads only signed modules ({}) and the module is unsigned",
			only_signed);
		c.fix = fmt::format("dkms autoinstall -k {}   (dkms >= 3 signs with {})\n{}",
				    ctx.release, ctx.mok.signing_key,
				    mok_steps(ctx.distro, ctx.mok.certificate));
		return c;
	}
	switch (ctx.sys.secure_boot()) {
	case SecureBoot::Disabled:
		c.summary = fmt::format("Secure Boot off: no signature needed (module {})", signer);
		return c;
	case SecureBoot::Unknown:
		c.status = Status::Warn;
		c.summary = fmt::format("Secure Boot state unknown (module {})", signer);
		c.fix = ctx.distro.install_mokutil() + "\nmokutil --sb-state";
		return c;
	case SecureBoot::Enabled:
		break;
	}
	if (mi.signer.empty()) {
		c.status = Status::Fail;
		c.summary =
			"Secure Boot is on and the module is unsigned: the kernel will refuse it";
		c.fix = fmt::format("dkms autoinstall -k {}   (dkms >= 3 signs with {})\n{}",
				    ctx.release, ctx.mok.signing_key,
				    mok_steps(ctx.distro, ctx.mok.certificate));
		return c;
	}
	if (ctx.sys.exists(ctx.mok.certificate) && ctx.sys.find_program("mokutil")) {
		CmdResult r = ctx.sys.run({"mokutil", "--test-key", ctx.mok.certificate});
		if (r.timed_out) {
			c.status = Status::Warn;
			c.summary = fmt::format(
				"Secure Boot on, module {}; whether its key is enrolled is unknown: mokutil --test-key did not finish within {:g} s",
				signer, kRunTimeoutSeconds);
			c.fix = "mokutil --test-key " + ctx.mok.certificate;
			return c;
		}
		if (r.output.find("not enrolled") != std::string::npos) {
			c.status = Status::Fail;
			c.summary = fmt::format(
				"Secure Boot is on and the key of the module ({}) is not enrolled",
				signer);
			c.fix = mok_steps(ctx.distro, ctx.mok.certificate);
			return c;
		}
	}
	c.summary = fmt::format("Secure Boot on, module {}", signer);
	return c;
}

Check check_loaded(DoctorContext &ctx)
{
	Check c{"loaded", Status::Pass, "", ""};
	if (!ctx.sys.module_loaded()) {
		c.status = Status::Fail;
		c.summary = "toa is not loaded";
		c.fix = "toa-check load";
		return c;
	}
	auto v = ctx.sys.read_file("/sys/module/toa/version");
	std::string loaded = v ? trim(*v) : "";
	std::string expected = installed_package_version(ctx.sys);
	std::string source = fmt::format("package {}", kPackageName);
	if (expected.empty()) {
		expected = kVersion;
		source = "toa-check";
	}
	if (loaded.empty()) {
		c.status = Status::Warn;
		c.summary = "toa is loaded but shows no version (/sys/module/toa/version)";
		return c;
	}
	if (loaded != expected) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"toa {} is loaded but {} is {}: reload to run the installed one", loaded,
			source, expected);
		c.fix = "toa-check unload && toa-check load";
		return c;
	}
	c.summary = fmt::format("toa {} loaded", loaded);
	return c;
}

std::optional<Check> check_hooks(DoctorContext &ctx)
{
	if (!ctx.checking_running() || !ctx.sys.module_loaded())
		return std::nullopt;
	Check c{"hooks", Status::Pass, "", ""};
	auto text = ctx.sys.read_file(TOA_STATS_FILE);
	if (!text) {
		c.status = Status::Fail;
		c.summary = fmt::format("toa is loaded but {} is missing: its hooks are not live",
					TOA_STATS_FILE);
		c.fix = "dmesg | grep 'TOA:'\ntoa-check unload && toa-check load";
		return c;
	}
	Stats s = parse_stats(*text);
	std::string missed;
	for (const auto &i : s.items)
		if (i.name.rfind("nmissed_", 0) == 0 && i.value > 0)
			missed +=
				fmt::format("{}{}={}", missed.empty() ? "" : ", ", i.name, i.value);
	if (!missed.empty()) {
		c.status = Status::Fail;
		c.summary = fmt::format(
			"probes missed hits ({}, maxactive {}): some connections kept the load balancer's address",
			missed, s.get("maxactive").value_or(0));
		c.fix = "toa-check unload && toa-check load\nif the counts keep growing, report them with: toa-check stats --json";
		return c;
	}
	c.summary = "hooks live, no missed probe hits";
	return c;
}

Check check_boot(DoctorContext &ctx)
{
	Check c{"boot", Status::Pass, "", ""};
	// systemd-modules-load: a name in an earlier directory masks the same
	// name in later ones.
	const char *dirs[] = {"/etc/modules-load.d", "/run/modules-load.d",
			      "/usr/lib/modules-load.d", "/lib/modules-load.d"};
	std::vector<std::string> seen;
	for (const char *dir : dirs) {
		for (const auto &name : ctx.sys.list_dir(dir)) {
			if (name.size() < 6 || name.substr(name.size() - 5) != ".conf")
				continue;
			if (std::find(seen.begin(), seen.end(), name) != seen.end())
				continue;
			seen.push_back(name);
			std::string path = std::string(dir) + "/" + name;
			auto text = ctx.sys.read_file(path);
			if (text && config_lists_module(*text, "toa")) {
				c.summary = fmt::format("toa loads at boot ({})", path);
				return c;
			}
		}
	}
	if (auto text = ctx.sys.read_file("/etc/modules");
	    text && config_lists_module(*text, "toa")) {
		c.summary = "toa loads at boot (/etc/modules)";
		return c;
	}
	c.status = Status::Fail;
	c.summary = "toa is not loaded at boot (no modules-load.d entry)";
	c.fix = "toa-check enable";
	return c;
}

std::optional<Check> check_trusted(DoctorContext &ctx)
{
	if (!ctx.checking_running() || !ctx.sys.module_loaded())
		return std::nullopt;
	Check c{"trusted_sources", Status::Pass, "", ""};
	auto v = ctx.sys.read_file("/sys/module/toa/parameters/trusted_sources");
	std::string list = v ? trim(*v) : "";
	if (list.empty() || list == "(null)") {
		c.status = Status::Warn;
		c.summary =
			"trusted_sources is empty: any client reaching this server directly can spoof its address with a TOA option";
		c.fix = "toa-check enable --trusted-sources <your load balancers' CIDRs>\n"
			"echo '<CIDRs>' > /sys/module/toa/parameters/trusted_sources   (now, without reload)";
		return c;
	}
	c.summary = fmt::format("TOA accepted only from {}", list);
	return c;
}

std::optional<Check> check_params(DoctorContext &ctx)
{
	if (!ctx.checking_running() || !ctx.sys.module_loaded())
		return std::nullopt;
	Check c{"params", Status::Pass, "", ""};
	std::string configured = trim(ctx.sys.configured_options("toa"));
	EffectiveParams want;
	try {
		want = effective_params(configured);
	} catch (const UsageError &e) {
		c.status = Status::Fail;
		c.summary = fmt::format("the configured options '{}' are refused: {}", configured,
					e.what());
		c.fix = "toa-check enable --trusted-sources ... --option-kinds ...   (rewrites /etc/modprobe.d/toa.conf)";
		return c;
	}
	const std::pair<const char *, const std::string *> keys[] = {
		{"option_kinds", &want.option_kinds},
		{"trusted_sources", &want.trusted_sources},
		{"max_entries", &want.max_entries}};
	std::vector<std::string> differ, same;
	for (const auto &[key, value] : keys) {
		auto live = ctx.sys.read_file(std::string("/sys/module/toa/parameters/") + key);
		if (!live)
			continue; // an older module without it
		std::string now = trim(*live);
		auto shown = [&](const std::string &v) {
			return v.empty() ? std::string("''") : v;
		};
		if (now != *value)
			differ.push_back(fmt::format("{} is {} but the configuration gives {}", key,
						     shown(now), shown(*value)));
		else
			same.push_back(fmt::format("{}={}", key, shown(now)));
	}
	if (!differ.empty()) {
		c.status = Status::Fail;
		std::string list;
		for (const auto &d : differ)
			list += (list.empty() ? "" : "; ") + d;
		c.summary = fmt::format(
			"the running module's parameters are not the configured ones (modprobe.d, kernel command line), so the next load changes them: {}",
			list);
		c.fix = "toa-check unload && toa-check load   (load with the configuration)\n"
			"toa-check enable --trusted-sources ...   (or make the configuration what runs now)";
		return c;
	}
	std::string list;
	for (const auto &v : same)
		list += (list.empty() ? "" : " ") + v;
	c.summary = fmt::format("the running parameters are the configured ones ({})", list);
	return c;
}

std::optional<Check> check_traffic(DoctorContext &ctx)
{
	if (!ctx.checking_running() || !ctx.sys.module_loaded())
		return std::nullopt;
	auto text = ctx.sys.read_file(TOA_STATS_FILE);
	if (!text)
		return std::nullopt;
	Stats s = parse_stats(*text);
	Check c{"traffic", Status::Pass, "", ""};
	uint64_t with = s.get("syn_recv_sock_toa").value_or(0);
	uint64_t without = s.get("syn_recv_sock_no_toa").value_or(0);
	if (with == 0) {
		auto kinds = ctx.sys.read_file("/sys/module/toa/parameters/option_kinds");
		if (!kinds) // a module older than option_kinds
			kinds = ctx.sys.read_file("/sys/module/toa/parameters/option_kind");
		c.status = Status::Warn;
		c.summary = fmt::format(
			"no TOA seen yet ({} connections without it): is the load balancer's TOA feature on, with option kind {}?",
			without, kinds ? trim(*kinds) : std::string(TOA_DEFAULT_KINDS));
		c.fix = "toa-check serve --port 8080   (then send a request through the load balancer)";
		return c;
	}
	c.summary = fmt::format("TOA seen on {} connections ({} answers rewritten, {} without TOA)",
				with, s.get("getname_toa_ok").value_or(0), without);
	return c;
}

std::vector<Check> run_checks(DoctorContext &ctx)
{
	std::vector<Check> checks;
	checks.push_back(check_kernel(ctx));
	// Without module support nothing after it can pass or be fixed here.
	if (ctx.checking_running() && !ctx.running.empty() && !ctx.sys.exists("/proc/modules"))
		return checks;
	checks.push_back(check_headers(ctx));
	checks.push_back(check_compiler(ctx));
	checks.push_back(check_dkms(ctx));
	checks.push_back(check_module(ctx));
	checks.push_back(check_signature(ctx));
	if (ctx.checking_running())
		checks.push_back(check_loaded(ctx));
	if (auto c = check_hooks(ctx))
		checks.push_back(*c);
	checks.push_back(check_boot(ctx));
	if (auto c = check_trusted(ctx))
		checks.push_back(*c);
	if (auto c = check_params(ctx))
		checks.push_back(*c);
	if (auto c = check_traffic(ctx))
		checks.push_back(*c);
	return checks;
}

int DoctorCmd::run(Env &env)
{
	static const std::regex rel_re(R"([A-Za-z0-9._+~-]{1,64})");
	if (!kernel.empty() && !std::regex_match(kernel, rel_re))
		throw UsageError(fmt::format("--kernel '{}' is not a kernel release", kernel));
	DoctorContext ctx(env.sys, kernel);
	std::vector<Check> checks = run_checks(ctx);
	bool ok = all_ok(checks);
	if (json) {
		nlohmann::ordered_json j;
		j["version"] = kVersion;
		j["kernel"] = ctx.release;
		j["checks"] = checks_json(checks);
		j["ok"] = ok;
		env.out << j.dump(2) << "\n";
	} else {
		std::string where = ctx.distro.pretty().empty() ? "" : " on " + ctx.distro.pretty();
		env.out << fmt::format("toa-check {}: kernel {}{}\n", kVersion, ctx.release, where);
		print_checks(env.out, checks);
		size_t bad = 0;
		for (const auto &c : checks)
			bad += c.status == Status::Fail;
		env.out << (ok ? "all checks passed\n"
			       : fmt::format("{} problem{} found\n", bad, bad == 1 ? "" : "s"));
	}
	return ok ? kExitOk : kExitFail;
}

} // namespace toacheck
