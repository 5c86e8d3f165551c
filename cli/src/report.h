// SPDX-License-Identifier: GPL-2.0 OR MIT
// report.h - checklist lines (✓ ✗ !) and their JSON form.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "system.h"

namespace toacheck {

enum class Status { Pass, Fail, Warn };

struct Check {
	std::string id; // stable machine name: "headers"
	Status status = Status::Pass;
	std::string summary; // one line
	std::string fix;     // shell lines, "\n"-separated; empty when none
};

const char *status_mark(Status s); // "✓" "✗" "!"
const char *status_name(Status s); // "pass" "fail" "warn"

// "✓ summary" and, under a failure or warning, its fix indented.
void print_check(std::ostream &out, const Check &c);
void print_checks(std::ostream &out, const std::vector<Check> &checks);
bool all_ok(const std::vector<Check> &checks); // no Fail

nlohmann::ordered_json check_json(const Check &c);
nlohmann::ordered_json checks_json(const std::vector<Check> &checks);

// What every subcommand gets.
struct Env {
	System &sys;
	std::ostream &out;
	std::ostream &err;
};

// Bad input: reported on one line, exit code 2.
struct UsageError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;

} // namespace toacheck
