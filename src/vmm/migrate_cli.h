/* SPDX-License-Identifier: MIT */
/* `sevm migrate` and `sevm status` (docs/cli.md): control-socket clients. */
#ifndef SEVM_SRC_VMM_MIGRATE_CLI_H
#define SEVM_SRC_VMM_MIGRATE_CLI_H

int migrate_cli(int argc, char **argv);
int status_cli(int argc, char **argv);

#endif
