// The JSON reader of the in-VM tests (tests/lib/vt_json.c), which the
// cli_* scenarios of toa-vmtest check toa-check's --json output with.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "vt_json.h"

namespace {

struct Free {
	void operator()(vt_json *v) const { vt_json_free(v); }
};
using Doc = std::unique_ptr<vt_json, Free>;

// The parsed document, or null with the reason in *why.
Doc parse(const std::string &text, std::string *why = nullptr)
{
	char err[160] = "";
	Doc d(vt_json_parse(text.c_str(), err, sizeof(err)));
	if (why)
		*why = err;
	return d;
}

// The reason a text is refused ("" when it parses).
std::string refusal(const std::string &text)
{
	std::string why;
	Doc d = parse(text, &why);
	return d ? "" : why;
}

std::vector<std::string> keys(const vt_json *obj)
{
	std::vector<std::string> out;
	for (const vt_json *k = obj->kids; k; k = k->next)
		out.push_back(k->key);
	return out;
}

TEST(VtJson, Scalars)
{
	Doc d = parse("\"text\"");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_STR);
	EXPECT_STREQ(d->s, "text");
	EXPECT_EQ(d->key, nullptr);

	d = parse(" true ");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_BOOL);
	EXPECT_TRUE(d->b);
	d = parse("false");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_BOOL);
	EXPECT_FALSE(d->b);
	d = parse("null");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_NULL);
}

TEST(VtJson, NumbersKeepTheirText)
{
	for (const char *n :
	     {"0", "-0", "42", "-17", "3.25", "1e9", "2E-3", "-1.5e+10", "262144"}) {
		Doc d = parse(n);
		ASSERT_TRUE(d) << n;
		EXPECT_EQ(d->t, VT_JSON_NUM) << n;
		EXPECT_STREQ(d->s, n);
	}
}

TEST(VtJson, BadNumbers)
{
	EXPECT_EQ(refusal("-"), "bad number at \"\"");
	EXPECT_EQ(refusal("+1"), "bad number at \"+1\"");
	EXPECT_EQ(refusal("1."), "bad fraction at \"\"");
	EXPECT_EQ(refusal("1.e5"), "bad fraction at \"e5\"");
	EXPECT_EQ(refusal("1e"), "bad exponent at \"\"");
	EXPECT_EQ(refusal("1e+"), "bad exponent at \"\"");
	EXPECT_EQ(refusal(".5"), "bad number at \".5\"");
	// a leading zero ends the number: what follows is left over
	EXPECT_EQ(refusal("01"), "trailing text at \"1\"");
	EXPECT_EQ(refusal("[01]"), "expected ',' or ']' at \"1]\"");
}

TEST(VtJson, ObjectKeepsMemberOrder)
{
	Doc d = parse(R"({"version": "1.2.0", "kernel": "6.1.0", "checks": [], "ok": true})");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_OBJ);
	EXPECT_EQ(vt_json_len(d.get()), 4u);
	EXPECT_EQ(keys(d.get()), (std::vector<std::string>{"version", "kernel", "checks", "ok"}));
	ASSERT_NE(vt_json_get(d.get(), "kernel"), nullptr);
	EXPECT_STREQ(vt_json_get(d.get(), "kernel")->s, "6.1.0");
	EXPECT_EQ(vt_json_get(d.get(), "checks")->t, VT_JSON_ARR);
	EXPECT_EQ(vt_json_len(vt_json_get(d.get(), "checks")), 0u);
	EXPECT_EQ(vt_json_get(d.get(), "missing"), nullptr);
}

TEST(VtJson, NestedArraysAndObjects)
{
	Doc d = parse(R"([{"id": "kernel", "status": "pass"}, [1, [2, []]], {}])");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->t, VT_JSON_ARR);
	ASSERT_EQ(vt_json_len(d.get()), 3u);
	const vt_json *first = d->kids;
	EXPECT_EQ(first->key, nullptr); // array elements have no name
	EXPECT_STREQ(vt_json_get(first, "status")->s, "pass");
	const vt_json *second = first->next;
	EXPECT_EQ(second->t, VT_JSON_ARR);
	EXPECT_STREQ(second->kids->s, "1");
	EXPECT_EQ(second->kids->next->kids->next->t, VT_JSON_ARR);
	EXPECT_EQ(second->next->t, VT_JSON_OBJ);
	EXPECT_EQ(vt_json_len(second->next), 0u);
}

