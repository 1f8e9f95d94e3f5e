/* SPDX-License-Identifier: MIT */
/* `sevm owner ...`: the guest owner's tooling (docs/attestation.md). */
#ifndef SEVM_SEV_OWNER_CLI_H
#define SEVM_SEV_OWNER_CLI_H

/* argv[0] is "owner". Returns the exit status (0 ok, 1 failure, 2 usage). */
int owner_cli(int argc, char **argv);

#endif
