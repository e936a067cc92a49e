/* The batch commands of the synack program.
 *
 * `synack batch SWEEP.cfg` runs an experiment script over the grid of a
 * sweep file (sweep.h): every replication of every point in a fresh
 * process and Lua state, several at once, writing one CSV row per run as
 * it finishes; `--resume` completes an interrupted batch.  Built with MPI
 * and started by mpirun, it spreads the runs over the ranks instead.
 * `synack summarize RESULTS.csv --by a,b` gives mean, standard deviation,
 * 95% confidence interval and count of each metric per group.
 *
 * Both take the arguments after the command name and return the exit
 * status. */
#ifndef SY_BATCH_H
#define SY_BATCH_H

int sy_batch_main(int argc, char **argv);
int sy_summarize_main(int argc, char **argv);

#endif
