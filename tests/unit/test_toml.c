// SPDX-License-Identifier: MIT
/* Unit tests for the vm.toml parser (src/vmm/toml.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "toml.h"

/* ---- helpers ---- */

static struct toml_value *parse_len_ok(const char *text, size_t len, int line)
{
	struct toml_value *root = (struct toml_value *)1;
	struct toml_error err;
	int rc = toml_parse(text, len, &root, &err);

	if (rc)
		print_message("test line %d: unexpected error %u:%u: %s\n", line, err.pos.line,
			      err.pos.col, err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(root);
	assert_int_equal(root->type, TOML_TABLE);
	return root;
}

#define PARSE_OK(text) parse_len_ok(text, strlen(text), __LINE__)

static void check_err(const char *text, size_t len, unsigned line, unsigned col, const char *msg,
		      int want_rc, int tline)
{
	struct toml_value *root = (struct toml_value *)1;
	struct toml_error err;
	int rc = toml_parse(text, len, &root, &err);

	if (rc != want_rc || err.pos.line != line || err.pos.col != col || strcmp(err.msg, msg))
		print_message("test line %d: got rc %d at %u:%u \"%s\", want %d at %u:%u \"%s\"\n",
			      tline, rc, err.pos.line, err.pos.col, err.msg, want_rc, line, col,
			      msg);
	assert_int_equal(rc, want_rc);
	assert_null(root);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.pos.line, line);
	assert_int_equal(err.pos.col, col);
}

#define EXPECT_ERR(text, line, col, msg)                                                           \
	check_err(text, strlen(text), line, col, msg, -EINVAL, __LINE__)

/*
 * Look up a value by a '/'-separated path; a segment indexes an array when the
 * current value is one, so "a/0/b" is the key b of the first element of a.
 */
static const struct toml_value *get(const struct toml_value *v, const char *path)
{
	char buf[256], *seg, *save = NULL;

	assert_true(strlen(path) < sizeof(buf));
	strcpy(buf, path);
	for (seg = strtok_r(buf, "/", &save); seg && v; seg = strtok_r(NULL, "/", &save)) {
		if (v->type == TOML_ARRAY) {
			size_t i = strtoul(seg, NULL, 10);

			v = i < v->u.array.len ? v->u.array.items[i] : NULL;
		} else {
			v = toml_table_get(v, seg);
		}
	}
	return v;
}

static const struct toml_value *get_type(const struct toml_value *root, const char *path,
					 enum toml_type type, int line)
{
	const struct toml_value *v = get(root, path);

	if (!v || v->type != type)
		print_message("test line %d: %s: want a %s, got %s\n", line, path,
			      toml_type_name(type), v ? toml_type_name(v->type) : "nothing");
	assert_non_null(v);
	assert_int_equal(v->type, type);
	return v;
}

#define GET(root, path, type) get_type(root, path, type, __LINE__)
#define ASSERT_STR(root, path, want) assert_string_equal(GET(root, path, TOML_STRING)->u.str, want)
#define ASSERT_INT(root, path, want) assert_true(GET(root, path, TOML_INTEGER)->u.integer == (want))
#define ASSERT_BOOL(root, path, want)                                                              \
	assert_int_equal(GET(root, path, TOML_BOOLEAN)->u.boolean, want)
#define ASSERT_LEN(root, path, type, want)                                                         \
	assert_int_equal(type == TOML_ARRAY ? GET(root, path, type)->u.array.len                   \
					    : GET(root, path, type)->u.table.len,                  \
			 want)
#define ASSERT_POS(p, l, c)                                                                        \
	do {                                                                                       \
		assert_int_equal((p).line, l);                                                     \
		assert_int_equal((p).col, c);                                                      \
	} while (0)

/* ---- basics ---- */

static void test_empty(void **state)
{
	static const char *docs[] = {"",
				     "\n",
				     "\r\n",
				     "   \t\n\n",
				     "# only a comment",
				     "# c1\n\t# c2\r\n\n",
				     "\xef\xbb\xbf"};
	(void)state;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct toml_value *root = PARSE_OK(docs[i]);

		assert_int_equal(root->u.table.len, 0);
		ASSERT_POS(root->pos, 1, 1);
		toml_free(root);
	}
	toml_free(NULL);
}

static void test_comments_and_line_endings(void **state)
{
	struct toml_value *root = PARSE_OK("# head\r\n"
					   "a = 1 # trailing\r\n"
					   "\r\n"
					   "  b = \"# not a comment\"\t#c\n"
					   "c=2#tight\n"
					   "d = 3");
	(void)state;

	ASSERT_INT(root, "a", 1);
	ASSERT_STR(root, "b", "# not a comment");
	ASSERT_INT(root, "c", 2);
	ASSERT_INT(root, "d", 3);
	ASSERT_POS(root->u.table.items[1].key_pos, 4, 3);
	ASSERT_POS(root->u.table.items[1].value->pos, 4, 7);
	toml_free(root);
}

static void test_not_nul_terminated(void **state)
{
	char buf[16];
	struct toml_value *root;
	(void)state;

	memcpy(buf, "x = 12345678", 12);
	memset(buf + 12, '9', sizeof(buf) - 12);
	root = parse_len_ok(buf, 7, __LINE__);
	ASSERT_INT(root, "x", 123);
	toml_free(root);

	memcpy(buf, "s = \"abc\"", 9);
	check_err(buf, 8, 1, 5, "unterminated string", -EINVAL, __LINE__);

	root = parse_len_ok(NULL, 0, __LINE__);
	assert_int_equal(root->u.table.len, 0);
	toml_free(root);
}

/* ---- strings ---- */

static void test_basic_strings(void **state)
{
	struct toml_value *root = PARSE_OK("plain = \"hello world\"\n"
					   "empty = \"\"\n"
					   "esc = \"b\\b t\\t n\\n f\\f r\\r q\\\" bs\\\\\"\n"
					   "u4 = \"\\u00e9\\u20AC\"\n"
					   "u8 = \"\\U0001F600\\U0000007a\"\n"
					   "utf8 = \"grüße ✓\"\n"
					   "tab = \"a\tb\"\n"
					   "quote = \"it's\"\n");
	(void)state;

	ASSERT_STR(root, "plain", "hello world");
	ASSERT_STR(root, "empty", "");
	ASSERT_STR(root, "esc", "b\b t\t n\n f\f r\r q\" bs\\");
	ASSERT_STR(root, "u4", "\xc3\xa9\xe2\x82\xac");
	ASSERT_STR(root, "u8", "\xf0\x9f\x98\x80z");
	ASSERT_STR(root, "utf8",
		   "gr\xc3\xbc\xc3\x9f"
		   "e \xe2\x9c\x93");
	ASSERT_STR(root, "tab", "a\tb");
	ASSERT_STR(root, "quote", "it's");
	toml_free(root);

	/* code point boundaries of \u escapes */
	root = PARSE_OK("a = \"\\u0001\\u007f\\u0080\\u07FF\\u0800\\uD7FF\\uE000\\uFFFF\"\n"
			"b = \"\\U00010000\\U0010FFFF\"");
	ASSERT_STR(root, "a",
		   "\x01\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
		   "\xef\xbf\xbf");
	ASSERT_STR(root, "b", "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf");
	toml_free(root);
}

static void test_literal_strings(void **state)
{
	struct toml_value *root = PARSE_OK("path = 'C:\\Users\\nodejs\\templates'\n"
					   "quoted = 'Tom \"Dubs\" Preston-Werner'\n"
					   "regex = '<\\i\\c*\\s*>'\n"
					   "empty = ''\n"
					   "tab = '\ta'\n");
	(void)state;

	ASSERT_STR(root, "path", "C:\\Users\\nodejs\\templates");
	ASSERT_STR(root, "quoted", "Tom \"Dubs\" Preston-Werner");
	ASSERT_STR(root, "regex", "<\\i\\c*\\s*>");
	ASSERT_STR(root, "empty", "");
	ASSERT_STR(root, "tab", "\ta");
	toml_free(root);
}

