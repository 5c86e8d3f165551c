// SPDX-License-Identifier: GPL-2.0 OR MIT
// netaddr.cpp - address formatting and the network peer look-up (inet_diag,
// else /proc/net/tcp{,6}).
#include "netaddr.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace toacheck {

std::string format_sockaddr(const sockaddr_storage &ss)
{
	char buf[INET6_ADDRSTRLEN] = "";
	if (ss.ss_family == AF_INET) {
		const auto *a = reinterpret_cast<const sockaddr_in *>(&ss);
		inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf));
		return fmt::format("{}:{}", buf, ntohs(a->sin_port));
	}
	if (ss.ss_family == AF_INET6) {
		const auto *a = reinterpret_cast<const sockaddr_in6 *>(&ss);
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, sizeof(buf));
			return fmt::format("{}:{}", buf, ntohs(a->sin6_port));
		}
		inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf));
		return fmt::format("[{}]:{}", buf, ntohs(a->sin6_port));
	}
	return "?";
}

std::optional<sockaddr_storage> parse_bind_address(const std::string &text, int port)
{
	std::string t = text;
	if (t.size() >= 2 && t.front() == '[' && t.back() == ']')
		t = t.substr(1, t.size() - 2);
	sockaddr_storage ss{};
	auto *a4 = reinterpret_cast<sockaddr_in *>(&ss);
	auto *a6 = reinterpret_cast<sockaddr_in6 *>(&ss);
	if (inet_pton(AF_INET, t.c_str(), &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(static_cast<uint16_t>(port));
		return ss;
	}
	ss = {};
	if (inet_pton(AF_INET6, t.c_str(), &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(static_cast<uint16_t>(port));
		return ss;
	}
	return std::nullopt;
}

std::optional<sockaddr_storage> proc_net_tcp_peer(const std::string &text, int family,
						  unsigned long inode)
{
	if (inode == 0 || (family != AF_INET && family != AF_INET6))
		return std::nullopt;
	const size_t hexlen = family == AF_INET ? 8 : 32;
	std::istringstream lines(text);
	std::string line;
	std::getline(lines, line); // header
	while (std::getline(lines, line)) {
		// "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ..."
		std::istringstream in(line);
		std::string f[10];
		size_t n = 0;
		while (n < 10 && in >> f[n])
			++n;
		if (n < 10 || f[9].find_first_not_of("0123456789") != std::string::npos ||
		    std::strtoul(f[9].c_str(), nullptr, 10) != inode)
			continue;
		const std::string &rem = f[2];
		if (rem.size() != hexlen + 5 || rem[hexlen] != ':' ||
		    rem.find_first_not_of("0123456789abcdefABCDEF:") != std::string::npos)
			return std::nullopt;
		// The kernel prints each 32-bit word of the address as it lies in
		// memory, read as a native integer (%08X); the port in host order.
		uint8_t addr[16] = {};
		for (size_t w = 0; w < hexlen / 8; ++w) {
			auto v = static_cast<uint32_t>(
				std::strtoul(rem.substr(w * 8, 8).c_str(), nullptr, 16));
			std::memcpy(addr + 4 * w, &v, 4);
		}
		auto port = htons(static_cast<uint16_t>(
			std::strtoul(rem.substr(hexlen + 1).c_str(), nullptr, 16)));
		sockaddr_storage peer{};
		if (family == AF_INET) {
			auto *a = reinterpret_cast<sockaddr_in *>(&peer);
			a->sin_family = AF_INET;
			a->sin_port = port;
			std::memcpy(&a->sin_addr, addr, 4);
		} else {
			auto *a = reinterpret_cast<sockaddr_in6 *>(&peer);
			a->sin6_family = AF_INET6;
			a->sin6_port = port;
			std::memcpy(&a->sin6_addr, addr, 16);
		}
		return peer;
	}
	return std::nullopt;
}

namespace {

std::optional<sockaddr_storage> sock_diag_peer(const sockaddr_storage &local, const struct stat &st)
{
	uint16_t lport = local.ss_family == AF_INET
		? reinterpret_cast<const sockaddr_in *>(&local)->sin_port
		: reinterpret_cast<const sockaddr_in6 *>(&local)->sin6_port;

	int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return std::nullopt;
	struct {
		nlmsghdr nlh;
		inet_diag_req_v2 req;
	} msg{};
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = static_cast<uint8_t>(local.ss_family);
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~(1u << TCP_LISTEN);
	msg.req.id.idiag_sport = lport; // the dump filters on it
	sockaddr_nl kernel{};
	kernel.nl_family = AF_NETLINK;
	if (sendto(nl, &msg, sizeof(msg), 0, reinterpret_cast<sockaddr *>(&kernel),
		   sizeof(kernel)) < 0) {
		close(nl);
		return std::nullopt;
	}
	std::optional<sockaddr_storage> found;
	alignas(nlmsghdr) char buf[16384];
	bool done = false;
	while (!done) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		auto *h = reinterpret_cast<nlmsghdr *>(buf);
		int left = static_cast<int>(n);
		for (; NLMSG_OK(h, static_cast<unsigned>(left)); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			auto *m = static_cast<inet_diag_msg *>(NLMSG_DATA(h));
			if (found || m->idiag_inode != st.st_ino || m->id.idiag_sport != lport)
				continue;
			sockaddr_storage peer{};
			if (m->idiag_family == AF_INET) {
				auto *a = reinterpret_cast<sockaddr_in *>(&peer);
				a->sin_family = AF_INET;
				a->sin_port = m->id.idiag_dport;
				std::memcpy(&a->sin_addr, m->id.idiag_dst, 4);
			} else {
				auto *a = reinterpret_cast<sockaddr_in6 *>(&peer);
				a->sin6_family = AF_INET6;
				a->sin6_port = m->id.idiag_dport;
				std::memcpy(&a->sin6_addr, m->id.idiag_dst, 16);
			}
			found = peer;
		}
	}
	close(nl);
	return found;
}

} // namespace

std::optional<sockaddr_storage> diag_peer(int fd)
{
	sockaddr_storage local{};
	socklen_t len = sizeof(local);
	struct stat st {};
	if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &len) != 0 || fstat(fd, &st) != 0)
		return std::nullopt;
	if (auto peer = sock_diag_peer(local, st))
		return peer;
	// No inet_diag: Debian builds it as a module (inet_diag, tcp_diag) that
	// the kernel loads on the first request, which fails where modules
	// cannot be loaded on demand (no modprobe, kernel.modules_disabled=1,
	// a minimal initramfs). /proc/net/tcp{,6} has the same socket table.
	int fam = local.ss_family == AF_INET6 ? AF_INET6 : AF_INET;
	std::ifstream f(fam == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp");
	if (!f)
		return std::nullopt;
	std::stringstream text;
	text << f.rdbuf();
	return proc_net_tcp_peer(text.str(), fam, static_cast<unsigned long>(st.st_ino));
}

} // namespace toacheck
