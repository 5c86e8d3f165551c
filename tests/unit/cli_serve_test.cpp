// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check serve: addresses, the access-log line, sock_diag peer look-up.
#include <cstring>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "netaddr.h"
#include "serve.h"

using namespace toacheck;
using testing::HasSubstr;

namespace {

TEST(Serve, FormatAddresses)
{
	auto v4 = parse_bind_address("203.0.113.7", 4321);
	ASSERT_TRUE(v4);
	EXPECT_EQ(format_sockaddr(*v4), "203.0.113.7:4321");
	auto mapped = parse_bind_address("::ffff:203.0.113.7", 80);
	ASSERT_TRUE(mapped);
	EXPECT_EQ(format_sockaddr(*mapped), "203.0.113.7:80");
	auto v6 = parse_bind_address("[2001:db8::7]", 8080);
	ASSERT_TRUE(v6);
	EXPECT_EQ(format_sockaddr(*v6), "[2001:db8::7]:8080");
	EXPECT_FALSE(parse_bind_address("example.com", 1));
	EXPECT_FALSE(parse_bind_address("1.2.3", 1));
}

TEST(Serve, AccessLogLine)
{
	EXPECT_EQ(access_log_line("203.0.113.7:4321", "198.51.100.2:40000", "GET / HTTP/1.1", 200),
		  "203.0.113.7:4321 via 198.51.100.2:40000 \"GET / HTTP/1.1\" 200");
}

// Without TOA the address accept() returns and the sock_diag peer agree.
TEST(Serve, OneRequestOverLoopback)
{
	HttpServer server("127.0.0.1", 0);
	int port = server.open();
	ASSERT_GT(port, 0);
	std::ostringstream log;
	std::thread t([&] { server.serve_one(log); });

	int c = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(static_cast<uint16_t>(port));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ASSERT_EQ(connect(c, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
	sockaddr_in me{};
	socklen_t len = sizeof(me);
	getsockname(c, reinterpret_cast<sockaddr *>(&me), &len);
	const char req[] = "GET /x HTTP/1.0\r\nHost: t\r\n\r\n";
	ASSERT_EQ(send(c, req, sizeof(req) - 1, 0), static_cast<ssize_t>(sizeof(req) - 1));
	std::string resp;
	char buf[1024];
	ssize_t n;
	while ((n = recv(c, buf, sizeof(buf), 0)) > 0)
		resp.append(buf, static_cast<size_t>(n));
	close(c);
	t.join();

	std::string me_text = "127.0.0.1:" + std::to_string(ntohs(me.sin_port));
	EXPECT_THAT(resp, testing::StartsWith("HTTP/1.0 200 OK\r\n"));
	EXPECT_THAT(resp, HasSubstr("your address (as accept() returned it): " + me_text));
	EXPECT_EQ(log.str(), me_text + " via " + me_text + " \"GET /x HTTP/1.0\" 200\n");
}

TEST(Serve, DualStackByDefault)
{
	HttpServer server("::", 0);
	int port = server.open();
	EXPECT_EQ(server.listen_address(), "[::]:" + std::to_string(port));
	std::ostringstream log;
	std::thread t([&] { server.serve_one(log); });
	int c = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_port = htons(static_cast<uint16_t>(port));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ASSERT_EQ(connect(c, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
	const char req[] = "POST / HTTP/1.1\r\n\r\n";
	send(c, req, sizeof(req) - 1, 0);
	char buf[512];
	while (recv(c, buf, sizeof(buf), 0) > 0) {
	}
	close(c);
	t.join();
	// An IPv4 client of the [::] socket is shown as IPv4, the peer found by
	// sock_diag (AF_INET6 table, v4-mapped) too.
	EXPECT_THAT(log.str(), testing::MatchesRegex(
				       "127\\.0\\.0\\.1:[0-9]+ via 127\\.0\\.0\\.1:[0-9]+ \"POST / HTTP/1\\.1\" 405\n"));
}

} // namespace