static void test_multiline_basic_strings(void **state)
{
	struct toml_value *root =
	    PARSE_OK("a = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
		     "b = \"\"\"no first newline\"\"\"\n"
		     "c = \"\"\"\r\nline1\r\nline2\r\n\"\"\"\n"
		     "d = \"\"\"\nThe quick brown \\\n\n\n  fox jumps \\\n"
		     "    over the lazy dog.\"\"\"\n"
		     "e = \"\"\"\\\n       trimmed \\  \t\n  \\\r\n  \"\"\"\n"
		     "f = \"\"\"Here are two quotes: \"\". Simple.\"\"\"\n"
		     "g = \"\"\"\"This,\" she said, \"is just a quote.\"\"\"\"\n"
		     "h = \"\"\"two at end\"\"\"\"\"\n"
		     "i = \"\"\"esc \\t \\u00e9 \\\"\"\" \"\"\"\n"
		     "j = \"\"\"\"\"\"\n"
		     "k = \"\"\"\n\n\"\"\"\n");
	(void)state;

	ASSERT_STR(root, "a", "Roses are red\nViolets are blue");
	ASSERT_STR(root, "b", "no first newline");
	ASSERT_STR(root, "c", "line1\nline2\n");
	ASSERT_STR(root, "d", "The quick brown fox jumps over the lazy dog.");
	ASSERT_STR(root, "e", "trimmed ");
	ASSERT_STR(root, "f", "Here are two quotes: \"\". Simple.");
	ASSERT_STR(root, "g", "\"This,\" she said, \"is just a quote.\"");
	ASSERT_STR(root, "h", "two at end\"\"");
	ASSERT_STR(root, "i", "esc \t \xc3\xa9 \"\"\" ");
	ASSERT_STR(root, "j", "");
	ASSERT_STR(root, "k", "\n");
	ASSERT_POS(GET(root, "d", TOML_STRING)->pos, 9, 5);
	ASSERT_POS(root->u.table.items[4].key_pos, 15, 1);
	toml_free(root);
}

static void test_multiline_literal_strings(void **state)
{
	struct toml_value *root =
	    PARSE_OK("re = '''I [dw]on't need \\d{2} apples'''\n"
		     "lines = '''\nThe first newline is\ntrimmed in raw strings.\n"
		     "   All other whitespace\n   is preserved.\n'''\n"
		     "q = ''''That,' she said, 'is still pointless.''''\n"
		     "crlf = '''a\r\nb'''\n"
		     "bs = '''x \\\ny'''\n");
	(void)state;

	ASSERT_STR(root, "re", "I [dw]on't need \\d{2} apples");
	ASSERT_STR(root, "lines",
		   "The first newline is\ntrimmed in raw strings.\n"
		   "   All other whitespace\n   is preserved.\n");
	ASSERT_STR(root, "q", "'That,' she said, 'is still pointless.'");
	ASSERT_STR(root, "crlf", "a\nb");
	ASSERT_STR(root, "bs", "x \\\ny");
	toml_free(root);
}

static void test_string_errors(void **state)
{
	(void)state;

	EXPECT_ERR("s = \"abc", 1, 5, "unterminated string");
	EXPECT_ERR("s = 'abc", 1, 5, "unterminated string");
	EXPECT_ERR("s = \"abc\\", 1, 5, "unterminated string");
	EXPECT_ERR("a = 1\ns = \"\"\"abc\n\n", 2, 5, "unterminated multi-line string");
	EXPECT_ERR("s = '''abc''", 1, 5, "unterminated multi-line string");
	EXPECT_ERR("s = \"abc\ndef\"", 1, 9, "newline in single-line string");
	EXPECT_ERR("s = 'abc\r\n'", 1, 9, "newline in single-line string");
	EXPECT_ERR("s = \"a\x01\"", 1, 7, "control character U+0001 in string");
	EXPECT_ERR("s = 'a\x7f'", 1, 7, "control character U+007F in string");
	EXPECT_ERR("s = \"\"\"a\x1f\"\"\"", 1, 9, "control character U+001F in string");
	EXPECT_ERR("s = '''a\rb'''", 1, 9, "control character U+000D in string");
	EXPECT_ERR("s = \"a\rb\"", 1, 7, "control character U+000D in string");
	EXPECT_ERR("s = \"ab\\qc\"", 1, 8, "invalid escape sequence '\\q'");
	EXPECT_ERR("s = \"\\ \"", 1, 6, "invalid escape sequence (backslash followed by ' ')");
	EXPECT_ERR("s = \"\\\x01\"", 1, 6,
		   "invalid escape sequence (backslash followed by U+0001)");
	EXPECT_ERR("s = \"\\x41\"", 1, 6, "invalid escape sequence '\\x'");
	EXPECT_ERR("s = \"\"\"a\\ b\"\"\"", 1, 9,
		   "invalid escape sequence (backslash followed by ' ')");
	EXPECT_ERR("s = \"\\u12\"", 1, 6, "invalid escape: \\u needs 4 hex digits");
	EXPECT_ERR("s = \"\\u12G4\"", 1, 6, "invalid escape: \\u needs 4 hex digits");
	EXPECT_ERR("s = \"\\U0001F60\"", 1, 6, "invalid escape: \\U needs 8 hex digits");
	EXPECT_ERR("s = \"\\u0000\"", 1, 6, "invalid escape: U+0000 is not an allowed code point");
	EXPECT_ERR("s = \"\\uD800\"", 1, 6, "invalid escape: U+D800 is not an allowed code point");
	EXPECT_ERR("s = \"x\\uDFFF\"", 1, 7, "invalid escape: U+DFFF is not an allowed code point");
	EXPECT_ERR("s = \"\\U00110000\"", 1, 6,
		   "invalid escape: U+110000 is not an allowed code point");
	EXPECT_ERR("s = \"\\UFFFFFFFF\"", 1, 6,
		   "invalid escape: U+FFFFFFFF is not an allowed code point");
	EXPECT_ERR("s = \"a\" \"b\"", 1, 9, "expected end of line after value");
	EXPECT_ERR("s = \"\"\"a\"\"\"\"\"\"", 1, 14, "expected end of line after value");
}

/* ---- integers ---- */

static void test_integers(void **state)
{
	struct toml_value *root =
	    PARSE_OK("a = 0\n"
		     "b = +99\n"
		     "c = 42\n"
		     "d = -17\n"
		     "e = 1_000\n"
		     "f = 5_349_221\n"
		     "g = 53_49_221\n"
		     "h = 1_2_3_4_5\n"
		     "i = -0\n"
		     "j = +0\n"
		     "hex1 = 0xDEADBEEF\n"
		     "hex2 = 0xdeadbeef\n"
		     "hex3 = 0xdead_beef\n"
		     "hex4 = 0x00ff\n"
		     "oct1 = 0o01234567\n"
		     "oct2 = 0o755\n"
		     "bin1 = 0b11010110\n"
		     "bin2 = 0b0000_0001\n"
		     "max = 9223372036854775807\n"
		     "min = -9223372036854775808\n"
		     "max_hex = 0x7FFF_FFFF_FFFF_FFFF\n"
		     "max_oct = 0o777777777777777777777\n"
		     "max_bin = 0b"
		     "111111111111111111111111111111111111111111111111111111111111111\n"
		     "plus_max = +9_223_372_036_854_775_807\n"
		     "tsc = 2_000_000\n");
	(void)state;

	ASSERT_INT(root, "a", 0);
	ASSERT_INT(root, "b", 99);
	ASSERT_INT(root, "c", 42);
	ASSERT_INT(root, "d", -17);
	ASSERT_INT(root, "e", 1000);
	ASSERT_INT(root, "f", 5349221);
	ASSERT_INT(root, "g", 5349221);
	ASSERT_INT(root, "h", 12345);
	ASSERT_INT(root, "i", 0);
	ASSERT_INT(root, "j", 0);
	ASSERT_INT(root, "hex1", 0xdeadbeef);
	ASSERT_INT(root, "hex2", 0xdeadbeef);
	ASSERT_INT(root, "hex3", 0xdeadbeef);
	ASSERT_INT(root, "hex4", 255);
	ASSERT_INT(root, "oct1", 01234567);
	ASSERT_INT(root, "oct2", 0755);
	ASSERT_INT(root, "bin1", 214);
	ASSERT_INT(root, "bin2", 1);
	ASSERT_INT(root, "max", INT64_MAX);
	ASSERT_INT(root, "min", INT64_MIN);
	ASSERT_INT(root, "max_hex", INT64_MAX);
	ASSERT_INT(root, "max_oct", INT64_MAX);
	ASSERT_INT(root, "max_bin", INT64_MAX);
	ASSERT_INT(root, "plus_max", INT64_MAX);
	ASSERT_INT(root, "tsc", 2000000);
	ASSERT_POS(GET(root, "d", TOML_INTEGER)->pos, 4, 5);
	toml_free(root);
}

