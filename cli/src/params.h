// SPDX-License-Identifier: GPL-2.0 OR MIT
// params.h - validate module parameters before they reach the kernel.
#pragma once

#include <string>
#include <vector>

namespace toacheck {

struct ModuleParam {
	std::string key;
	std::string value; // canonical form
};

// Parse and check "key=value" items (option_kinds, option_kind, trusted_sources,
// max_entries). Throws UsageError naming the bad item.
std::vector<ModuleParam> parse_params(const std::vector<std::string> &items);

// Each check on its own; they throw UsageError.
std::string check_option_kind(const std::string &value);
std::string check_option_kinds(const std::string &value); // returns canonical list
std::string check_max_entries(const std::string &value);
std::string check_trusted_sources(const std::string &value); // returns canonical list

// "option_kind=200 trusted_sources=198.51.100.0/24" for libkmod / modprobe.d.
std::string params_string(const std::vector<ModuleParam> &params);

// "k=v k=\"v w\" flag" (a modprobe options string) split as the kernel's
// parameter parser splits it, quotes removed, in order.
std::vector<ModuleParam> split_options(const std::string &options);

// The parameters the module ends up with when loaded with @options, in
// the module's own canonical form: its defaults, then each option in
// order (option_kind replaces the first kind of option_kinds). Keys the
// module does not know are ignored, as the kernel ignores them. Throws
// UsageError for a value the module would refuse.
struct EffectiveParams {
	std::string option_kinds;
	std::string trusted_sources; // "" = any source
	std::string max_entries;
};
EffectiveParams effective_params(const std::string &options);

} // namespace toacheck
