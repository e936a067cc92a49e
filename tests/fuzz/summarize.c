/* `synack summarize` on arbitrary CSV: the input is the results file.  It
 * is summarized as it is, then grouped by its first column with its last
 * as the metric (the header as the CSV reader sees it), each time into an
 * output file of the harness's private directory. */
#include "config.h"

#include "batch.h"
#include "csv.h"
#include "fuzz.h"

static void run(char **argv, int argc)
{
	int rc = sy_summarize_main(argc, argv);

	if (rc != 0 && rc != 1)
		FUZZ_FAIL("summarize returned %d (usage error) for a well-formed command line", rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = fuzz_write("results.csv", data, size);
	const char *out = fuzz_path("summary.csv");
	char *argv[8] = { (char *)in, "-o", (char *)out };
	sy_csv_rec head = { 0 };
	size_t pos = 0, line = 1;
	int term;
	sy_err err;

	run(argv, 3);

	/* --by and --metrics take comma-separated names: only a header whose
	 * first and last names hold no comma (and are not empty) can be named */
	if (sy_csv_next((const char *)data, size, &pos, &line, &head, &term, &err) == 1 &&
	    head.n >= 2 && *head.f[0] && *head.f[head.n - 1] &&
	    !strchr(head.f[0], ',') && !strchr(head.f[head.n - 1], ',')) {
		argv[3] = "--by";
		argv[4] = head.f[0];
		argv[5] = "--metrics";
		argv[6] = head.f[head.n - 1];
		run(argv, 7);
	}
	sy_csv_rec_free(&head);
	return 0;
}