TEST(VtJson, WhitespaceAnywhereBetweenTokens)
{
	Doc d = parse(" \t\r\n{ \"a\" :\n[ 1 ,\t2 ] , \"b\":{ } }\n");
	ASSERT_TRUE(d);
	EXPECT_EQ(vt_json_len(vt_json_get(d.get(), "a")), 2u);
}

TEST(VtJson, StringEscapes)
{
	Doc d = parse(R"("q\" b\\ s\/ \b\f\n\r\t end")");
	ASSERT_TRUE(d);
	EXPECT_STREQ(d->s, "q\" b\\ s/ \b\f\n\r\t end");
}

TEST(VtJson, UnicodeEscapesBecomeUtf8)
{
	Doc d = parse(R"("\u0041\u00e9\u2713\u2717\uFFFF")");
	ASSERT_TRUE(d);
	EXPECT_STREQ(d->s, "A\xc3\xa9\xe2\x9c\x93\xe2\x9c\x97\xef\xbf\xbf");
	// UTF-8 in the input passes through unchanged
	d = parse("\"\xe2\x9c\x93 hooks\"");
	ASSERT_TRUE(d);
	EXPECT_STREQ(d->s, "\xe2\x9c\x93 hooks");
}

TEST(VtJson, BadStrings)
{
	EXPECT_EQ(refusal("\"open"), "unterminated string at \"\"");
	EXPECT_EQ(refusal("\"a\nb\""), "control character in a string at \"\nb\"\"");
	EXPECT_EQ(refusal(R"("\x")"), "bad escape at \"x\"\"");
	EXPECT_EQ(refusal("\"\\"), "bad escape at \"\"");
	EXPECT_EQ(refusal(R"("\u12")"), "bad or unsupported \\u escape at \"u12\"\"");
	EXPECT_EQ(refusal(R"("\ud83d\ude00")"),
		  "bad or unsupported \\u escape at \"ud83d\\ude00\"\"");
}

TEST(VtJson, BadStructure)
{
	EXPECT_EQ(refusal(""), "bad number at \"\"");
	EXPECT_EQ(refusal("{"), "expected a member name at \"\"");
	EXPECT_EQ(refusal("{1: 2}"), "expected a member name at \"1: 2}\"");
	EXPECT_EQ(refusal(R"({"a" 1})"), "expected ':' at \"1}\"");
	EXPECT_EQ(refusal(R"({"a": 1,})"), "expected a member name at \"}\"");
	EXPECT_EQ(refusal(R"({"a": 1 "b": 2})"), "expected ',' or '}' at \"\"b\": 2}\"");
	EXPECT_EQ(refusal("[1 2]"), "expected ',' or ']' at \"2]\"");
	EXPECT_EQ(refusal("[1,]"), "bad number at \"]\"");
	EXPECT_EQ(refusal("tru"), "bad literal at \"tru\"");
	EXPECT_EQ(refusal("nul"), "bad literal at \"nul\"");
	EXPECT_EQ(refusal("{} {}"), "trailing text at \"{}\"");
	EXPECT_EQ(refusal("\"a\" x"), "trailing text at \"x\"");
}

TEST(VtJson, ErrorShowsAtMost30CharactersOfWhere)
{
	std::string rest(100, 'x');
	EXPECT_EQ(refusal("[1 " + rest + "]"),
		  "expected ',' or ']' at \"" + rest.substr(0, 30) + "\"");
}

TEST(VtJson, NestingUpTo32Levels)
{
	EXPECT_TRUE(parse(std::string(32, '[') + std::string(32, ']')));
	EXPECT_EQ(refusal(std::string(33, '[') + std::string(33, ']')),
		  "nesting too deep at \"[" + std::string(29, ']') + "\"");
	std::string objects;
	for (int i = 0; i < 33; i++)
		objects += "{\"k\":";
	objects += "1" + std::string(33, '}');
	EXPECT_EQ(refusal(objects).rfind("nesting too deep", 0), 0u);
}

TEST(VtJson, DuplicateKeysKeptGetFindsTheFirst)
{
	Doc d = parse(R"({"a": 1, "a": 2})");
	ASSERT_TRUE(d);
	EXPECT_EQ(vt_json_len(d.get()), 2u);
	EXPECT_STREQ(vt_json_get(d.get(), "a")->s, "1");
}

TEST(VtJson, NoErrorBufferIsFine)
{
	EXPECT_EQ(vt_json_parse("[", nullptr, 0), nullptr);
	vt_json_free(nullptr);
}

} // namespace
