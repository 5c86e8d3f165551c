// SPDX-License-Identifier: GPL-2.0 OR MIT
// serve.h - a tiny HTTP server whose access log shows the address accept()
// returned (the client, when TOA works) beside the network peer (the load
// balancer, from sock_diag).
#pragma once

#include <iosfwd>
#include <string>

#include "command.h"
#include "report.h"

namespace toacheck {

class HttpServer {
public:
	HttpServer(std::string bind, int port) : bind_(std::move(bind)), port_(port) {}
	~HttpServer();
	HttpServer(const HttpServer &) = delete;
	HttpServer &operator=(const HttpServer &) = delete;

	// Bind and listen; returns the port (useful with port 0). Throws
	// UsageError for a bad address or a privileged port without rights,
	// std::runtime_error for other failures.
	int open();
	// Accept one connection, answer it, write one access-log line to @log.
	// Returns false when interrupted.
	bool serve_one(std::ostream &log);
	std::string listen_address() const;

private:
	std::string bind_;
	int port_;
	int fd_ = -1;
};

// The access-log line, without the trailing newline.
std::string access_log_line(const std::string &client, const std::string &peer,
			    const std::string &request_line, int status);

struct ServeCmd : Command {
	int port = 8080;
	std::string bind = "::";
	int count = 0; // 0: until interrupted
	CLI::App *define(CLI::App &app) override;
	int run(Env &env) override;
};

} // namespace toacheck
