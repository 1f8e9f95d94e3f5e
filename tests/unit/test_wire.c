// SPDX-License-Identifier: MIT
/*
 * The migration stream's framing and field checks (src/migrate/wire.c)
 * over a socketpair: a message and its payload arrive as sent; frames too
 * long, not flat CBOR, fields missing, of another type or out of range are
 * refused with a reason; and 20000 mutations of valid frames never crash
 * the decoder (run under ASan in CI) nor make it accept a payload beyond
 * its limit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "migrate/wire.h"

struct pair {
	struct xport a, b;
};

static void pair_open(struct pair *p)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(xport_init_fd(&p->a, sv[0], 2000), 0);
	assert_int_equal(xport_init_fd(&p->b, sv[1], 2000), 0);
}

static void pair_close(struct pair *p)
{
	xport_close(&p->a);
	xport_close(&p->b);
}

/* Raw bytes from a, as a frame with a length header. */
static void send_raw(struct pair *p, const void *body, uint32_t len, bool header)
{
	uint8_t h[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			(uint8_t)len};
	struct iovec v[2] = {{h, 4}, {(void *)body, len}};

	assert_int_equal(xport_send(&p->a, header ? v : v + 1, header ? 2 : 1), 0);
}

static void test_round_trip(void **state)
{
	struct pair p;
	struct wire_msg m;
	char why[200], text[16];
	uint8_t data[5000], got[5000], bytes[3];
	uint64_t u;

	(void)state;
	pair_open(&p);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	cbor_item_t *msg = wire_new("pages", 5);
	assert_non_null(msg);
	assert_int_equal(wire_put_u(msg, "n", 1ull << 40), 0);
	assert_int_equal(wire_put_bytes(msg, "b", "\x01\x02\x03", 3), 0);
	assert_int_equal(wire_put_text(msg, "s", "hi"), 0);
	assert_int_equal(wire_put_text(msg, "w", "a\nb\x1b[2J"), 0);
	struct iovec iov[2] = {{data, 1000}, {data + 1000, 4000}};
	assert_int_equal(wire_send(&p.a, msg, iov, 2), 0);

	assert_int_equal(wire_recv(&p.b, &m, why, sizeof(why)), 0);
	assert_string_equal(m.type, "pages");
	assert_int_equal(m.payload, 5000);
	assert_int_equal(wire_get_u(&m, "n", UINT64_MAX, &u, why, sizeof(why)), 0);
	assert_int_equal(u, 1ull << 40);
	assert_int_equal(wire_get_exact(&m, "b", bytes, 3, why, sizeof(why)), 0);
	assert_memory_equal(bytes, "\x01\x02\x03", 3);
	assert_int_equal(wire_get_text(&m, "s", text, sizeof(text), why, sizeof(why)), 0);
	assert_string_equal(text, "hi");
	/* A peer's text never carries a line break or an escape sequence. */
	assert_int_equal(wire_get_text(&m, "w", text, sizeof(text), why, sizeof(why)), 0);
	assert_string_equal(text, "a?b?[2J");
	/* Refusals, each naming what is wrong. */
	assert_int_equal(wire_get_u(&m, "n", 100, &u, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "above 100"));
	assert_int_equal(wire_get_u(&m, "missing", 1, &u, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "missing"));
	assert_int_equal(wire_get_u(&m, "b", 1, &u, why, sizeof(why)), -EPROTO); /* a byte string */
	assert_int_equal(wire_get_exact(&m, "b", bytes, 2, why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "3 bytes, not 2"));
	assert_int_equal(wire_get_text(&m, "s", text, 2, why, sizeof(why)), -EPROTO);
	assert_int_equal(xport_recv(&p.b, got, 5000), 0);
	assert_memory_equal(got, data, 5000);
	wire_msg_free(&m);
	pair_close(&p);
}

static int recv_one(struct pair *p, char *why, size_t len)
{
	struct wire_msg m;
	int ret = wire_recv(&p->b, &m, why, len);

	wire_msg_free(&m);
	return ret;
}