static void test_integer_errors(void **state)
{
	(void)state;

	EXPECT_ERR("x = 9223372036854775808", 1, 5, "integer out of range");
	EXPECT_ERR("x = -9223372036854775809", 1, 5, "integer out of range");
	EXPECT_ERR("x = +9223372036854775808", 1, 5, "integer out of range");
	EXPECT_ERR("x = 99999999999999999999999999", 1, 5, "integer out of range");
	EXPECT_ERR("x = 0x8000000000000000", 1, 5, "integer out of range");
	EXPECT_ERR("x = 0xFFFF_FFFF_FFFF_FFFF_F", 1, 5, "integer out of range");
	EXPECT_ERR("x = 0o1000000000000000000000", 1, 5, "integer out of range");
	EXPECT_ERR("x = 0b1"
		   "000000000000000000000000000000000000000000000000000000000000000",
		   1, 5, "integer out of range");
	EXPECT_ERR("x = 01", 1, 5, "leading zeros are not allowed");
	EXPECT_ERR("x = -007", 1, 6, "leading zeros are not allowed");
	EXPECT_ERR("x = 0_1", 1, 5, "leading zeros are not allowed");
	EXPECT_ERR("x = 1__000", 1, 6, "'_' must be between digits");
	EXPECT_ERR("x = 1000_", 1, 9, "'_' must be between digits");
	EXPECT_ERR("x = 1_ ", 1, 6, "'_' must be between digits");
	EXPECT_ERR("x = _1", 1, 5, "invalid value (strings must be quoted)");
	EXPECT_ERR("x = -_1", 1, 6, "'_' must be between digits");
	EXPECT_ERR("x = 0x_1f", 1, 7, "'_' must be between digits");
	EXPECT_ERR("x = +0x10", 1, 5, "prefixed integers cannot have a sign");
	EXPECT_ERR("x = -0b1", 1, 5, "prefixed integers cannot have a sign");
	EXPECT_ERR("x = 0x", 1, 7, "expected a digit, found end of input");
	EXPECT_ERR("x = 0xg", 1, 7, "expected a digit, found 'g'");
	EXPECT_ERR("x = 0o8", 1, 7, "expected a digit, found '8'");
	EXPECT_ERR("x = 0b102", 1, 9, "invalid character '2' in integer");
	EXPECT_ERR("x = 0o17_9", 1, 9, "'_' must be between digits");
	EXPECT_ERR("x = 0X10", 1, 6, "invalid character 'X' in integer");
	EXPECT_ERR("x = 12abc", 1, 7, "invalid character 'a' in integer");
	EXPECT_ERR("x = 1-2", 1, 6, "invalid character '-' in integer");
	EXPECT_ERR("x = -", 1, 6, "expected a digit, found end of input");
	EXPECT_ERR("x = +\n", 1, 6, "expected a digit, found U+000A");
	EXPECT_ERR("x = 1 2", 1, 7, "expected end of line after value");
}

