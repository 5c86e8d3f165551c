/*
 * Misformatted on purpose (kept as data, not a source of the project): a
 * single statement on the same line as its if, and a pointer star next to
 * the type. tests/lint/run checks that clang-format reports it.
 */
int first(const char* s)
{
	if (!s) return -1;
	return s[0];
}
