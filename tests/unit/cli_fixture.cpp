// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cli_fixture.h"

#include "params.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <stdlib.h>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace toatest {

TempRoot::TempRoot()
{
	std::string tmpl = (fs::temp_directory_path() / "toa-check-test.XXXXXX").string();
	std::vector<char> buf(tmpl.begin(), tmpl.end());
	buf.push_back('\0');
	if (!mkdtemp(buf.data()))
		throw std::runtime_error("mkdtemp failed");
	path_ = buf.data();
}

TempRoot::~TempRoot()
{
	std::error_code ec;
	fs::remove_all(path_, ec);
}

void TempRoot::put(const std::string &rel, const std::string &content)
{
	fs::path p = fs::path(path_) / rel.substr(rel[0] == '/' ? 1 : 0);
	fs::create_directories(p.parent_path());
	std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
}

void TempRoot::put_exec(const std::string &rel)
{
	put(rel, "#!/bin/sh\nexit 0\n");
	chmod((path_ + rel).c_str(), 0755);
}

void TempRoot::mkdir(const std::string &rel)
{
	fs::create_directories(path_ + rel);
}

void TempRoot::remove(const std::string &rel)
{
	std::error_code ec;
	fs::remove_all(path_ + rel, ec);
}

std::string TempRoot::get(const std::string &rel) const
{
	std::ifstream in(path_ + rel, std::ios::binary);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

bool TempRoot::has(const std::string &rel) const
{
	return fs::exists(path_ + rel);
}

std::vector<std::string> TempRoot::list(const std::string &rel) const
{
	std::vector<std::string> out;
	std::error_code ec;
	for (const auto &e : fs::directory_iterator(path_ + rel, ec))
		out.push_back(e.path().filename().string());
	return out;
}

FakeSystem::FakeSystem(TempRoot &root) : RealSystem(root.path()), tree_(root)
{
	set_search_path("/usr/sbin:/usr/bin:/sbin:/bin");
}

toacheck::CmdResult FakeSystem::run(const std::vector<std::string> &argv)
{
	std::string key;
	for (const auto &a : argv)
		key += (key.empty() ? "" : " ") + a;
	ran.push_back(key);
	auto it = commands.find(key);
	if (it != commands.end())
		return it->second;
	return {}; // not installed
}

void FakeSystem::sleep_seconds(double)
{
	++sleeps;
	if (on_sleep)
		on_sleep();
}

toacheck::ModInfo FakeSystem::module_info(const std::string &name_or_path, const std::string &rel)
{
	auto it =
		modules.find(name_or_path.find('/') == std::string::npos ? name_or_path + "@" + rel
									 : name_or_path);
	if (it == modules.end()) {
		toacheck::ModInfo none;
		none.error = ENOENT;
		return none;
	}
	return it->second;
}

int FakeSystem::insert_module(const std::string &path, const std::string &params)
{
	inserted.emplace_back(path, params);
	log.insert(log.end(), log_on_insert.begin(), log_on_insert.end());
	if (insert_errno != 0)
		return insert_errno;
	tree_.put("/sys/module/toa/version", "0.1.0\n");
	// What the kernel would give the module (the options were checked by
	// the caller; a refused one would have been insert_errno EINVAL).
	toacheck::EffectiveParams p = toacheck::effective_params(params);
	tree_.put("/sys/module/toa/parameters/option_kinds", p.option_kinds + "\n");
	tree_.put("/sys/module/toa/parameters/trusted_sources", p.trusted_sources + "\n");
	tree_.put("/sys/module/toa/parameters/max_entries", p.max_entries + "\n");
	log.push_back("TOA: toa loaded (version 0.1.0, option kinds 254,253)");
	return 0;
}

int FakeSystem::remove_module(const std::string &)
{
	++removed;
	if (remove_errno != 0)
		return remove_errno;
	tree_.remove("/sys/module/toa");
	return 0;
}

std::string stats_text(const std::map<std::string, uint64_t> &values)
{
	static const char *names[] = {"syn_recv_sock_toa",
				      "syn_recv_sock_no_toa",
				      "getname_toa_ok",
				      "getname_toa_mismatch",
				      "getname_toa_bypass",
				      "getname_toa_empty",
				      "untrusted",
				      "malformed",
				      "bad_client",
				      "exid_skipped",
				      "table_full",
				      "nat64_lookup",
				      "entries_allocated",
				      "entries_freed",
				      "entries_live",
				      "max_entries",
				      "maxactive",
				      "nmissed_tcp_v4_syn_recv_sock",
				      "nmissed_tcp_v6_syn_recv_sock",
				      "nmissed_inet_getname",
				      "nmissed_inet6_getname",
				      "nmissed_inet_sock_destruct"};
	std::map<std::string, uint64_t> v = {{"max_entries", 262144}, {"maxactive", 64}};
	for (const auto &[k, x] : values)
		v[k] = x;
	std::string out;
	for (const char *n : names)
		out += std::string(n) + std::string(32 - std::string(n).size(), ' ') +
			std::to_string(v.count(n) ? v[n] : 0) + "\n";
	return out;
}

void make_healthy(TempRoot &root, FakeSystem &sys)
{
	const std::string rel = sys.release;
	root.put("/etc/os-release",
		 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n");
	root.put("/proc/modules", "");
	root.put("/lib/modules/" + rel + "/build/include/generated/utsrelease.h",
		 "#define UTS_RELEASE \"" + rel + "\"\n");
	root.put("/lib/modules/" + rel + "/build/include/config/auto.conf",
		 "CONFIG_X86=y\nCONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"\n"
		 "CONFIG_MODULES=y\nCONFIG_INET=y\nCONFIG_KPROBES=y\nCONFIG_KRETPROBES=y\n"
		 "CONFIG_FUNCTION_TRACER=y\nCONFIG_DYNAMIC_FTRACE=y\n"
		 "CONFIG_DYNAMIC_FTRACE_WITH_REGS=y\nCONFIG_TRACEPOINTS=y\n");
	root.put("/proc/sys/kernel/modules_disabled", "0\n");
	root.put("/sys/module/module/parameters/sig_enforce", "N\n");
	root.put("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	root.put_exec("/usr/bin/gcc-12");
	sys.commands["gcc-12 --version"] = {0, "gcc-12 (Debian 12.2.0-14) 12.2.0\nCopyright...\n"};
	root.put_exec("/usr/sbin/dkms");
	sys.commands["dkms status toa"] = {0, "toa/0.1.0, " + rel + ", x86_64: installed\n"};
	toacheck::ModInfo mi;
	mi.found = true;
	mi.path = "/lib/modules/" + rel + "/updates/dkms/toa.ko";
	mi.vermagic = rel + " SMP preempt mod_unload modversions ";
	mi.signer = "DKMS module signing key";
	mi.version = "0.1.0";
	sys.modules["toa@" + rel] = mi;
	// Secure Boot off (EFI variable value 0).
	root.put("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
		 std::string("\x06\x00\x00\x00\x00", 5));
	root.put("/sys/module/toa/version", "0.1.0\n");
	root.put("/sys/module/toa/parameters/trusted_sources", "198.51.100.0/24\n");
	root.put("/sys/module/toa/parameters/option_kinds", "254,253\n");
	root.put("/sys/module/toa/parameters/option_kind", "254\n");
	root.put("/sys/module/toa/parameters/max_entries", "262144\n");
	// ... as configured (toa-check enable --trusted-sources 198.51.100.0/24)
	root.put("/etc/modprobe.d/toa.conf", "options toa trusted_sources=198.51.100.0/24\n");
	sys.commands["dpkg-query -W -f=${Version} toa-dkms"] = {0, "0.1.0-1"};
	root.put_exec("/usr/bin/dpkg-query");
	sys.commands["dpkg-query -W -f=${Package} ${Status}\n linux-headers-amd64*"] = {
		0, "linux-headers-amd64 install ok installed\n"};
	root.put("/proc/net/toa_stats",
		 stats_text({{"syn_recv_sock_toa", 5}, {"getname_toa_ok", 9}}));
	root.put("/etc/modules-load.d/toa.conf", "toa\n");
}

CliResult run_cli(toacheck::System &sys, std::vector<std::string> args)
{
	args.insert(args.begin(), "toa-check");
	std::vector<const char *> argv;
	for (const auto &a : args)
		argv.push_back(a.c_str());
	std::ostringstream out, err;
	int code = toacheck::run_cli(static_cast<int>(argv.size()), argv.data(), sys, out, err);
	return {code, out.str(), err.str()};
}

} // namespace toatest
