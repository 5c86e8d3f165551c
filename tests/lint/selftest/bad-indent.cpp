// Misformatted on purpose (kept as data, not a source of the project):
// indented with two spaces, the brace on the function's line, as
// clang-format's built-in LLVM style wants and the tree's .clang-format does
// not. tests/lint/run checks that clang-format reports it.
int twice_plus(int n, int k) {
  int m = 2 * n;
  return m + k;
}
