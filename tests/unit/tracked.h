/* SPDX-License-Identifier: MIT */
/*
 * Allocations a failed assertion would leak. A failing assert longjmps out
 * of the test; whatever it had allocated is tracked here and freed by the
 * teardown, so a failure reports no leaks. Include <cmocka.h> (and what it
 * needs) before this header.
 */
#ifndef SEVM_TESTS_UNIT_TRACKED_H
#define SEVM_TESTS_UNIT_TRACKED_H

#define MAX_TRACKED 8 /* live allocations one test may hold */

/* Tracks p, which must not be NULL, and returns it. */
void *track(void *p);
/* Frees p, which must be tracked. */
void release(void *p);
/* cmocka teardown: frees whatever the test left tracked. */
int release_all(void **state);

#define TEST(f) cmocka_unit_test_teardown(f, release_all)

#endif
