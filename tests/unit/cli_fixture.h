// SPDX-License-Identifier: GPL-2.0 OR MIT
// cli_fixture.h - a fixture tree under a temporary root plus a FakeSystem:
// the real seam (files below the root) with uname, libkmod, commands and
// the kernel log replaced by values the test sets.
#pragma once

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app.h"
#include "report.h"
#include "system.h"

namespace toatest {

class TempRoot {
public:
	TempRoot();
	~TempRoot();
	TempRoot(const TempRoot &) = delete;
	TempRoot &operator=(const TempRoot &) = delete;
	const std::string &path() const { return path_; }
	// Create a file (and its directories) below the root.
	void put(const std::string &rel, const std::string &content);
	void put_exec(const std::string &rel);
	void mkdir(const std::string &rel);
	void remove(const std::string &rel);
	std::string get(const std::string &rel) const; // "" when missing
	bool has(const std::string &rel) const;
	std::vector<std::string> list(const std::string &rel) const;

private:
	std::string path_;
};

class FakeSystem : public toacheck::RealSystem {
public:
	explicit FakeSystem(TempRoot &root);

	std::string kernel_release() override { return release; }
	bool is_root() override { return root_user; }
	toacheck::CmdResult run(const std::vector<std::string> &argv) override;
	std::vector<std::string> kernel_log() override { return log; }
	void sleep_seconds(double s) override;
	toacheck::ModInfo module_info(const std::string &name_or_path,
				      const std::string &rel) override;
	int insert_module(const std::string &path, const std::string &params) override;
	int remove_module(const std::string &name) override;

	std::string release = "6.1.0-56-amd64";
	bool root_user = true;
	std::map<std::string, toacheck::CmdResult> commands; // "dkms status toa" -> result
	std::vector<std::string> ran;			     // commands asked for
	std::vector<std::string> log;
	std::map<std::string, toacheck::ModInfo> modules; // "toa@6.1.0-56-amd64" or a path
	int insert_errno = 0;
	std::vector<std::string> log_on_insert;			   // appended by every insert
	std::vector<std::pair<std::string, std::string>> inserted; // path, params
	int remove_errno = 0;
	int removed = 0;
	std::function<void()> on_sleep;
	int sleeps = 0;

private:
	TempRoot &tree_;
};

// A healthy Debian machine: headers, gcc-12, dkms, the module, loaded,
// hooks live, enabled at boot, trusted_sources set, traffic seen.
void make_healthy(TempRoot &root, FakeSystem &sys);

// The /proc/net/toa_stats text with the given overrides.
std::string stats_text(const std::map<std::string, uint64_t> &values = {});

struct CliResult {
	int code;
	std::string out;
	std::string err;
};
CliResult run_cli(toacheck::System &sys, std::vector<std::string> args);

} // namespace toatest
