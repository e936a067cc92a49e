#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "sweep.h"
#include "testutil.h"

/* Writes text to a temporary sweep file and loads it. */
static sy_sweep *load_text(const char *text, sy_err *err)
{
	char path[] = "/tmp/check_batch.XXXXXX";
	int fd = mkstemp(path);
	sy_sweep *sw;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	sw = sy_sweep_load(path, err);
	unlink(path);
	return sw;
}

/* Lists, ranges, zipped lists and single values; the last axis varies
 * fastest. */
START_TEST(grid)
{
	sy_err err;
	sy_sweep *sw = load_text(
		"script = \"x.lua\";\n"
		"replications = 3;\n"
		"grid: {\n"
		"  a = [1, 2];\n"
		"  b = { from = 0.1; to = 0.3; step = 0.1; };\n"
		"  z: { c = [\"p\", \"q\"]; d = [true, false]; };\n"
		"  e = 2.5;\n"
		"};\n", &err);
	const char *v[5];

	ck_assert_msg(sw != NULL, "%s", err.msg);
	ck_assert_uint_eq(sw->npoints, 2 * 3 * 2);
	ck_assert_uint_eq(sw->replications, 3);
	ck_assert_uint_eq(sw->nnames, 5);
	ck_assert_str_eq(sw->names[2], "c");
	ck_assert_str_eq(sw->names[3], "d");
	sy_sweep_point(sw, 0, v);
	ck_assert_str_eq(v[0], "1");
	ck_assert_str_eq(v[1], "0.1");
	ck_assert_str_eq(v[2], "p");
	ck_assert_str_eq(v[3], "true");
	ck_assert_str_eq(v[4], "2.5");
	sy_sweep_point(sw, 1, v);
	ck_assert_str_eq(v[2], "q");
	ck_assert_str_eq(v[3], "false");
	ck_assert_str_eq(v[1], "0.1");
	sy_sweep_point(sw, 5, v);
	ck_assert_str_eq(v[0], "1");
	ck_assert_str_eq(v[1], "0.3");
	ck_assert_str_eq(v[2], "q");
	sy_sweep_point(sw, 6, v);
	ck_assert_str_eq(v[0], "2");
	ck_assert_str_eq(v[1], "0.1");
	ck_assert_str_eq(v[2], "p");
	ck_assert_str_eq(sw->script, "/tmp/x.lua");
	sy_sweep_free(sw);
}
END_TEST

START_TEST(bad_sweeps)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "script = \"x.lua\";\ngrid: { a = [1, 2;\n};\n", ":2: syntax error" },
		{ "script = \"x.lua\";\ngrid: { a = []; };\n", ":2: the grid is empty" },
		{ "script = \"x.lua\";\ngrid: { };\n", "the grid is empty" },
		{ "grid: { a = 1; };\n", "no script" },
		{ "script = \"x.lua\";\ngrid: { a = 1;\n z: { a = [2]; }; };\n", ":3: parameter 'a' is already in the grid (line 2)" },
		{ "script = \"x.lua\";\ngrid: { a = 1; };\nfoo = 3;\n", ":3: unknown setting 'foo'" },
		{ "script = \"x.lua\";\ngrid: { z: { a = [1, 2]; b = [1]; }; };\n", "differ in length" },
		{ "script = \"x.lua\";\ngrid: { r = { from = 1; to = 2; step = 0; }; };\n", "positive step" },
		{ "script = \"x.lua\";\ngrid: { r = { from = 3; to = 2; }; };\n", "the grid is empty" },
		{ "script = \"x.lua\";\nreplications = 0;\ngrid: { a = 1; };\n", "'replications' must be an integer of at least 1" },
		{ "script = \"x.lua\";\ntimeout = -1;\ngrid: { a = 1; };\n", "'timeout' must be" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sy_err err;
		sy_sweep *sw = load_text(cases[i].text, &err);

		ck_assert_msg(sw == NULL, "case %zu accepted", i);
		ck_assert_msg(strstr(err.msg, cases[i].msg), "case %zu: '%s' lacks '%s'", i,
			      err.msg, cases[i].msg);
	}
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Seeds: a function of (base, point, rep) only, all distinct over a grid,
 * and valid Lua integers (below 2^63). */
START_TEST(seeds)
{
	enum { P = 100, R = 20 };
	static uint64_t s[2 * P * R];
	size_t n = 0;

	for (uint64_t base = 1; base <= 2; base++)
		for (uint64_t p = 0; p < P; p++)
			for (uint64_t r = 0; r < R; r++) {
				s[n] = sy_sweep_seed(base, p, r);
				ck_assert_uint_eq(s[n], sy_sweep_seed(base, p, r));
				ck_assert(s[n] < (UINT64_C(1) << 63));
				n++;
			}
	qsort(s, n, sizeof *s, cmp_u64);
	for (size_t i = 1; i < n; i++)
		ck_assert_msg(s[i - 1] != s[i], "two seeds are %llu", (unsigned long long)s[i]);
	/* point and replication are not interchangeable */
	ck_assert_uint_ne(sy_sweep_seed(1, 2, 3), sy_sweep_seed(1, 3, 2));
}
END_TEST

