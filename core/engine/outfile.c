#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

struct sy_out {
	FILE *f;
	char *path;
	char *tmp;   /* the temporary file, NULL when writing through */
	int failed;  /* errno of the first failed sy_out_write, 0 if none */
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static void free_out(sy_out *o)
{
	free(o->path);
	free(o->tmp);
	free(o);
}

/* A temporary file beside path, with the permissions a new file would
 * get (mkstemp makes it 0600). */
static FILE *open_temp(sy_out *o, sy_err *err)
{
	size_t n = strlen(o->path) + sizeof ".tmp-XXXXXX";
	mode_t mask;
	FILE *f;
	int fd;

	if (!(o->tmp = malloc(n)))
		return sy_err_set(err, "%s: out of memory", o->path), NULL;
	snprintf(o->tmp, n, "%s.tmp-XXXXXX", o->path);
	if ((fd = mkstemp(o->tmp)) < 0) {
		sy_err_set(err, "cannot write %s: %s", o->path, strerror(errno));
		return NULL;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(f = fdopen(fd, "w"))) {
		sy_err_set(err, "cannot write %s: %s", o->path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return NULL;
	}
	return f;
}

sy_out *sy_out_open(const char *path, sy_err *err)
{
	struct stat st;
	sy_out *o;

	if (!path || !*path)
		return sy_err_set(err, "an output file needs a name"), NULL;
	if (!(o = calloc(1, sizeof *o)) || !(o->path = dup_str(path))) {
		free(o);
		return sy_err_set(err, "%s: out of memory", path), NULL;
	}
	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			sy_err_set(err, "cannot write %s: it is a directory", path);
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			/* A link, a device or a FIFO: written through. */
			if (!(o->f = fopen(path, "w"))) {
				sy_err_set(err, "cannot write %s: %s", path, strerror(errno));
				goto fail;
			}
			return o;
		}
	} else if (errno != ENOENT) {
		sy_err_set(err, "cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!(o->f = open_temp(o, err)))
		goto fail;
	return o;
fail:
	free_out(o);
	return NULL;
}

FILE *sy_out_file(sy_out *o)
{
	return o->f;
}

const char *sy_out_path(const sy_out *o)
{
	return o->path;
}

int sy_out_write(sy_out *o, const void *p, size_t n, sy_err *err)
{
	if (n && fwrite(p, 1, n, o->f) != n) {
		if (!o->failed)
			o->failed = errno ? errno : EIO;
		return sy_err_set(err, "cannot write %s: %s", o->path, strerror(o->failed));
	}
	return 0;
}

int sy_out_close(sy_out *o, sy_err *err)
{
	int e = o->failed;
	int rc = 0;

	if (!e && (fflush(o->f) != 0 || ferror(o->f)))
		e = errno ? errno : EIO;
	/* fsync only what is renamed: a device or FIFO may refuse it. */
	if (!e && o->tmp && fsync(fileno(o->f)) != 0)
		e = errno;
	if (fclose(o->f) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e && o->tmp && rename(o->tmp, o->path) != 0)
		e = errno;
	if (e) {
		rc = sy_err_set(err, "cannot write %s: %s", o->path, strerror(e));
		if (o->tmp)
			unlink(o->tmp);
	}
	free_out(o);
	return rc;
}

void sy_out_abandon(sy_out *o)
{
	if (!o)
		return;
	fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free_out(o);
}

int sy_out_whole(const char *path, const void *p, size_t n, sy_err *err)
{
	sy_out *o = sy_out_open(path, err);

	if (!o)
		return -1;
	if (sy_out_write(o, p, n, err) < 0) {
		sy_out_abandon(o);
		return -1;
	}
	return sy_out_close(o, err);
}

int sy_read_bounded(const char *path, size_t max, const char *text, char **data,
		    size_t *len, sy_err *err)
{
	struct stat st;
	size_t cap = 4096, n = 0;
	char *b = NULL;
	const char *nul;
	FILE *f;

	if (!(f = fopen(path, "rb")))
		return sy_err_set(err, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return sy_err_set(err, "%s: is a directory", path);
	}
	for (;;) {
		size_t got;

		if (n + 1 >= cap || !b) {
			char *nb;

			if (b)
				cap *= 2;
			if (cap > max + 2)
				cap = max + 2;
			if (!(nb = realloc(b, cap))) {
				free(b);
				fclose(f);
				return sy_err_set(err, "%s: out of memory", path);
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - 1 - n, f);
		if (text && (nul = memchr(b + n, '\0', got))) {
			size_t line = 1;

			for (const char *c = b; c < nul; c++)
				line += *c == '\n';
			free(b);
			fclose(f);
			return sy_err_set(err, "%s:%zu: a NUL byte: not %s", path, line, text);
		}
		n += got;
		if (n > max) {
			free(b);
			fclose(f);
			return sy_err_set(err, "%s: longer than %zu bytes; is it the right file?",
					  path, max);
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		free(b);
		fclose(f);
		return sy_err_set(err, "%s: %s", path, strerror(e));
	}
	fclose(f);
	b[n] = '\0';
	*data = b;
	*len = n;
	return 0;
}

int sy_check_no_nul(const char *s, size_t n, const char *what, sy_err *err)
{
	if (memchr(s, '\0', n))
		return sy_err_set(err, "%s: contains a NUL byte", what);
	return 0;
}