static void test_unsupported_values(void **state)
{
	(void)state;

	EXPECT_ERR("x = 1.5", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = -0.0", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = 1e10", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = 6.626E-34", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = 1_000.5", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("[t]\nx = [1, 2.5]", 2, 9, "floating-point values are not supported");
	EXPECT_ERR("x = inf", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = +inf", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = -inf", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = nan", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = +nan", 1, 5, "floating-point values are not supported");
	EXPECT_ERR("x = 1979-05-27", 1, 5, "dates and times are not supported");
	EXPECT_ERR("x = 1979-05-27T07:32:00Z", 1, 5, "dates and times are not supported");
	EXPECT_ERR("x = 1979-05-27 07:32:00-08:00", 1, 5, "dates and times are not supported");
	EXPECT_ERR("x = 07:32:00", 1, 5, "dates and times are not supported");
	EXPECT_ERR("x = { d = 00:32:00.999 }", 1, 11, "dates and times are not supported");
}

/* ---- booleans and other values ---- */

static void test_booleans(void **state)
{
	struct toml_value *root = PARSE_OK("t = true\nf = false\narr = [true,false]\n");
	(void)state;

	ASSERT_BOOL(root, "t", true);
	ASSERT_BOOL(root, "f", false);
	ASSERT_BOOL(root, "arr/0", true);
	ASSERT_BOOL(root, "arr/1", false);
	ASSERT_POS(GET(root, "f", TOML_BOOLEAN)->pos, 2, 5);
	toml_free(root);

	EXPECT_ERR("t = True", 1, 5, "invalid value (strings must be quoted)");
	EXPECT_ERR("t = truex", 1, 5, "invalid value (strings must be quoted)");
	EXPECT_ERR("t = true_", 1, 5, "invalid value (strings must be quoted)");
	EXPECT_ERR("t = fals", 1, 5, "invalid value (strings must be quoted)");
	EXPECT_ERR("t = true false", 1, 10, "expected end of line after value");
	EXPECT_ERR("t = smoke", 1, 5, "invalid value (strings must be quoted)");
}

/* ---- arrays ---- */

static void test_arrays(void **state)
{
	struct toml_value *root =
	    PARSE_OK("ints = [ 1, 2, 3 ]\n"
		     "empty = []\n"
		     "empty_ws = [ \n # c\n ]\n"
		     "strs = [ \"red\", 'yellow', \"\"\"green\"\"\", '''blue''' ]\n"
		     "nested = [ [ 1, 2 ], [3, 4, 5], [] ]\n"
		     "mixed = [ 1, \"two\", true, [3], { four = 4 } ]\n"
		     "multi = [\n"
		     "  1,   # one\n"
		     "  2,\r\n"
		     "  # just a comment\n"
		     "\n"
		     "  3, # trailing comma follows\n"
		     "]\n"
		     "trailing = [1,2,]\n"
		     "deep = [[[[[\"x\"]]]]]\n"
		     "tables = [ { x = 1, y = 2 }, { x = 7 } ]\n");
	const struct toml_value *v;
	(void)state;

	ASSERT_LEN(root, "ints", TOML_ARRAY, 3);
	ASSERT_INT(root, "ints/0", 1);
	ASSERT_INT(root, "ints/2", 3);
	ASSERT_LEN(root, "empty", TOML_ARRAY, 0);
	ASSERT_LEN(root, "empty_ws", TOML_ARRAY, 0);
	ASSERT_STR(root, "strs/0", "red");
	ASSERT_STR(root, "strs/1", "yellow");
	ASSERT_STR(root, "strs/2", "green");
	ASSERT_STR(root, "strs/3", "blue");
	ASSERT_LEN(root, "nested", TOML_ARRAY, 3);
	ASSERT_LEN(root, "nested/1", TOML_ARRAY, 3);
	ASSERT_INT(root, "nested/1/2", 5);
	ASSERT_LEN(root, "nested/2", TOML_ARRAY, 0);
	ASSERT_INT(root, "mixed/0", 1);
	ASSERT_STR(root, "mixed/1", "two");
	ASSERT_BOOL(root, "mixed/2", true);
	ASSERT_INT(root, "mixed/3/0", 3);
	ASSERT_INT(root, "mixed/4/four", 4);
	ASSERT_LEN(root, "multi", TOML_ARRAY, 3);
	ASSERT_INT(root, "multi/2", 3);
	ASSERT_LEN(root, "trailing", TOML_ARRAY, 2);
	ASSERT_STR(root, "deep/0/0/0/0/0", "x");
	ASSERT_INT(root, "tables/1/x", 7);

	v = GET(root, "multi", TOML_ARRAY);
	ASSERT_POS(v->pos, 9, 9);
	ASSERT_POS(v->u.array.items[0]->pos, 10, 3);
	ASSERT_POS(v->u.array.items[2]->pos, 14, 3);
	ASSERT_POS(GET(root, "nested/1/0", TOML_INTEGER)->pos, 7, 23);
	toml_free(root);
}

static void test_array_errors(void **state)
{
	(void)state;

	EXPECT_ERR("a = [1, 2", 1, 5, "unterminated array");
	EXPECT_ERR("a = [1,\n2,\n# c\n", 1, 5, "unterminated array");
	EXPECT_ERR("a = [", 1, 5, "unterminated array");
	EXPECT_ERR("a = [1 2]", 1, 8, "expected ',' or ']' after array element");
	EXPECT_ERR("a = [1,,2]", 1, 8, "missing value");
	EXPECT_ERR("a = [,]", 1, 6, "missing value");
	EXPECT_ERR("a = [1, 2\nb = 3", 2, 1, "expected ',' or ']' after array element");
	EXPECT_ERR("a = [1, 2}", 1, 10, "expected ',' or ']' after array element");
	EXPECT_ERR("a = [1]]", 1, 8, "expected end of line after value");
	EXPECT_ERR("a = [1, [2, 3]", 1, 5, "unterminated array");
	EXPECT_ERR("a = [1, # c\x01\n]", 1, 12, "control character U+0001 in comment");
	EXPECT_ERR("a = [ x ]", 1, 7, "invalid value (strings must be quoted)");
}

static void test_nesting_limit(void **state)
{
	char buf[256];
	struct toml_value *root;
	size_t n;
	(void)state;

	/* 64 levels are fine, 65 are not */
	n = (size_t)snprintf(buf, sizeof(buf), "a = ");
	memset(buf + n, '[', 64);
	memset(buf + n + 64, ']', 64);
	root = parse_len_ok(buf, n + 128, __LINE__);
	toml_free(root);

	memset(buf + n, '[', 65);
	memset(buf + n + 65, ']', 65);
	check_err(buf, n + 130, 1, 69, "nesting too deep", -EINVAL, __LINE__);

	for (size_t i = 0; i < 65; i++)
		memcpy(buf + n + 3 * i, "{b=", 3);
	check_err(buf, n + 3 * 65, 1, 197, "nesting too deep", -EINVAL, __LINE__);
}

/* ---- inline tables ---- */

static void test_inline_tables(void **state)
{
	struct toml_value *root =
	    PARSE_OK("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
		     "point = {x=1,y=2}\n"
		     "empty = {}\n"
		     "empty_ws = {  }\n"
		     "animal = { type.name = \"pug\", type.size = 1 }\n"
		     "nested = { a = { b = { c = [1, { d = true }] } } }\n"
		     "multiline_value = { arr = [\n 1,\n 2 ], s = \"\"\"x\ny\"\"\" }\n");
	const struct toml_value *v;
	(void)state;

	ASSERT_STR(root, "name/first", "Tom");
	ASSERT_STR(root, "name/last", "Preston-Werner");
	ASSERT_LEN(root, "point", TOML_TABLE, 2);
	ASSERT_INT(root, "point/y", 2);
	ASSERT_LEN(root, "empty", TOML_TABLE, 0);
	ASSERT_LEN(root, "empty_ws", TOML_TABLE, 0);
	ASSERT_LEN(root, "animal", TOML_TABLE, 1);
	ASSERT_STR(root, "animal/type/name", "pug");
	ASSERT_INT(root, "animal/type/size", 1);
	ASSERT_BOOL(root, "nested/a/b/c/1/d", true);
	ASSERT_INT(root, "multiline_value/arr/1", 2);
	ASSERT_STR(root, "multiline_value/s", "x\ny");

	v = GET(root, "name", TOML_TABLE);
	ASSERT_POS(v->pos, 1, 8);
	assert_string_equal(v->u.table.items[1].key, "last");
	ASSERT_POS(v->u.table.items[1].key_pos, 1, 25);
	ASSERT_POS(v->u.table.items[1].value->pos, 1, 32);
	ASSERT_POS(GET(root, "animal/type", TOML_TABLE)->pos, 5, 12);
	toml_free(root);
}

static void test_inline_table_errors(void **state)
{
	(void)state;

	EXPECT_ERR("t = {a = 1,}", 1, 11, "trailing comma not allowed in inline table");
	EXPECT_ERR("t = {a = 1 , }", 1, 12, "trailing comma not allowed in inline table");
	EXPECT_ERR("t = {a = 1\n}", 1, 11, "inline table must be on a single line");
	EXPECT_ERR("t = {\na = 1}", 1, 6, "inline table must be on a single line");
	EXPECT_ERR("t = {a = 1,\nb = 2}", 1, 12, "inline table must be on a single line");
	EXPECT_ERR("t = {a = 1", 1, 5, "unterminated inline table");
	EXPECT_ERR("t = {", 1, 5, "unterminated inline table");
	EXPECT_ERR("t = {a = 1 b = 2}", 1, 12, "expected ',' or '}' in inline table");
	EXPECT_ERR("t = {a = 1; b = 2}", 1, 11, "expected ',' or '}' in inline table");
	EXPECT_ERR("t = {a = 1, a = 2}", 1, 13, "duplicate key 't.a'");
	EXPECT_ERR("t = {a.b = 1, a.b = 2}", 1, 17, "duplicate key 't.a.b'");
	EXPECT_ERR("t = {a = 1, a.b = 2}", 1, 13, "key 't.a' is an integer, not a table");
	EXPECT_ERR("t = {a = {}, a.b = 2}", 1, 14, "inline table 't.a' cannot be extended");
	EXPECT_ERR("t = {a}", 1, 7, "expected '=' after key");
	EXPECT_ERR("t = {a = }", 1, 10, "missing value");
	EXPECT_ERR("t = {, a = 1}", 1, 6, "empty bare key");
	EXPECT_ERR("t = [{a = 1, a = 2}]", 1, 14, "duplicate key 't[0].a'");
	/* inline tables are sealed */
	EXPECT_ERR("t = {a = 1}\nt.b = 2", 2, 1, "inline table 't' cannot be extended");
	EXPECT_ERR("t = {a = 1}\n[t]", 2, 2, "table 't' defined twice");
	EXPECT_ERR("t = {a = {}}\n[t.a]", 2, 2, "inline table 't' cannot be extended");
	EXPECT_ERR("t = {a = {}}\n[t.a.b]", 2, 2, "inline table 't' cannot be extended");
	EXPECT_ERR("[x]\nt = {a.b = 1}\n[x.t.a.c]", 3, 4, "inline table 'x.t' cannot be extended");
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	struct toml_value *root = PARSE_OK("key = 1\n"
					   "bare_key = 2\n"
					   "bare-key = 3\n"
					   "1234 = 4\n"
					   "-_- = 5\n"
					   "\"127.0.0.1\" = 6\n"
					   "\"character encoding\" = 7\n"
					   "\"ʎǝʞ\" = 8\n"
					   "'key2' = 9\n"
					   "'quoted \"value\"' = 10\n"
					   "\"\" = 11\n"
					   "\"esc\\tkey\\u00e9\" = 12\n"
					   "TRUE = 13\n"
					   "true = 14\n"
					   "inf = 15\n"
					   "0x10 = 16\n");
	const struct toml_value *v;
	(void)state;

	ASSERT_INT(root, "key", 1);
	ASSERT_INT(root, "bare_key", 2);
	ASSERT_INT(root, "bare-key", 3);
	ASSERT_INT(root, "1234", 4);
	ASSERT_INT(root, "-_-", 5);
	v = toml_table_get(root, "127.0.0.1");
	assert_non_null(v);
	assert_int_equal(v->u.integer, 6);
	ASSERT_INT(root, "character encoding", 7);
	ASSERT_INT(root, "\xca\x8e\xc7\x9d\xca\x9e", 8);
	ASSERT_INT(root, "key2", 9);
	ASSERT_INT(root, "quoted \"value\"", 10);
	v = toml_table_get(root, "");
	assert_non_null(v);
	assert_int_equal(v->u.integer, 11);
	ASSERT_INT(root, "esc\tkey\xc3\xa9", 12);
	ASSERT_INT(root, "TRUE", 13);
	ASSERT_INT(root, "true", 14);
	ASSERT_INT(root, "inf", 15);
	ASSERT_INT(root, "0x10", 16);
	assert_int_equal(root->u.table.len, 16);
	/* insertion order is kept */
	assert_string_equal(root->u.table.items[0].key, "key");
	assert_string_equal(root->u.table.items[5].key, "127.0.0.1");
	assert_string_equal(root->u.table.items[15].key, "0x10");
	ASSERT_POS(root->u.table.items[5].key_pos, 6, 1);
	toml_free(root);
}

static void test_dotted_keys(void **state)
{
	struct toml_value *root = PARSE_OK("name = \"Orange\"\n"
					   "physical.color = \"orange\"\n"
					   "physical.shape = \"round\"\n"
					   "site.\"google.com\" = true\n"
					   "fruit . flavor\t.  sweet = 1\n"
					   "fruit.'kind' = \"citrus\"\n"
					   "a.b.c.d = 4\n"
					   "3.14159 = \"pi\"\n");
	const struct toml_value *v;
	(void)state;

	ASSERT_STR(root, "name", "Orange");
	ASSERT_LEN(root, "physical", TOML_TABLE, 2);
	ASSERT_STR(root, "physical/color", "orange");
	ASSERT_STR(root, "physical/shape", "round");
	ASSERT_BOOL(root, "site/google.com", true);
	ASSERT_INT(root, "fruit/flavor/sweet", 1);
	ASSERT_STR(root, "fruit/kind", "citrus");
	ASSERT_INT(root, "a/b/c/d", 4);
	ASSERT_STR(root, "3/14159", "pi");
	assert_int_equal(root->u.table.len, 6);

	/* implicitly created tables are positioned at the key that created them */
	ASSERT_POS(GET(root, "physical", TOML_TABLE)->pos, 2, 1);
	v = GET(root, "fruit/flavor", TOML_TABLE);
	ASSERT_POS(v->pos, 5, 9);
	ASSERT_POS(v->u.table.items[0].key_pos, 5, 19);
	ASSERT_POS(v->u.table.items[0].value->pos, 5, 27);
	v = GET(root, "fruit", TOML_TABLE);
	ASSERT_POS(v->u.table.items[1].key_pos, 6, 7);
	ASSERT_POS(GET(root, "a/b/c", TOML_TABLE)->pos, 7, 5);
	toml_free(root);

	/* dotted keys in a section; [header] may add sub-tables to them */
	root = PARSE_OK("[fruit]\n"
			"apple.color = \"red\"\n"
			"apple.taste.sweet = true\n"
			"[fruit.apple.texture]\n"
			"smooth = true\n");
	ASSERT_STR(root, "fruit/apple/color", "red");
	ASSERT_BOOL(root, "fruit/apple/taste/sweet", true);
	ASSERT_BOOL(root, "fruit/apple/texture/smooth", true);
	ASSERT_POS(GET(root, "fruit/apple/texture", TOML_TABLE)->pos, 4, 1);
	toml_free(root);

	/* dotted keys may extend a table only implicitly created by a header */
	root = PARSE_OK("[a.b.c]\nz = 1\n[a]\nb.d = 2\n");
	ASSERT_INT(root, "a/b/c/z", 1);
	ASSERT_INT(root, "a/b/d", 2);
	toml_free(root);
}

static void test_key_errors(void **state)
{
	(void)state;

	EXPECT_ERR("= 1", 1, 1, "empty bare key");
	EXPECT_ERR("  = 1", 1, 3, "empty bare key");
	EXPECT_ERR("a. = 1", 1, 4, "empty bare key");
	EXPECT_ERR("a..b = 1", 1, 3, "empty bare key");
	EXPECT_ERR(".a = 1", 1, 1, "empty bare key");
	EXPECT_ERR("a.\n", 1, 3, "empty bare key");
	EXPECT_ERR("a$ = 1", 1, 2, "invalid character '$' in key");
	EXPECT_ERR("$a = 1", 1, 1, "invalid character '$' in key");
	EXPECT_ERR("a.b! = 1", 1, 4, "invalid character '!' in key");
	EXPECT_ERR("k\xc3\xa9y = 1", 1, 2, "invalid character U+00E9 in key");
	EXPECT_ERR("\xc3\xa9 = 1", 1, 1, "invalid character U+00E9 in key");
	EXPECT_ERR("\"a\"b = 1", 1, 4, "invalid character 'b' in key");
	check_err("a\x00 = 1", 6, 1, 2, "invalid character U+0000 in key", -EINVAL, __LINE__);
	EXPECT_ERR("a\r = 1", 1, 2, "invalid character U+000D in key");
	EXPECT_ERR("a = 1\nb", 2, 2, "expected '=' after key");
	EXPECT_ERR("a = 1\nb\n", 2, 2, "expected '=' after key");
	EXPECT_ERR("b # c\n", 1, 3, "expected '=' after key");
	EXPECT_ERR("a b = 1", 1, 3, "expected '=' after key");
	EXPECT_ERR("a : 1", 1, 3, "expected '=' after key");
	EXPECT_ERR("a\n= 1", 1, 2, "expected '=' after key");
	EXPECT_ERR("\"\"\"a\"\"\" = 1", 1, 1, "multi-line strings cannot be used as keys");
	EXPECT_ERR("'''a''' = 1", 1, 1, "multi-line strings cannot be used as keys");
	EXPECT_ERR("\"a\nb\" = 1", 1, 3, "newline in single-line string");
	EXPECT_ERR("\"a = 1", 1, 1, "unterminated string");
	EXPECT_ERR("a =", 1, 4, "missing value");
	EXPECT_ERR("a =   \n", 1, 7, "missing value");
	EXPECT_ERR("a = # comment\n", 1, 5, "missing value");
	EXPECT_ERR("a = 1\r\nb =\r\n", 2, 4, "missing value");
	EXPECT_ERR("a = 1 x", 1, 7, "expected end of line after value");
	EXPECT_ERR("a = \"x\"y", 1, 8, "expected end of line after value");
	EXPECT_ERR("a = 1 b = 2", 1, 7, "expected end of line after value");
	EXPECT_ERR("a = 1\r", 1, 6, "expected end of line after value");
}

static void test_duplicate_keys(void **state)
{
	(void)state;

	EXPECT_ERR("x = 1\nx = 2", 2, 1, "duplicate key 'x'");
	EXPECT_ERR("x = 1\n\"x\" = 2", 2, 1, "duplicate key 'x'");
	EXPECT_ERR("x = 1\n'x' = 2", 2, 1, "duplicate key 'x'");
	EXPECT_ERR("\"a b\" = 1\n'a b' = 2", 2, 1, "duplicate key '\"a b\"'");
	EXPECT_ERR("[server]\nport = 1\n  port = 2", 3, 3, "duplicate key 'server.port'");
	EXPECT_ERR("[a.b]\nc.d = 1\nc . d = 2", 3, 5, "duplicate key 'a.b.c.d'");
	EXPECT_ERR("a = 1\na.b = 2", 2, 1, "key 'a' is an integer, not a table");
	EXPECT_ERR("a = \"s\"\na.b = 2", 2, 1, "key 'a' is a string, not a table");
	EXPECT_ERR("a = [1]\na.b = 2", 2, 1, "key 'a' is an array, not a table");
	EXPECT_ERR("a = false\na.b.c = 2", 2, 1, "key 'a' is a boolean, not a table");
	EXPECT_ERR("a.b = 1\na.b.c = 2", 2, 3, "key 'a.b' is an integer, not a table");
	EXPECT_ERR("a.b = 1\na = 2", 2, 1, "duplicate key 'a'");
	EXPECT_ERR("a.b = 1\na.b = 2", 2, 3, "duplicate key 'a.b'");
	EXPECT_ERR("[a]\nb = 1\n[a.b]", 3, 4, "key 'a.b' is an integer, not a table");
	EXPECT_ERR("[a]\nb = 1\n[a.b.c]", 3, 4, "key 'a.b' is an integer, not a table");
	EXPECT_ERR("[[a]]\n[a]\n", 2, 2, "table 'a' is already an array of tables");
	EXPECT_ERR("[a.b.c]\nz = 1\n[a]\nb.c.t = 2", 4, 3, "table 'a.b.c' defined twice");
	EXPECT_ERR("[a.b.c]\n[a]\nb.c = 2", 3, 3, "duplicate key 'a.b.c'");
	EXPECT_ERR("[[a.b]]\n[a]\nb.y = 2", 3, 1, "key 'a.b' is an array, not a table");
	EXPECT_ERR("[\"a.b\"]\nc = 1\nc = 2", 3, 1, "duplicate key '\"a.b\".c'");
	/* quoted segments are escaped in messages */
	EXPECT_ERR("\"a\\nb\\\"\\\\\" = 1\n\"a\\u000Ab\\u0022\\u005C\" = 2", 2, 1,
		   "duplicate key '\"a\\u000Ab\\\"\\\\\"'");
}

static void test_long_key_path(void **state)
{
	char doc[1200], *d = doc;
	struct toml_error err;
	struct toml_value *root;
	size_t n;
	(void)state;

	/* [é.é.é...] then a duplicate key: the message is cut, but stays valid UTF-8 */
	d += sprintf(d, "[");
	for (int i = 0; i < 60; i++)
		d += sprintf(d, "%s\"\xc3\xa9%d\"", i ? "." : "", i);
	d += sprintf(d, "]\nk = 1\nk = 2\n");
	assert_int_equal(toml_parse(doc, strlen(doc), &root, &err), -EINVAL);
	assert_null(root);
	ASSERT_POS(err.pos, 3, 1);
	n = strlen(err.msg);
	assert_true(n > 150 && n < sizeof(err.msg));
	assert_memory_equal(err.msg,
			    "duplicate key '\"\xc3\xa9"
			    "0\".\"\xc3\xa9"
			    "1\".",
			    26);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)err.msg[i];

		if (c == 0xc3) {
			assert_true(i + 1 < n);
			assert_int_equal((unsigned char)err.msg[i + 1], 0xa9);
		}
	}
	assert_false((unsigned char)err.msg[n - 1] == 0xc3);

	/* too many key parts */
	d = doc;
	for (int i = 0; i < 65; i++)
		d += sprintf(d, "%sk", i ? "." : "");
	d += sprintf(d, " = 1");
	check_err(doc, strlen(doc), 1, 129, "key has too many parts", -EINVAL, __LINE__);
	doc[128] = '\0';
	d = doc + 127;
	strcpy(d, " = 1");
	root = PARSE_OK(doc);
	toml_free(root);
}

