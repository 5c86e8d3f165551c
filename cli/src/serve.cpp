// SPDX-License-Identifier: GPL-2.0 OR MIT
// serve.cpp - plain sockets, one connection at a time.
#include "serve.h"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <stdexcept>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fmt/format.h>

#include "netaddr.h"
#include "stats.h"
#include "version.h"

namespace toacheck {

namespace {

std::string printable(const std::string &s, size_t max)
{
	std::string out;
	for (char c : s.substr(0, max)) {
		unsigned char u = static_cast<unsigned char>(c);
		out += (u >= 0x20 && u < 0x7f && c != '"') ? c : '?';
	}
	return out;
}

void send_all(int fd, const std::string &data)
{
	size_t off = 0;
	while (off < data.size()) {
		ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += static_cast<size_t>(n);
	}
}

} // namespace

std::string access_log_line(const std::string &client, const std::string &peer,
			    const std::string &request_line, int status)
{
	return fmt::format("{} via {} \"{}\" {}", client, peer, request_line, status);
}

HttpServer::~HttpServer()
{
	if (fd_ >= 0)
		close(fd_);
}

int HttpServer::open()
{
	auto addr = parse_bind_address(bind_, port_);
	if (!addr)
		throw UsageError(fmt::format("--bind '{}' is not an IPv4 or IPv6 address", bind_));
	fd_ = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd_ < 0)
		throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
	int one = 1, zero = 0;
	setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)); // dual stack
	socklen_t len = addr->ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
	if (bind(fd_, reinterpret_cast<sockaddr *>(&*addr), len) != 0) {
		int e = errno;
		if (e == EACCES)
			throw UsageError(
				fmt::format("port {} needs root or CAP_NET_BIND_SERVICE", port_));
		throw std::runtime_error(fmt::format("cannot listen on {}: {}",
						     format_sockaddr(*addr), std::strerror(e)));
	}
	if (listen(fd_, 64) != 0)
		throw std::runtime_error(fmt::format("listen: {}", std::strerror(errno)));
	sockaddr_storage bound{};
	len = sizeof(bound);
	getsockname(fd_, reinterpret_cast<sockaddr *>(&bound), &len);
	port_ = ntohs(bound.ss_family == AF_INET
			      ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
			      : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
	return port_;
}

std::string HttpServer::listen_address() const
{
	auto addr = parse_bind_address(bind_, port_);
	if (!addr)
		return bind_;
	if (addr->ss_family == AF_INET6) {
		// format_sockaddr would shorten a v4-mapped address; keep it literal here.
		std::string b = bind_;
		if (b.front() != '[')
			b = "[" + b + "]";
		return fmt::format("{}:{}", b, port_);
	}
	return format_sockaddr(*addr);
}

bool HttpServer::serve_one(std::ostream &log)
{
	sockaddr_storage client{};
	socklen_t len = sizeof(client);
	int c = -1;
	for (;;) {
		c = accept4(fd_, reinterpret_cast<sockaddr *>(&client), &len, SOCK_CLOEXEC);
		if (c >= 0)
			break;
		if (errno == EINTR && g_interrupted)
			return false;
		if (errno != EINTR && errno != ECONNABORTED)
			throw std::runtime_error(fmt::format("accept: {}", std::strerror(errno)));
	}
	std::string client_text = format_sockaddr(client);
	auto peer = diag_peer(c);
	std::string peer_text = peer ? format_sockaddr(*peer) : "?";

	timeval tv{5, 0};
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	std::string req;
	char buf[2048];
	while (req.size() < 8192 && req.find("\r\n\r\n") == std::string::npos &&
	       req.find("\n\n") == std::string::npos) {
		ssize_t n = recv(c, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR && !g_interrupted)
			continue;
		if (n <= 0)
			break;
		req.append(buf, static_cast<size_t>(n));
	}
	std::string line = req.substr(0, req.find_first_of("\r\n"));
	int status = 200;
	std::string method = line.substr(0, line.find(' '));
	if (line.empty() || line.find(' ') == std::string::npos)
		status = 400;
	else if (method != "GET" && method != "HEAD")
		status = 405;
	std::string body = fmt::format("toa-check serve {}\n"
				       "your address (as accept() returned it): {}\n"
				       "network peer (the load balancer, from sock_diag): {}\n",
				       kVersion, client_text, peer_text);
	const char *reason = status == 200 ? "OK"
		: status == 400		   ? "Bad Request"
					   : "Method Not Allowed";
	std::string head =
		fmt::format("HTTP/1.0 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\n"
			    "Content-Length: {}\r\nConnection: close\r\n\r\n",
			    status, reason, body.size());
	send_all(c, method == "HEAD" ? head : head + body);
	shutdown(c, SHUT_WR);
	close(c);
	log << access_log_line(client_text, peer_text, printable(line, 200), status) << std::endl;
	return true;
}

int ServeCmd::run(Env &env)
{
	if (port < 0 || port > 65535)
		throw UsageError(fmt::format("--port {} is out of range (0..65535)", port));
	if (count < 0)
		throw UsageError("--count must be 0 or more");
	HttpServer server(bind, port);
	try {
		server.open();
	} catch (const UsageError &) {
		throw;
	} catch (const std::exception &e) {
		env.err << "toa-check: " << e.what() << "\n";
		return kExitFail;
	}
	env.out << fmt::format("listening on {}", server.listen_address()) << std::endl;
	for (int served = 0; count == 0 || served < count; ++served) {
		try {
			if (!server.serve_one(env.out))
				break;
		} catch (const std::exception &e) {
			env.err << "toa-check: " << e.what() << "\n";
			return kExitFail;
		}
	}
	return kExitOk;
}

} // namespace toacheck
