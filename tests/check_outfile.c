/* Output files: a regular file is replaced whole or not at all, anything
 * else is written through and never replaced, every failed write is
 * reported with the path, and input reads are bounded. */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "testutil.h"

static char dir[] = "/tmp/sy-outfile-XXXXXX";

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/sy-outfile-XXXXXX")));
}

static void teardown(void)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *path_in(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
	return p[i];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void expect_contents(const char *path, const char *want)
{
	char buf[256] = { 0 };
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	ck_assert_str_eq(buf, want);
}

/* Nothing but the named files is left in the directory. */
static int entries(void)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

START_TEST(new_and_replaced)
{
	const char *p = path_in("a.txt");
	sy_err err;
	sy_out *o;

	ck_assert_int_eq(sy_out_whole(p, "one\n", 4, &err), 0);
	expect_contents(p, "one\n");
	/* Until closed, the old contents stay in place. */
	o = sy_out_open(p, &err);
	ck_assert_ptr_nonnull(o);
	fputs("two\n", sy_out_file(o));
	fflush(sy_out_file(o));
	expect_contents(p, "one\n");
	ck_assert_int_eq(sy_out_close(o, &err), 0);
	expect_contents(p, "two\n");
	/* Abandoned, nothing changes and no temporary file is left. */
	o = sy_out_open(p, &err);
	ck_assert_ptr_nonnull(o);
	fputs("three\n", sy_out_file(o));
	sy_out_abandon(o);
	expect_contents(p, "two\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(symlink_written_through)
{
	const char *target = path_in("target.txt"), *link = path_in("link.txt");
	struct stat st;
	sy_err err;

	put(target, "old\n");
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(sy_out_whole(link, "new\n", 4, &err), 0);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	expect_contents(target, "new\n");
	ck_assert_int_eq(entries(), 2);
}
END_TEST

START_TEST(device_written_through)
{
	struct stat st;
	sy_err err;

	ck_assert_int_eq(sy_out_whole("/dev/null", "x\n", 2, &err), 0);
	ck_assert_int_eq(stat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(full_device_reported)
{
	struct stat st;
	sy_err err;
	sy_out *o;

	if (stat("/dev/full", &st) != 0)
		return;
	o = sy_out_open("/dev/full", &err);
	ck_assert_ptr_nonnull(o);
	fputs("data\n", sy_out_file(o));
	ck_assert_int_eq(sy_out_close(o, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/dev/full"));
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOSPC)));
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(directory_refused)
{
	sy_err err;

	ck_assert_ptr_null(sy_out_open(dir, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, dir));
	ck_assert_ptr_nonnull(strstr(err.msg, "directory"));
}
END_TEST

/* A file-size limit fails writes as a full disk does; the old file is
 * kept whole.  In a child, since the limit stays with the process. */
START_TEST(write_failure_keeps_old_file)
{
	const char *p = path_in("big.txt");
	static char block[65536];
	int status;
	pid_t pid;

	put(p, "kept\n");
	memset(block, 'x', sizeof block);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };
		sy_err err;
		sy_out *o;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0 || !(o = sy_out_open(p, &err)))
			_exit(10);
		for (int i = 0; i < 4; i++)
			fwrite(block, 1, sizeof block, sy_out_file(o));
		if (sy_out_close(o, &err) != -1 || !strstr(err.msg, p))
			_exit(11);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	expect_contents(p, "kept\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(bounded_read)
{
	const char *p = path_in("in.txt");
	char *data;
	size_t len;
	sy_err err;

	put(p, "0123456789");
	ck_assert_int_eq(sy_read_bounded(p, 10, NULL, &data, &len, &err), 0);
	ck_assert_uint_eq(len, 10);
	ck_assert_str_eq(data, "0123456789");
	free(data);
	ck_assert_int_eq(sy_read_bounded(p, 9, NULL, &data, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, p));
	/* A device without an end stops at the bound. */
	ck_assert_int_eq(sy_read_bounded("/dev/zero", 1 << 20, NULL, &data, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/dev/zero"));
	ck_assert_int_eq(sy_read_bounded(dir, 100, NULL, &data, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "directory"));
	/* As text, a NUL byte is an error naming its line, at once. */
	{
		FILE *f = fopen(p, "wb");

		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fwrite("a\nb\0c\n", 1, 6, f), 6);
		ck_assert_int_eq(fclose(f), 0);
	}
	ck_assert_int_eq(sy_read_bounded(p, 100, NULL, &data, &len, &err), 0);
	ck_assert_uint_eq(len, 6);
	free(data);
	ck_assert_int_eq(sy_read_bounded(p, 100, "a text file", &data, &len, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, ":2: a NUL byte: not a text file"));
	ck_assert_int_eq(sy_read_bounded("/dev/zero", (size_t)1 << 30, "a CSV file", &data, &len,
					 &err), -1);
	ck_assert_str_eq(err.msg, "/dev/zero:1: a NUL byte: not a CSV file");
}
END_TEST

START_TEST(nul_refused)
{
	sy_err err;

	ck_assert_int_eq(sy_check_no_nul("abc", 3, "name", &err), 0);
	ck_assert_int_eq(sy_check_no_nul("a\0c", 3, "name", &err), -1);
	ck_assert_str_eq(err.msg, "name: contains a NUL byte");
}
END_TEST

static Suite *outfile_suite(void)
{
	Suite *s = suite_create("outfile");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, new_and_replaced);
	tcase_add_test(t, symlink_written_through);
	tcase_add_test(t, device_written_through);
	tcase_add_test(t, full_device_reported);
	tcase_add_test(t, directory_refused);
	tcase_add_test(t, write_failure_keeps_old_file);
	tcase_add_test(t, bounded_read);
	tcase_add_test(t, nul_refused);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sy_test_main(outfile_suite());
}
