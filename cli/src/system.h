// SPDX-License-Identifier: GPL-2.0 OR MIT
// system.h - the one seam between toa-check and the machine.
//
// Every file, /proc, /sys, libkmod and child-process access goes through a
// System. RealSystem talks to the machine below a root directory ("/" in
// production); the unit tests subclass it over a fixture tree and replace
// the parts a fixture cannot provide (uname, libkmod, commands, kernel log).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace toacheck {

// What libkmod says about a module file.
struct ModInfo {
	bool found = false; // a file was resolved and read
	int error = 0;	    // errno when not found / unreadable
	std::string path;
	std::string vermagic; // full vermagic string
	std::string signer;   // empty: unsigned
	std::string sig_key;
	std::string version; // MODULE_VERSION
};

struct CmdResult {
	int exit_code = -1;	// -1: could not be started (not installed)
	std::string output;	// stdout and stderr together
	bool timed_out = false; // killed at the deadline (exit_code 124)
};

// How long a child process may run before run() kills it.
constexpr double kRunTimeoutSeconds = 60.0;

enum class SecureBoot { Enabled, Disabled, Unknown };

using OsRelease = std::map<std::string, std::string>;

class System {
public:
	virtual ~System() = default;

	// Files (absolute paths as seen on the target system).
	virtual std::optional<std::string> read_file(const std::string &path) = 0;
	virtual std::vector<std::string> list_dir(const std::string &path) = 0; // sorted names
	virtual bool exists(const std::string &path) = 0;
	// Write through a temporary file in the same directory and rename it
	// over @path. Returns 0 or an errno.
	virtual int write_file_atomic(const std::string &path, const std::string &content) = 0;
	virtual int remove_file(const std::string &path) = 0;

	// Process and kernel.
	virtual std::string kernel_release() = 0; // uname -r
	virtual bool is_root() = 0;
	virtual std::optional<std::string> find_program(const std::string &name) = 0;
	virtual CmdResult run(const std::vector<std::string> &argv) = 0;
	virtual std::vector<std::string> kernel_log() = 0; // messages, oldest first
	virtual void sleep_seconds(double seconds) = 0;

	// libkmod.
	// @name_or_path: a module name resolved in /lib/modules/@release, or a
	// path to a .ko file.
	virtual ModInfo module_info(const std::string &name_or_path,
				    const std::string &release) = 0;
	virtual int insert_module(const std::string &path,
				  const std::string &params) = 0; // 0 / errno
	virtual int remove_module(const std::string &name) = 0;	  // 0 / errno
	// The options modprobe would pass to @name, as libkmod reads them: the
	// "options" lines of the modprobe.d directories, then the kernel
	// command line's name.key=value. "" when there are none.
	virtual std::string configured_options(const std::string &name) = 0;

	// Built on the primitives above (the fakes inherit them).
	virtual OsRelease os_release();
	virtual SecureBoot secure_boot();
	bool module_loaded(const std::string &name = "toa")
	{
		return exists("/sys/module/" + name);
	}
};

class RealSystem : public System {
public:
	explicit RealSystem(std::string root = "/");

	std::optional<std::string> read_file(const std::string &path) override;
	std::vector<std::string> list_dir(const std::string &path) override;
	bool exists(const std::string &path) override;
	int write_file_atomic(const std::string &path, const std::string &content) override;
	int remove_file(const std::string &path) override;

	std::string kernel_release() override;
	bool is_root() override;
	std::optional<std::string> find_program(const std::string &name) override;
	CmdResult run(const std::vector<std::string> &argv) override;
	std::vector<std::string> kernel_log() override;
	void sleep_seconds(double seconds) override;

	ModInfo module_info(const std::string &name_or_path, const std::string &release) override;
	int insert_module(const std::string &path, const std::string &params) override;
	int remove_module(const std::string &name) override;
	std::string configured_options(const std::string &name) override;

	// The directories find_program searches (default: $PATH, or a
	// standard list when unset).
	void set_search_path(const std::string &colon_list) { search_path_ = colon_list; }
	// The deadline of every run() (default kRunTimeoutSeconds).
	void set_run_timeout(double seconds) { run_timeout_ = seconds; }
	const std::string &root() const { return root_; }

protected:
	std::string host_path(const std::string &path) const;

private:
	std::string root_;
	std::string search_path_;
	double run_timeout_ = kRunTimeoutSeconds;
};

// Shared parsing helpers.
OsRelease parse_os_release(const std::string &text);
std::string trim(const std::string &s);
// The first whitespace-separated word (a vermagic's kernel release).
std::string first_word(const std::string &s);
std::vector<std::string> split_lines(const std::string &text);

} // namespace toacheck
