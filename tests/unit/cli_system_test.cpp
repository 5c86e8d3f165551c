// SPDX-License-Identifier: GPL-2.0 OR MIT
// RealSystem::run: the child's output and exit code, and its deadline.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system.h"

using testing::HasSubstr;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(RealSystemRun, OutputAndExitCode)
{
	toacheck::RealSystem sys("/");
	toacheck::CmdResult r = sys.run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
	EXPECT_EQ(r.exit_code, 3);
	EXPECT_EQ(r.output, "out\nerr\n");
	EXPECT_FALSE(r.timed_out);
}

TEST(RealSystemRun, ProgramThatDoesNotExist)
{
	toacheck::RealSystem sys("/");
	toacheck::CmdResult r = sys.run({"toa-no-such-program"});
	EXPECT_EQ(r.exit_code, -1);
	EXPECT_FALSE(r.timed_out);
}

TEST(RealSystemRun, DefaultDeadlineIsAMinute)
{
	EXPECT_EQ(toacheck::kRunTimeoutSeconds, 60.0);
}

TEST(RealSystemRun, ChildThatHangsIsKilledAtTheDeadline)
{
	toacheck::RealSystem sys("/");
	sys.set_run_timeout(0.3);
	auto t0 = std::chrono::steady_clock::now();
	toacheck::CmdResult r = sys.run({"/bin/sh", "-c", "echo started; exec sleep 30"});
	double took = seconds_since(t0);
	EXPECT_TRUE(r.timed_out);
	EXPECT_EQ(r.exit_code, 124);
	EXPECT_THAT(r.output, HasSubstr("started\n"));
	EXPECT_THAT(r.output, HasSubstr("/bin/sh did not finish within 0.3 s: killed"));
	EXPECT_GE(took, 0.3);
	EXPECT_LT(took, 10.0);
}

TEST(RealSystemRun, OutputLargerThanThePipeWithinTheDeadline)
{
	toacheck::RealSystem sys("/");
	sys.set_run_timeout(30);
	toacheck::CmdResult r =
		sys.run({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"});
	EXPECT_FALSE(r.timed_out);
	EXPECT_EQ(r.exit_code, 0);
	EXPECT_EQ(r.output.size(), 1000000u);
}

} // namespace
