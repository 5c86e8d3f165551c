// SPDX-License-Identifier: GPL-2.0 OR MIT
// netaddr.cpp - address formatting and the inet_diag peer look-up.
#include "netaddr.h"

#include <cerrno>
#include <cstring>

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

std::optional<sockaddr_storage> diag_peer(int fd)
{
	sockaddr_storage local{};
	socklen_t len = sizeof(local);
	struct stat st {};
	if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &len) != 0 || fstat(fd, &st) != 0)
		return std::nullopt;
	uint16_t lport = local.ss_family == AF_INET
				 ? reinterpret_cast<sockaddr_in *>(&local)->sin_port
				 : reinterpret_cast<sockaddr_in6 *>(&local)->sin6_port;

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
	msg.req.id.idiag_sport = lport;	// the dump filters on it
	sockaddr_nl kernel{};
	kernel.nl_family = AF_NETLINK;
	if (sendto(nl, &msg, sizeof(msg), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0) {
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

} // namespace toacheck