static void test_refusals(void **state)
{
	static const struct {
		const char *what;
		const uint8_t *body;
		uint32_t len;
		const char *why;
	} cases[] = {
	    {"an array", (const uint8_t *)"\x81\x01", 2, "flat CBOR map"},
	    {"a nested map", (const uint8_t *)"\xa1\x61t\xa0", 4, "flat CBOR map"},
	    {"a negative integer", (const uint8_t *)"\xa1\x61t\x20", 4, "flat CBOR map"},
	    {"an indefinite string", (const uint8_t *)"\xa1\x61t\x7f\xff", 5, "flat CBOR map"},
	    {"a string past the end", (const uint8_t *)"\xa1\x61t\x78\xff", 5, "flat CBOR map"},
	    {"2^60 pairs", (const uint8_t *)"\xbb\x10\0\0\0\0\0\0\0", 9, "flat CBOR map"},
	    {"no type", (const uint8_t *)"\xa1\x61x\x01", 4, "lacks the text 't'"},
	    {"a type that is a number", (const uint8_t *)"\xa1\x61t\x01", 4, "lacks the text 't'"},
	    {"a payload above 64 MiB",
	     (const uint8_t *)"\xa2\x61t\x61p\x67payload\x1b\0\0\0\1\0\0\0\0", 22, "payload"},
	    {"trailing bytes", (const uint8_t *)"\xa1\x61t\x61p\x00", 6, "malformed CBOR"},
	};
	char why[200];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pair p;

		pair_open(&p);
		send_raw(&p, cases[i].body, cases[i].len, true);
		why[0] = 0;
		assert_int_equal(recv_one(&p, why, sizeof(why)), -EPROTO);
		if (!strstr(why, cases[i].why))
			fail_msg("%s: '%s' does not say '%s'", cases[i].what, why, cases[i].why);
		pair_close(&p);
	}
	/* Lengths: zero, and above the limit, before reading a byte more. */
	uint32_t lens[] = {0, WIRE_MAX_HEADER + 1, 0xffffffffu};
	for (size_t i = 0; i < 3; i++) {
		struct pair p;
		uint8_t h[4] = {(uint8_t)(lens[i] >> 24), (uint8_t)(lens[i] >> 16),
				(uint8_t)(lens[i] >> 8), (uint8_t)lens[i]};

		pair_open(&p);
		send_raw(&p, h, 4, false);
		assert_int_equal(recv_one(&p, why, sizeof(why)), -EPROTO);
		assert_non_null(strstr(why, "at most"));
		pair_close(&p);
	}
	/* A peer that goes away, and one that says nothing. */
	struct pair p;
	pair_open(&p);
	shutdown(p.a.fd, SHUT_WR);
	assert_int_equal(recv_one(&p, why, sizeof(why)), -ENODATA);
	pair_close(&p);
	pair_open(&p);
	p.b.timeout_ms = 100;
	assert_int_equal(recv_one(&p, why, sizeof(why)), -ETIMEDOUT);
	pair_close(&p);
}

static void test_mutations(void **state)
{
	uint8_t base[128], buf[128];
	unsigned int seed = 12345;
	char why[200];
	size_t len;
	unsigned char *ser = NULL;
	size_t cap = 0;

	(void)state;
	cbor_item_t *msg = wire_new("vcpu-state", 3);
	assert_int_equal(wire_put_u(msg, "index", 3), 0);
	assert_int_equal(wire_put_bytes(msg, "regs", "0123456789abcdef", 16), 0);
	assert_int_equal(wire_put_u(msg, "payload", 8), 0);
	len = cbor_serialize_alloc(msg, &ser, &cap);
	cbor_decref(&msg);
	assert_true(len > 0 && len <= sizeof(base));
	memcpy(base, ser, len);
	free(ser);
	for (int round = 0; round < 20000; round++) {
		struct pair p;
		struct wire_msg m;
		int flips = 1 + rand_r(&seed) % 4;

		memcpy(buf, base, len);
		for (int f = 0; f < flips; f++)
			buf[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		pair_open(&p);
		p.b.timeout_ms = 50;
		send_raw(&p, buf, (uint32_t)len, true);
		int ret = wire_recv(&p.b, &m, why, sizeof(why));
		if (!ret)
			assert_true(m.payload <= WIRE_MAX_PAYLOAD);
		else
			assert_true(ret == -EPROTO || ret == -ETIMEDOUT || ret == -ENOMEM);
		wire_msg_free(&m);
		pair_close(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
