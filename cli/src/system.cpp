// SPDX-License-Identifier: GPL-2.0 OR MIT
// system.cpp - the real seam: files below a root directory, uname, libkmod,
// child processes and the kernel log.
#include "system.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <ctime>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <libkmod.h>

extern char **environ;

namespace toacheck {

namespace {

constexpr const char *kSecureBootVar =
	"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";

struct KmodCtxDeleter {
	void operator()(kmod_ctx *c) const { kmod_unref(c); }
};
struct KmodModDeleter {
	void operator()(kmod_module *m) const { kmod_module_unref(m); }
};
using KmodCtx = std::unique_ptr<kmod_ctx, KmodCtxDeleter>;
using KmodMod = std::unique_ptr<kmod_module, KmodModDeleter>;

double monotonic_seconds()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Read a pipe to its end, or until @timeout seconds have passed: false then.
bool slurp_pipe(int fd, double timeout, std::string &out)
{
	const double deadline = monotonic_seconds() + timeout;
	char buf[4096];
	for (;;) {
		double left = deadline - monotonic_seconds();
		if (left <= 0)
			return false;
		pollfd p{fd, POLLIN, 0};
		int r = poll(&p, 1, static_cast<int>(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return true;
		if (r == 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return true;
		out.append(buf, static_cast<size_t>(n));
	}
}

// Read a file descriptor to its end.
std::string slurp_fd(int fd)
{
	std::string out;
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out.append(buf, static_cast<size_t>(n));
	}
	return out;
}

} // namespace

std::string trim(const std::string &s)
{
	const char *ws = " \t\r\n";
	size_t b = s.find_first_not_of(ws);
	if (b == std::string::npos)
		return "";
	size_t e = s.find_last_not_of(ws);
	return s.substr(b, e - b + 1);
}

std::string first_word(const std::string &s)
{
	std::istringstream in(s);
	std::string w;
	in >> w;
	return w;
}

std::vector<std::string> split_lines(const std::string &text)
{
	std::vector<std::string> lines;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		lines.push_back(line);
	}
	return lines;
}

OsRelease parse_os_release(const std::string &text)
{
	OsRelease r;
	for (const auto &raw : split_lines(text)) {
		std::string line = trim(raw);
		if (line.empty() || line[0] == '#')
			continue;
		size_t eq = line.find('=');
		if (eq == std::string::npos)
			continue;
		std::string key = line.substr(0, eq);
		std::string value = line.substr(eq + 1);
		if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') &&
		    value.back() == value[0])
			value = value.substr(1, value.size() - 2);
		r[key] = value;
	}
	return r;
}

OsRelease System::os_release()
{
	auto text = read_file("/etc/os-release");
	if (!text)
		text = read_file("/usr/lib/os-release");
	return text ? parse_os_release(*text) : OsRelease{};
}

SecureBoot System::secure_boot()
{
	// efivarfs: 4 bytes of attributes, then the 1-byte value.
	if (auto var = read_file(kSecureBootVar); var && var->size() >= 5)
		return (*var)[4] == 1 ? SecureBoot::Enabled : SecureBoot::Disabled;
	if (!exists("/sys/firmware/efi"))
		return SecureBoot::Disabled; // legacy BIOS boot: no Secure Boot
	CmdResult r = run({"mokutil", "--sb-state"});
	if (r.exit_code >= 0) {
		if (r.output.find("SecureBoot enabled") != std::string::npos)
			return SecureBoot::Enabled;
		if (r.output.find("SecureBoot disabled") != std::string::npos)
			return SecureBoot::Disabled;
	}
	return SecureBoot::Unknown;
}

RealSystem::RealSystem(std::string root) : root_(std::move(root))
{
	while (root_.size() > 1 && root_.back() == '/')
		root_.pop_back();
	const char *p = std::getenv("PATH");
	search_path_ = p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

std::string RealSystem::host_path(const std::string &path) const
{
	if (root_ == "/" || root_.empty())
		return path;
	return root_ + path;
}

std::optional<std::string> RealSystem::read_file(const std::string &path)
{
	int fd = open(host_path(path).c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return std::nullopt;
	struct stat st {};
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return std::nullopt;
	}
	std::string data = slurp_fd(fd);
	close(fd);
	return data;
}

std::vector<std::string> RealSystem::list_dir(const std::string &path)
{
	std::vector<std::string> names;
	DIR *d = opendir(host_path(path).c_str());
	if (!d)
		return names;
	while (dirent *e = readdir(d)) {
		std::string n = e->d_name;
		if (n != "." && n != "..")
			names.push_back(n);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	return names;
}

bool RealSystem::exists(const std::string &path)
{
	struct stat st {};
	return stat(host_path(path).c_str(), &st) == 0;
}

int RealSystem::write_file_atomic(const std::string &path, const std::string &content)
{
	std::string target = host_path(path);
	size_t slash = target.rfind('/');
	// One initialisation, no "dir = \"/\"" assignment afterwards: GCC 12 at
	// -O2/-O3 reports a bogus -Wrestrict for assigning a literal there.
	std::string dir = slash == std::string::npos ? std::string(".")
		: slash == 0			     ? std::string("/")
						     : target.substr(0, slash);
	std::string tmpl = target + ".toa-check.XXXXXX";
	std::vector<char> name(tmpl.begin(), tmpl.end());
	name.push_back('\0');
	int fd = mkstemp(name.data());
	if (fd < 0)
		return errno;
	mode_t mode = 0644;
	struct stat st {};
	if (stat(target.c_str(), &st) == 0)
		mode = st.st_mode & 07777;
	int err = 0;
	if (fchmod(fd, mode) != 0)
		err = errno;
	size_t off = 0;
	while (!err && off < content.size()) {
		ssize_t n = write(fd, content.data() + off, content.size() - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		off += static_cast<size_t>(n);
	}
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(name.data(), target.c_str()) != 0)
		err = errno;
	if (err) {
		unlink(name.data());
		return err;
	}
	int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int RealSystem::remove_file(const std::string &path)
{
	return unlink(host_path(path).c_str()) == 0 ? 0 : errno;
}

std::string RealSystem::kernel_release()
{
	struct utsname u {};
	if (uname(&u) != 0)
		return "";
	return u.release;
}

bool RealSystem::is_root()
{
	return geteuid() == 0;
}

std::optional<std::string> RealSystem::find_program(const std::string &name)
{
	if (name.empty())
		return std::nullopt;
	if (name.find('/') != std::string::npos)
		return access(host_path(name).c_str(), X_OK) == 0 ? std::optional(name)
								  : std::nullopt;
	std::istringstream dirs(search_path_);
	std::string dir;
	while (std::getline(dirs, dir, ':')) {
		if (dir.empty())
			continue;
		std::string candidate = dir + "/" + name;
		struct stat st {};
		std::string hp = host_path(candidate);
		if (stat(hp.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
		    access(hp.c_str(), X_OK) == 0)
			return candidate;
	}
	return std::nullopt;
}

CmdResult RealSystem::run(const std::vector<std::string> &argv)
{
	CmdResult result;
	if (argv.empty())
		return result;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return result;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);

	std::vector<std::string> env_store;
	for (char **e = environ; e && *e; ++e)
		if (std::strncmp(*e, "LC_ALL=", 7) != 0 && std::strncmp(*e, "LANG=", 5) != 0)
			env_store.emplace_back(*e);
	env_store.emplace_back("LC_ALL=C");
	std::vector<char *> envp;
	for (auto &s : env_store)
		envp.push_back(s.data());
	envp.push_back(nullptr);
	std::vector<std::string> args_store(argv);
	std::vector<char *> args;
	for (auto &s : args_store)
		args.push_back(s.data());
	args.push_back(nullptr);

	std::string prog = argv[0];
	if (auto found = find_program(argv[0]))
		prog = host_path(*found);
	pid_t pid = 0;
	int rc = posix_spawn(&pid, prog.c_str(), &fa, nullptr, args.data(), envp.data());
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		return result;
	}
	// Until the pipe's end (every writer gone) or the deadline: then the
	// child is killed; what it started dies of SIGPIPE when it writes.
	bool finished = slurp_pipe(pipefd[0], run_timeout_, result.output);
	close(pipefd[0]);
	if (!finished)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (!finished) {
		result.timed_out = true;
		result.exit_code = 124;
		result.output += fmt::format("\n{} did not finish within {:g} s: killed\n", argv[0],
					     run_timeout_);
	} else if (WIFEXITED(status)) {
		result.exit_code = WEXITSTATUS(status);
	} else {
		result.exit_code = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	return result;
}

std::vector<std::string> RealSystem::kernel_log()
{
	std::vector<std::string> lines;
	int fd = open(host_path("/dev/kmsg").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		// One record per read(): "prio,seq,usec,flags;message\n" and
		// optional continuation lines starting with a space.
		char buf[8192];
		for (;;) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			if (n < 0 && (errno == EINTR || errno == EPIPE))
				continue;
			if (n <= 0)
				break;
			std::string rec(buf, static_cast<size_t>(n));
			size_t semi = rec.find(';');
			std::string msg = semi == std::string::npos ? rec : rec.substr(semi + 1);
			size_t nl = msg.find('\n');
			if (nl != std::string::npos)
				msg.resize(nl);
			lines.push_back(msg);
		}
		close(fd);
		return lines;
	}
	// Fallback: the syslog(2) ring buffer, "<p>[ time] message" lines.
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
	if (size <= 0)
		return lines;
	std::vector<char> ring(static_cast<size_t>(size));
	int got = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, ring.data(), size);
	if (got <= 0)
		return lines;
	for (auto line : split_lines(std::string(ring.data(), static_cast<size_t>(got)))) {
		if (!line.empty() && line[0] == '<') {
			size_t gt = line.find('>');
			if (gt != std::string::npos)
				line.erase(0, gt + 1);
		}
		if (!line.empty() && line[0] == '[') {
			size_t rb = line.find("] ");
			if (rb != std::string::npos)
				line.erase(0, rb + 2);
		}
		lines.push_back(line);
	}
	return lines;
}

void RealSystem::sleep_seconds(double seconds)
{
	// One nanosleep, not restarted: a signal (Ctrl-C during stats --watch)
	// ends the wait early so the caller can notice it.
	struct timespec ts {};
	ts.tv_sec = static_cast<time_t>(seconds);
	ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
	nanosleep(&ts, nullptr);
}

ModInfo RealSystem::module_info(const std::string &name_or_path, const std::string &release)
{
	ModInfo info;
	std::string moddir = host_path("/lib/modules/" + release);
	KmodCtx ctx(kmod_new(moddir.c_str(), nullptr));
	if (!ctx) {
		info.error = ENOMEM;
		return info;
	}
	kmod_module *raw = nullptr;
	if (name_or_path.find('/') != std::string::npos) {
		int rc =
			kmod_module_new_from_path(ctx.get(), host_path(name_or_path).c_str(), &raw);
		if (rc < 0) {
			info.error = -rc;
			return info;
		}
	} else {
		kmod_list *list = nullptr;
		int rc = kmod_module_new_from_lookup(ctx.get(), name_or_path.c_str(), &list);
		if (rc < 0 || !list) {
			info.error = rc < 0 ? -rc : ENOENT;
			return info;
		}
		raw = kmod_module_ref(kmod_module_get_module(list));
		kmod_module_unref_list(list);
	}
	KmodMod mod(raw);
	const char *path = kmod_module_get_path(mod.get());
	if (!path) {
		info.error = ENOENT;
		return info;
	}
	info.path = path;
	if (root_ != "/" && info.path.rfind(root_, 0) == 0)
		info.path.erase(0, root_.size());
	kmod_list *fields = nullptr;
	int rc = kmod_module_get_info(mod.get(), &fields);
	if (rc < 0) {
		info.error = -rc;
		return info;
	}
	kmod_list *it = nullptr;
	kmod_list_foreach(it, fields)
	{
		std::string key = kmod_module_info_get_key(it);
		const char *v = kmod_module_info_get_value(it);
		std::string value = v ? v : "";
		if (key == "vermagic")
			info.vermagic = value;
		else if (key == "signer")
			info.signer = value;
		else if (key == "sig_key")
			info.sig_key = value;
		else if (key == "version")
			info.version = value;
	}
	kmod_module_info_free_list(fields);
	info.found = true;
	return info;
}

int RealSystem::insert_module(const std::string &path, const std::string &params)
{
	KmodCtx ctx(kmod_new(nullptr, nullptr));
	if (!ctx)
		return ENOMEM;
	kmod_module *raw = nullptr;
	int rc = kmod_module_new_from_path(ctx.get(), host_path(path).c_str(), &raw);
	if (rc < 0)
		return -rc;
	KmodMod mod(raw);
	rc = kmod_module_insert_module(mod.get(), 0, params.empty() ? nullptr : params.c_str());
	return rc < 0 ? -rc : 0;
}

std::string RealSystem::configured_options(const std::string &name)
{
	// Below a root other than "/", the same directories as libkmod's
	// defaults, under that root (a fixture tree); at "/", libkmod's own.
	static const char *const dirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
					   "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
					   "/lib/modprobe.d"};
	std::vector<std::string> rooted;
	std::vector<const char *> paths;
	if (root_ != "/") {
		for (const char *d : dirs)
			rooted.push_back(host_path(d));
		for (const auto &d : rooted)
			paths.push_back(d.c_str());
		paths.push_back(nullptr);
	}
	std::string moddir = host_path("/lib/modules/" + kernel_release());
	KmodCtx ctx(kmod_new(moddir.c_str(), paths.empty() ? nullptr : paths.data()));
	if (!ctx)
		return "";
	kmod_module *raw = nullptr;
	if (kmod_module_new_from_name(ctx.get(), name.c_str(), &raw) < 0)
		return "";
	KmodMod mod(raw);
	const char *opts = kmod_module_get_options(mod.get());
	return opts ? opts : "";
}

int RealSystem::remove_module(const std::string &name)
{
	KmodCtx ctx(kmod_new(nullptr, nullptr));
	if (!ctx)
		return ENOMEM;
	kmod_module *raw = nullptr;
	int rc = kmod_module_new_from_name(ctx.get(), name.c_str(), &raw);
	if (rc < 0)
		return -rc;
	KmodMod mod(raw);
	rc = kmod_module_remove_module(mod.get(), 0);
	return rc < 0 ? -rc : 0;
}

} // namespace toacheck