/* ---- tables ---- */

static void test_tables(void **state)
{
	struct toml_value *root = PARSE_OK("top = 0\n"
					   "[table-1]\n"
					   "key1 = \"some string\"\n"
					   "key2 = 123\n"
					   "\n"
					   "[table-2]\n"
					   "key1 = \"another string\"\n"
					   "key2 = 456\n"
					   "[ dog . \"tater.man\" ]  # comment\n"
					   "type.name = \"pug\"\n"
					   "[x.y.z.w] # implicit x, x.y, x.y.z\n"
					   "[x]\n"
					   "k = 1\n"
					   "[empty]\n"
					   "\t[ j . \"ʞ\" . 'l' ]\n"
					   "m = 2\n"
					   "[x.y.other]\n");
	const struct toml_value *v;
	(void)state;

	ASSERT_INT(root, "top", 0);
	ASSERT_STR(root, "table-1/key1", "some string");
	ASSERT_INT(root, "table-1/key2", 123);
	ASSERT_STR(root, "table-2/key1", "another string");
	ASSERT_INT(root, "table-2/key2", 456);
	ASSERT_STR(root, "dog/tater.man/type/name", "pug");
	ASSERT_LEN(root, "x/y/z/w", TOML_TABLE, 0);
	ASSERT_INT(root, "x/k", 1);
	ASSERT_LEN(root, "empty", TOML_TABLE, 0);
	ASSERT_INT(root, "j/\xca\x9e/l/m", 2);
	ASSERT_LEN(root, "x/y", TOML_TABLE, 2);

	assert_int_equal(root->u.table.len, 7);
	assert_string_equal(root->u.table.items[0].key, "top");
	assert_string_equal(root->u.table.items[1].key, "table-1");
	assert_string_equal(root->u.table.items[4].key, "x");
	assert_string_equal(root->u.table.items[6].key, "j");

	/* a [table]'s position is its header; the key position is its segment */
	ASSERT_POS(GET(root, "table-2", TOML_TABLE)->pos, 6, 1);
	ASSERT_POS(root->u.table.items[2].key_pos, 6, 2);
	ASSERT_POS(GET(root, "dog/tater.man", TOML_TABLE)->pos, 9, 1);
	ASSERT_POS(GET(root, "dog", TOML_TABLE)->pos, 9, 3);
	v = GET(root, "dog", TOML_TABLE);
	ASSERT_POS(v->u.table.items[0].key_pos, 9, 9);
	/* x was implicitly created by [x.y.z.w] and then defined by [x] */
	ASSERT_POS(GET(root, "x", TOML_TABLE)->pos, 12, 1);
	ASSERT_POS(root->u.table.items[4].key_pos, 11, 2);
	ASSERT_POS(GET(root, "x/y", TOML_TABLE)->pos, 11, 4);
	ASSERT_POS(GET(root, "j", TOML_TABLE)->pos, 15, 4);
	ASSERT_POS(GET(root, "j/\xca\x9e/l", TOML_TABLE)->pos, 15, 2);
	toml_free(root);
}