/* Fields with commas, quotes and line breaks survive a round trip. */
START_TEST(csv_round_trip)
{
	static const char *const fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines",
					      "", "cr\r\nlf", "\"", NULL };
	sy_buf b = { 0 };
	sy_csv_rec rec = { 0 };
	size_t pos = 0, line = 1, n = 0;
	int term;
	sy_err err;

	for (int k = 0; k < 2; k++) {
		for (n = 0; fields[n]; n++)
			ck_assert_int_eq(sy_csv_field(&b, fields[n], n == 0), 0);
		sy_csv_end(&b);
	}
	ck_assert(strstr(b.p, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,") == b.p);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(sy_csv_next(b.p, b.len, &pos, &line, &rec, &term, &err), 1);
		ck_assert(term);
		ck_assert_uint_eq(rec.n, n);
		for (size_t i = 0; i < n; i++)
			ck_assert_str_eq(rec.f[i], fields[i]);
	}
	ck_assert_uint_eq(line, 7);
	ck_assert_int_eq(sy_csv_next(b.p, b.len, &pos, &line, &rec, &term, &err), 0);
	sy_csv_rec_free(&rec);
	sy_buf_free(&b);
}
END_TEST

START_TEST(csv_reader_edges)
{
	const char *crlf = "a,b\r\n1,\"x\"\r\n2,3";
	sy_csv_rec rec = { 0 };
	size_t pos = 0, line = 1;
	int term;
	sy_err err;

	ck_assert_int_eq(sy_csv_next(crlf, strlen(crlf), &pos, &line, &rec, &term, &err), 1);
	ck_assert_str_eq(rec.f[1], "b");
	ck_assert_int_eq(sy_csv_next(crlf, strlen(crlf), &pos, &line, &rec, &term, &err), 1);
	ck_assert_str_eq(rec.f[1], "x");
	/* the last record has no newline: read, but reported as such */
	ck_assert_int_eq(sy_csv_next(crlf, strlen(crlf), &pos, &line, &rec, &term, &err), 1);
	ck_assert(!term);
	ck_assert_str_eq(rec.f[1], "3");
	pos = 0;
	line = 1;
	ck_assert_int_eq(sy_csv_next("\"open,1\n", 8, &pos, &line, &rec, &term, &err), -1);
	ck_assert(strstr(err.msg, "not closed"));
	pos = 0;
	ck_assert_int_eq(sy_csv_next("\"a\"b,1\n", 7, &pos, &line, &rec, &term, &err), -1);
	sy_csv_rec_free(&rec);
}
END_TEST

/* A \x00 escape in a string is refused with its line, wherever libconfig
 * would read it as one: not in comments, not after an escaped backslash. */
START_TEST(nul_escapes)
{
	static const struct {
		const char *text;
		int line; /* 0: accepted */
	} cases[] = {
		{ "script = \"x.lua\";\ngrid: { a = [\"p\\x00q\"]; };\n", 2 },
		{ "script = \"x.lua\";\ngrid: { a = [\"p\\X00\"]; };\n", 2 },
		{ "script = \"x.lua\";\nfilter = \"a\nb\\x00\";\ngrid: { a = 1; };\n", 3 },
		{ "/* a\n\\x00 */ script = \"x\\x00.lua\";\ngrid: { a = 1; };\n", 2 },
		{ "# \"\\x00\"\nscript = \"x.lua\"; // \\x00\ngrid: { a = 1; };\n", 0 },
		{ "/* \"\\x00\" */\nscript = \"x.lua\";\ngrid: { a = [\"\\\\x00\", \"\\x01\"]; };\n", 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sy_err err;
		sy_sweep *sw = load_text(cases[i].text, &err);
		char want[64];

		if (!cases[i].line) {
			ck_assert_msg(sw != NULL, "case %zu: %s", i, err.msg);
			sy_sweep_free(sw);
			continue;
		}
		ck_assert_msg(sw == NULL, "case %zu accepted", i);
		snprintf(want, sizeof want, ":%d: a string holds \\x00", cases[i].line);
		ck_assert_msg(strstr(err.msg, want), "case %zu: %s", i, err.msg);
	}
}
END_TEST

/* CSV input: a NUL byte is refused with its line, a directory too. */
START_TEST(csv_read)
{
	char path[] = "/tmp/check_batch.XXXXXX", *data;
	int fd = mkstemp(path);
	size_t len;
	sy_err err;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "a,b\n1,2\n3,\0\n", 12), 12);
	close(fd);
	ck_assert_int_eq(sy_read_file(path, &data, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, ":3: a NUL byte"), "%s", err.msg);
	ck_assert_int_eq(truncate(path, 8), 0);
	ck_assert_int_eq(sy_read_file(path, &data, &len, &err), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_str_eq(data, "a,b\n1,2\n");
	free(data);
	unlink(path);
	ck_assert_int_eq(sy_read_file("/tmp", &data, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "is a directory"), "%s", err.msg);
	ck_assert_int_eq(sy_read_file("/dev/zero", &data, &len, &err), -1);
	ck_assert_msg(strstr(err.msg, "/dev/zero:1: a NUL byte"), "%s", err.msg);
}
END_TEST

START_TEST(numbers)
{
	char buf[64];

	sy_csv_number(buf, sizeof buf, 0.1);
	ck_assert_str_eq(buf, "0.1");
	sy_csv_number(buf, sizeof buf, 0.1 + 0.2);
	ck_assert_str_eq(buf, "0.30000000000000004");
	sy_csv_number(buf, sizeof buf, 20.0096);
	ck_assert_str_eq(buf, "20.0096");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, grid);
	tcase_add_test(tc, bad_sweeps);
	tcase_add_test(tc, seeds);
	tcase_add_test(tc, csv_round_trip);
	tcase_add_test(tc, csv_reader_edges);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, nul_escapes);
	tcase_add_test(tc, csv_read);
	suite_add_tcase(s, tc);
	return sy_test_main(s);
}
