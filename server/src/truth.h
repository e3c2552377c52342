/* truth.h - the `truth` subcommand: expected client CSV computed directly
 * from the dataset, independent of the page builder. */
#ifndef OAIMOCK_TRUTH_H
#define OAIMOCK_TRUTH_H

/* argv[0] is the ENDPOINT; returns the process exit status */
int truth_main(int argc, char **argv);

#endif
