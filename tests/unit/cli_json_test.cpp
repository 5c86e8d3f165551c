// SPDX-License-Identifier: GPL-2.0 OR MIT
// The --json schemas (documented in docs/toa-check.md).
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_fixture.h"

namespace {

class Json : public testing::Test {
protected:
	Json() : sys(root) { toatest::make_healthy(root, sys); }
	nlohmann::json doctor()
	{
		auto r = toatest::run_cli(sys, {"doctor", "--json"});
		last_code = r.code;
		return nlohmann::json::parse(r.out);
	}
	static void expect_schema(const nlohmann::json &j)
	{
		ASSERT_TRUE(j.is_object());
		std::set<std::string> keys;
		for (const auto &[k, v] : j.items())
			keys.insert(k);
		EXPECT_EQ(keys, (std::set<std::string>{"version", "kernel", "checks", "ok"}));
		EXPECT_EQ(j["version"], TOA_CHECK_VERSION);
		EXPECT_TRUE(j["kernel"].is_string());
		EXPECT_TRUE(j["ok"].is_boolean());
		ASSERT_TRUE(j["checks"].is_array());
		ASSERT_FALSE(j["checks"].empty());
		for (const auto &c : j["checks"]) {
			std::set<std::string> ck;
			for (const auto &[k, v] : c.items()) {
				ck.insert(k);
				EXPECT_TRUE(v.is_string()) << k;
			}
			EXPECT_EQ(ck, (std::set<std::string>{"id", "status", "summary", "fix"}));
			EXPECT_THAT(c["status"].get<std::string>(),
				    testing::AnyOf("pass", "fail", "warn"));
		}
	}
	toatest::TempRoot root;
	toatest::FakeSystem sys;
	int last_code = -1;
};

TEST_F(Json, HealthyDoctor)
{
	auto j = doctor();
	expect_schema(j);
	EXPECT_EQ(last_code, 0);
	EXPECT_EQ(j["ok"], true);
	EXPECT_EQ(j["kernel"], "6.1.0-56-amd64");
	EXPECT_EQ(j["checks"][0]["id"], "kernel");
	EXPECT_EQ(j["checks"].size(), 12u);
}

TEST_F(Json, FailingDoctor)
{
	root.remove("/lib/modules/6.1.0-56-amd64/build");
	auto j = doctor();
	expect_schema(j);
	EXPECT_EQ(last_code, 1);
	EXPECT_EQ(j["ok"], false);
	bool found = false;
	for (const auto &c : j["checks"])
		if (c["id"] == "headers") {
			found = true;
			EXPECT_EQ(c["status"], "fail");
			EXPECT_EQ(c["fix"], "apt-get install -y linux-headers-6.1.0-56-amd64");
		}
	EXPECT_TRUE(found);
}

TEST_F(Json, WarningsKeepOkTrue)
{
	root.put("/sys/module/toa/parameters/trusted_sources", "");
	root.remove("/etc/modprobe.d/toa.conf");
	auto j = doctor();
	expect_schema(j);
	EXPECT_EQ(j["ok"], true);
	EXPECT_EQ(j["checks"][9]["id"], "trusted_sources");
	EXPECT_EQ(j["checks"][9]["status"], "warn");
}

TEST_F(Json, Stats)
{
	auto r = toatest::run_cli(sys, {"stats", "--json"});
	ASSERT_EQ(r.code, 0);
	auto j = nlohmann::json::parse(r.out);
	ASSERT_TRUE(j.is_object());
	EXPECT_EQ(j.size(), 22u);
	EXPECT_EQ(j["syn_recv_sock_toa"], 5);
	EXPECT_EQ(j["max_entries"], 262144);
	// File order is kept.
	EXPECT_EQ(r.out.find("\"syn_recv_sock_toa\"") <
			  r.out.find("\"nmissed_inet_sock_destruct\""),
		  true);
}

} // namespace
