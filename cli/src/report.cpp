// SPDX-License-Identifier: GPL-2.0 OR MIT
// report.cpp - checklist printing and JSON.
#include "report.h"

#include <ostream>

#include <fmt/format.h>

namespace toacheck {

const char *status_mark(Status s)
{
	switch (s) {
	case Status::Pass:
		return "\u2713";
	case Status::Fail:
		return "\u2717";
	case Status::Warn:
		return "!";
	}
	return "?";
}

const char *status_name(Status s)
{
	switch (s) {
	case Status::Pass:
		return "pass";
	case Status::Fail:
		return "fail";
	case Status::Warn:
		return "warn";
	}
	return "?";
}

void print_check(std::ostream &out, const Check &c)
{
	out << fmt::format("{} {}\n", status_mark(c.status), c.summary);
	if (c.status == Status::Pass || c.fix.empty())
		return;
	bool first = true;
	for (const auto &line : split_lines(c.fix)) {
		out << fmt::format("    {} {}\n", first ? "fix:" : "    ", line);
		first = false;
	}
}

void print_checks(std::ostream &out, const std::vector<Check> &checks)
{
	for (const auto &c : checks)
		print_check(out, c);
}

bool all_ok(const std::vector<Check> &checks)
{
	for (const auto &c : checks)
		if (c.status == Status::Fail)
			return false;
	return true;
}

nlohmann::ordered_json check_json(const Check &c)
{
	nlohmann::ordered_json j;
	j["id"] = c.id;
	j["status"] = status_name(c.status);
	j["summary"] = c.summary;
	j["fix"] = c.fix;
	return j;
}

nlohmann::ordered_json checks_json(const std::vector<Check> &checks)
{
	auto arr = nlohmann::ordered_json::array();
	for (const auto &c : checks)
		arr.push_back(check_json(c));
	return arr;
}

} // namespace toacheck
