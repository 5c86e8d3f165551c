// SPDX-License-Identifier: GPL-2.0 OR MIT
// netaddr.h - socket address helpers and the sock_diag look-up of the
// network peer (what TOA does not rewrite).
#pragma once

#include <optional>
#include <string>

#include <sys/socket.h>

namespace toacheck {

// "203.0.113.7:4321", "[2001:db8::7]:4321"; v4-mapped IPv6 shown as IPv4.
std::string format_sockaddr(const sockaddr_storage &ss);

// Parse "::", "0.0.0.0", "127.0.0.1", "[::1]", "::1" (no port).
std::optional<sockaddr_storage> parse_bind_address(const std::string &text, int port);

// The peer of connected TCP socket @fd as the kernel's socket table has it
// (NETLINK_SOCK_DIAG / inet_diag, matched by local port and inode; when
// inet_diag is unavailable, /proc/net/tcp or tcp6 matched by inode).
std::optional<sockaddr_storage> diag_peer(int fd);

// The remote address of the socket with @inode in the text of
// /proc/net/tcp (@family AF_INET) or /proc/net/tcp6 (AF_INET6).
std::optional<sockaddr_storage> proc_net_tcp_peer(const std::string &text, int family,
						  unsigned long inode);

} // namespace toacheck