static void test_table_errors(void **state)
{
	(void)state;

	EXPECT_ERR("[a]\n[a]", 2, 2, "table 'a' defined twice");
	EXPECT_ERR("[a.b]\nx = 1\n[a . b]", 3, 6, "table 'a.b' defined twice");
	EXPECT_ERR("[a]\n[a.b]\n[a]", 3, 2, "table 'a' defined twice");
	EXPECT_ERR("[a]\n[\"a\"]", 2, 2, "table 'a' defined twice");
	EXPECT_ERR("a = {}\n[a]", 2, 2, "table 'a' defined twice");
	EXPECT_ERR("a.b = 1\n[a]", 2, 2, "table 'a' defined twice");
	EXPECT_ERR("[fruit]\napple.color = \"red\"\n[fruit.apple]", 3, 8,
		   "table 'fruit.apple' defined twice");
	EXPECT_ERR("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]", 3, 14,
		   "table 'fruit.apple.taste' defined twice");
	EXPECT_ERR("a = 1\n[a]", 2, 2, "key 'a' is an integer, not a table");
	EXPECT_ERR("a = [1]\n[a]", 2, 2, "key 'a' is an array, not a table");
	EXPECT_ERR("a = 1\n[a.b]", 2, 2, "key 'a' is an integer, not a table");
	EXPECT_ERR("a = []\n[a.b]", 2, 2, "key 'a' is an array, not a table");
	EXPECT_ERR("[a", 1, 1, "unterminated table header");
	EXPECT_ERR("[a\nb = 1", 1, 1, "unterminated table header");
	EXPECT_ERR("[a.b  \r\n", 1, 1, "unterminated table header");
	EXPECT_ERR("[[a]", 1, 1, "unterminated array-of-tables header");
	EXPECT_ERR("[[a\n", 1, 1, "unterminated array-of-tables header");
	EXPECT_ERR("[[a] ]", 1, 5, "expected ']]' after array-of-tables name");
	EXPECT_ERR("[[a]x", 1, 5, "expected ']]' after array-of-tables name");
	EXPECT_ERR("[a b]", 1, 4, "expected ']' after table name");
	EXPECT_ERR("[a = 1]", 1, 4, "expected ']' after table name");
	EXPECT_ERR("[]", 1, 2, "empty bare key");
	EXPECT_ERR("[ ]", 1, 3, "empty bare key");
	EXPECT_ERR("[a.]", 1, 4, "empty bare key");
	EXPECT_ERR("[.a]", 1, 2, "empty bare key");
	EXPECT_ERR("[naughty..naughty]", 1, 10, "empty bare key");
	EXPECT_ERR("[[]]", 1, 3, "empty bare key");
	EXPECT_ERR("[ [a]]", 1, 3, "invalid character '[' in key");
	EXPECT_ERR("[a!]", 1, 3, "invalid character '!' in key");
	EXPECT_ERR("[a] b = 1", 1, 5, "expected end of line after table header");
	EXPECT_ERR("[a]]", 1, 4, "expected end of line after table header");
	EXPECT_ERR("[[a]]]", 1, 6, "expected end of line after table header");
	EXPECT_ERR("[a] # ok\x7f", 1, 9, "control character U+007F in comment");
	EXPECT_ERR("['''a''']", 1, 2, "multi-line strings cannot be used as keys");
}

