// Formatted as .clang-format says: tests/lint/run's clang-format self-test
// expects clang-format to accept this file. Tabs and the function brace on
// its own line are right only when clang-format read the tree's
// .clang-format (its built-in LLVM style indents with two spaces).
#include <string>

namespace selftest {

struct Greeter {
	std::string name;

	std::string greet(bool loud) const
	{
		if (loud)
			return "HELLO, " + name;
		return "hello, " + name;
	}
};

} // namespace selftest
