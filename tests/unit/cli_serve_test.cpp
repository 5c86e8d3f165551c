// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa-check serve: addresses, the access-log line, sock_diag peer look-up.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

// The address as /proc/net/tcp{,6} prints it: each 32-bit word of the
// address read as a native integer, %08X; the port in host order.
std::string proc_hex(int family, const char *text, unsigned port)
{
	uint8_t a[16] = {};
	inet_pton(family, text, a);
	std::string out;
	for (int w = 0; w < (family == AF_INET ? 1 : 4); ++w) {
		uint32_t v;
		std::memcpy(&v, a + 4 * w, 4);
		char buf[16];
		std::snprintf(buf, sizeof(buf), "%08X", v);
		out += buf;
	}
	char p[8];
	std::snprintf(p, sizeof(p), ":%04X", port);
	return out + p;
}

TEST(Serve, ProcNetTcpPeer)
{
	std::string v4 =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	v4 += "   0: " + proc_hex(AF_INET, "0.0.0.0", 8080) + " " +
		proc_hex(AF_INET, "0.0.0.0", 0) +
		" 0A 00000000:00000000 00:00000000 00000000     0        0 4241 1 0000000000000000 100 0 0 10 0\n";
	v4 += "   1: " + proc_hex(AF_INET, "198.51.100.1", 8080) + " " +
		proc_hex(AF_INET, "198.51.100.2", 40000) +
		" 01 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 20 4 30 10 -1\n";
	auto p = proc_net_tcp_peer(v4, AF_INET, 4242);
	ASSERT_TRUE(p);
	EXPECT_EQ(format_sockaddr(*p), "198.51.100.2:40000");
	p = proc_net_tcp_peer(v4, AF_INET, 4241);
	ASSERT_TRUE(p);
	EXPECT_EQ(format_sockaddr(*p), "0.0.0.0:0");
	EXPECT_FALSE(proc_net_tcp_peer(v4, AF_INET, 4243));
	EXPECT_FALSE(proc_net_tcp_peer(v4, AF_INET, 0));
	EXPECT_FALSE(proc_net_tcp_peer(v4, AF_INET6, 4242)); // 8 hex digits are not IPv6
	EXPECT_FALSE(proc_net_tcp_peer("", AF_INET, 4242));

	std::string v6 =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	v6 += "   0: " + proc_hex(AF_INET6, "2001:db8:1::1", 8080) + " " +
		proc_hex(AF_INET6, "2001:db8:1::2", 50001) +
		" 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1\n";
	v6 += "   1: " + proc_hex(AF_INET6, "::", 8080) + " " +
		proc_hex(AF_INET6, "::ffff:198.51.100.2", 40001) +
		" 01 00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 20 4 30 10 -1\n";
	p = proc_net_tcp_peer(v6, AF_INET6, 777);
	ASSERT_TRUE(p);
	EXPECT_EQ(format_sockaddr(*p), "[2001:db8:1::2]:50001");
	p = proc_net_tcp_peer(v6, AF_INET6, 778);
	ASSERT_TRUE(p);
	EXPECT_EQ(format_sockaddr(*p), "198.51.100.2:40001");
	// a truncated or garbled line is no answer, never a crash
	EXPECT_FALSE(proc_net_tcp_peer("hdr\n   0: 0100007F:0050 0200\n", AF_INET, 1));
	EXPECT_FALSE(proc_net_tcp_peer("hdr\n   0: A B C D E F G H I 99\n", AF_INET, 99));
}

// The real /proc/net/tcp of this machine has the peer of a loopback connection.
TEST(Serve, ProcNetTcpPeerLive)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ASSERT_EQ(bind(l, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
	ASSERT_EQ(listen(l, 1), 0);
	socklen_t len = sizeof(a);
	getsockname(l, reinterpret_cast<sockaddr *>(&a), &len);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(connect(c, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
	int s = accept(l, nullptr, nullptr);
	ASSERT_GE(s, 0);
	sockaddr_in me{};
	len = sizeof(me);
	getsockname(c, reinterpret_cast<sockaddr *>(&me), &len);
	struct stat st {};
	ASSERT_EQ(fstat(s, &st), 0);
	std::ifstream f("/proc/net/tcp");
	std::stringstream text;
	text << f.rdbuf();
	auto p = proc_net_tcp_peer(text.str(), AF_INET, static_cast<unsigned long>(st.st_ino));
	ASSERT_TRUE(p);
	EXPECT_EQ(format_sockaddr(*p), "127.0.0.1:" + std::to_string(ntohs(me.sin_port)));
	close(s);
	close(c);
	close(l);
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
	EXPECT_THAT(
		log.str(),
		testing::MatchesRegex(
			"127\\.0\\.0\\.1:[0-9]+ via 127\\.0\\.0\\.1:[0-9]+ \"POST / HTTP/1\\.1\" 405\n"));
}

} // namespace