static void test_array_of_tables(void **state)
{
	struct toml_value *root = PARSE_OK("[[products]]\n"
					   "name = \"Hammer\"\n"
					   "sku = 738594937\n"
					   "\n"
					   "[[products]]  # empty table within the array\n"
					   "\n"
					   "[[ products ]]\n"
					   "name = \"Nail\"\n"
					   "color = \"gray\"\n");
	const struct toml_value *v;
	(void)state;

	v = GET(root, "products", TOML_ARRAY);
	assert_int_equal(v->u.array.len, 3);
	ASSERT_POS(v->pos, 1, 1);
	ASSERT_POS(v->u.array.items[0]->pos, 1, 1);
	ASSERT_POS(v->u.array.items[1]->pos, 5, 1);
	ASSERT_POS(v->u.array.items[2]->pos, 7, 1);
	ASSERT_POS(root->u.table.items[0].key_pos, 1, 3);
	ASSERT_STR(root, "products/0/name", "Hammer");
	ASSERT_INT(root, "products/0/sku", 738594937);
	ASSERT_LEN(root, "products/1", TOML_TABLE, 0);
	ASSERT_STR(root, "products/2/name", "Nail");
	ASSERT_STR(root, "products/2/color", "gray");
	toml_free(root);

	root = PARSE_OK("[[fruits]]\n"
			"name = \"apple\"\n"
			"[fruits.physical]  # subtable\n"
			"color = \"red\"\n"
			"shape = \"round\"\n"
			"[[fruits.varieties]]  # nested array of tables\n"
			"name = \"red delicious\"\n"
			"[[fruits.varieties]]\n"
			"name = \"granny smith\"\n"
			"\n"
			"[[fruits]]\n"
			"name = \"banana\"\n"
			"[fruits.physical]  # same name, new element\n"
			"color = \"yellow\"\n"
			"[[fruits.varieties]]\n"
			"name = \"plantain\"\n"
			"[fruits.varieties.info]\n"
			"origin.country = \"?\"\n");
	ASSERT_LEN(root, "fruits", TOML_ARRAY, 2);
	ASSERT_STR(root, "fruits/0/name", "apple");
	ASSERT_STR(root, "fruits/0/physical/color", "red");
	ASSERT_STR(root, "fruits/0/physical/shape", "round");
	ASSERT_LEN(root, "fruits/0/varieties", TOML_ARRAY, 2);
	ASSERT_STR(root, "fruits/0/varieties/0/name", "red delicious");
	ASSERT_STR(root, "fruits/0/varieties/1/name", "granny smith");
	ASSERT_STR(root, "fruits/1/name", "banana");
	ASSERT_STR(root, "fruits/1/physical/color", "yellow");
	ASSERT_LEN(root, "fruits/1/varieties", TOML_ARRAY, 1);
	ASSERT_STR(root, "fruits/1/varieties/0/name", "plantain");
	ASSERT_STR(root, "fruits/1/varieties/0/info/origin/country", "?");
	ASSERT_POS(GET(root, "fruits/1/physical", TOML_TABLE)->pos, 13, 1);
	ASSERT_POS(GET(root, "fruits/0/varieties", TOML_ARRAY)->pos, 6, 1);
	toml_free(root);

	/* [[a.b]] implicitly creates a, which may then be defined once */
	root = PARSE_OK("[[a.b]]\nx = 1\n[a]\ny = 2\n[[a.b]]\nx = 3\n");
	ASSERT_INT(root, "a/b/0/x", 1);
	ASSERT_INT(root, "a/b/1/x", 3);
	ASSERT_INT(root, "a/y", 2);
	ASSERT_POS(GET(root, "a", TOML_TABLE)->pos, 3, 1);
	toml_free(root);
}

static void test_array_of_tables_errors(void **state)
{
	(void)state;

	EXPECT_ERR("fruits = []\n[[fruits]]", 2, 3,
		   "cannot append to statically defined array 'fruits'");
	EXPECT_ERR("a = [{b = 1}]\n[[a]]", 2, 3, "cannot append to statically defined array 'a'");
	EXPECT_ERR("a = [{b = 1}]\n[a.b]", 2, 2, "key 'a' is an array, not a table");
	EXPECT_ERR("[a]\n[[a]]", 2, 3, "key 'a' is a table, not an array of tables");
	EXPECT_ERR("a = 1\n[[a]]", 2, 3, "key 'a' is an integer, not an array of tables");
	EXPECT_ERR("a.b = 1\n[[a]]", 2, 3, "key 'a' is a table, not an array of tables");
	EXPECT_ERR("[[a]]\n[a]", 2, 2, "table 'a' is already an array of tables");
	EXPECT_ERR("[[a]]\nb = 1\n[a.b]", 3, 4, "key 'a.b' is an integer, not a table");
	EXPECT_ERR("[[a]]\n[a.b]\n[a.b]", 3, 4, "table 'a.b' defined twice");
	EXPECT_ERR("[[a]]\n[[a.b]]\n[a.b]", 3, 4, "table 'a.b' is already an array of tables");
	EXPECT_ERR("[[a]]\nx = 1\nx = 2", 3, 1, "duplicate key 'a.x'");
	EXPECT_ERR("[[a]]\n[[a]]\nx = 1\nx = 2", 4, 1, "duplicate key 'a.x'");
	EXPECT_ERR("[[a.b]]\n[a]\n[a]", 3, 2, "table 'a' defined twice");
}

/* ---- UTF-8 ---- */

static void test_utf8(void **state)
{
	struct toml_value *root;
	(void)state;

	root = PARSE_OK("# комментарий ✓ 😀\ns = \"日本語\" # 😀\n");
	ASSERT_STR(root, "s", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	toml_free(root);

	/* the whole input is validated, including comments */
	EXPECT_ERR("a = 1\n# \xff\n", 2, 3, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"a\x80\"", 1, 7, "invalid UTF-8 sequence");
	EXPECT_ERR("s = 'ab\xc3'", 1, 8, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xc3\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xc0\xaf\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xe0\x80\xaf\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xed\xa0\x80\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xf4\x90\x80\x80\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = \"\xf8\x88\x80\x80\x80\"", 1, 6, "invalid UTF-8 sequence");
	EXPECT_ERR("s = 1 # \xe2\x82", 1, 9, "invalid UTF-8 sequence");
	EXPECT_ERR("x = 1 # \x01", 1, 9, "control character U+0001 in comment");
	EXPECT_ERR("# a\rb", 1, 4, "control character U+000D in comment");
	/* a byte order mark is skipped, and not counted... except as bytes */
	root = PARSE_OK("\xef\xbb\xbfk = 1");
	ASSERT_INT(root, "k", 1);
	ASSERT_POS(root->u.table.items[0].key_pos, 1, 4);
	toml_free(root);
}

/* ---- public helpers ---- */

static void test_helpers(void **state)
{
	struct toml_value *root = PARSE_OK("a = 1\n[t]\nb = 2\n");
	const struct toml_value *a;
	(void)state;

	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_INTEGER), "integer");
	assert_string_equal(toml_type_name(TOML_BOOLEAN), "boolean");
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
	assert_string_equal(toml_type_name(TOML_TABLE), "table");

	a = toml_table_get(root, "a");
	assert_non_null(a);
	assert_null(toml_table_get(a, "x"));
	assert_null(toml_table_get(NULL, "a"));
	assert_null(toml_table_get(root, NULL));
	assert_null(toml_table_get(root, "b"));
	assert_null(toml_table_get(root, "t.b"));
	assert_non_null(toml_table_get(toml_table_get(root, "t"), "b"));
	toml_free(root);
}

static void test_error_struct_reset(void **state)
{
	struct toml_value *root;
	struct toml_error err;
	(void)state;

	/* a failed parse sets *root to NULL, a good one clears the error */
	assert_int_equal(toml_parse("x = ", 4, &root, &err), -EINVAL);
	assert_null(root);
	assert_int_equal(toml_parse("x = 1", 5, &root, &err), 0);
	assert_int_equal(err.pos.line, 0);
	assert_string_equal(err.msg, "");
	toml_free(root);
	/* err may be NULL */
	assert_int_equal(toml_parse("x", 1, &root, NULL), -EINVAL);
	assert_null(root);
}

/* ---- the sample config ---- */

static const char sample[] = "# sevm example\n"
			     "[vm]\n"
			     "name = \"smoke\"\n"
			     "vcpus = 2\n"
			     "memory = \"256M\"\n"
			     "console = \"stdio\"\n"
			     "\n"
			     "[cpu]\n"
			     "model = \"host\"\n"
			     "tsc_khz = 2_000_000\n"
			     "\n"
			     "[boot]\n"
			     "kernel = \"../build/tests/guest/testguest.bzImage\"\n"
			     "cmdline = \"console=ttyS0 mem=64M\"\n";

static void test_sample_config(void **state)
{
	static const char *const sections[] = {"vm", "cpu", "boot"};
	static const size_t nkeys[] = {4, 2, 2};
	struct toml_value *root = PARSE_OK(sample);
	const struct toml_value *vm, *v;
	(void)state;

	assert_int_equal(root->u.table.len, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct toml_kv *kv = &root->u.table.items[i];

		assert_string_equal(kv->key, sections[i]);
		assert_int_equal(kv->value->type, TOML_TABLE);
		assert_int_equal(kv->value->u.table.len, nkeys[i]);
		for (size_t j = 0; j < kv->value->u.table.len; j++) {
			const struct toml_kv *e = &kv->value->u.table.items[j];

			assert_non_null(e->key);
			assert_true(e->value->type == TOML_STRING ||
				    e->value->type == TOML_INTEGER);
			assert_int_equal(e->key_pos.col, 1);
		}
	}

	vm = toml_table_get(root, "vm");
	ASSERT_POS(vm->pos, 2, 1);
	ASSERT_POS(root->u.table.items[0].key_pos, 2, 2);
	assert_string_equal(vm->u.table.items[0].key, "name");
	assert_string_equal(vm->u.table.items[3].key, "console");
	ASSERT_STR(root, "vm/name", "smoke");
	ASSERT_INT(root, "vm/vcpus", 2);
	ASSERT_STR(root, "vm/memory", "256M");
	ASSERT_STR(root, "vm/console", "stdio");
	ASSERT_STR(root, "cpu/model", "host");
	ASSERT_INT(root, "cpu/tsc_khz", 2000000);
	ASSERT_STR(root, "boot/kernel", "../build/tests/guest/testguest.bzImage");
	ASSERT_STR(root, "boot/cmdline", "console=ttyS0 mem=64M");

	v = toml_table_get(vm, "vcpus");
	ASSERT_POS(v->pos, 4, 9);
	ASSERT_POS(vm->u.table.items[1].key_pos, 4, 1);
	ASSERT_POS(GET(root, "cpu/tsc_khz", TOML_INTEGER)->pos, 10, 11);
	ASSERT_POS(GET(root, "boot", TOML_TABLE)->pos, 12, 1);
	ASSERT_POS(GET(root, "boot/cmdline", TOML_STRING)->pos, 14, 11);
	assert_null(toml_table_get(root, "net"));
	toml_free(root);
}

static void test_sample_config_errors(void **state)
{
	(void)state;

	EXPECT_ERR("[vm]\nname = \"smoke\"\nvcpus = 2\nvcpus = 4\n", 4, 1,
		   "duplicate key 'vm.vcpus'");
	EXPECT_ERR("[vm]\nname = smoke\n", 2, 8, "invalid value (strings must be quoted)");
	EXPECT_ERR("[vm]\nmemory = 256M\n", 2, 13, "invalid character 'M' in integer");
	EXPECT_ERR("[cpu]\ntsc_khz = 2_000_000.5\n", 2, 11,
		   "floating-point values are not supported");
	EXPECT_ERR("[vm]\n[cpu]\n[vm]\n", 3, 2, "table 'vm' defined twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_comments_and_line_endings),
	    cmocka_unit_test(test_not_nul_terminated),
	    cmocka_unit_test(test_basic_strings),
	    cmocka_unit_test(test_literal_strings),
	    cmocka_unit_test(test_multiline_basic_strings),
	    cmocka_unit_test(test_multiline_literal_strings),
	    cmocka_unit_test(test_string_errors),
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_integer_errors),
	    cmocka_unit_test(test_unsupported_values),
	    cmocka_unit_test(test_booleans),
	    cmocka_unit_test(test_arrays),
	    cmocka_unit_test(test_array_errors),
	    cmocka_unit_test(test_nesting_limit),
	    cmocka_unit_test(test_inline_tables),
	    cmocka_unit_test(test_inline_table_errors),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_dotted_keys),
	    cmocka_unit_test(test_key_errors),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_long_key_path),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_table_errors),
	    cmocka_unit_test(test_array_of_tables),
	    cmocka_unit_test(test_array_of_tables_errors),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_error_struct_reset),
	    cmocka_unit_test(test_sample_config),
	    cmocka_unit_test(test_sample_config_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
