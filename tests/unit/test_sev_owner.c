// SPDX-License-Identifier: MIT
/*
 * The guest owner (src/sev/owner/): its two launch steps against the emu
 * platform, the platform chain checks, the secret table, the wire
 * protocol's encoder and strict decoder, and the key files.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sev/emu_identity.h"
#include "sev/emu_launch.h"
#include "sev/keyfile.h"
#include "sev/owner/channel.h"
#include "sev/owner/owner.h"
#include "sev/owner/proto.h"
#include "sev/vmsa.h"

static const struct sev_build t_fw = {.api_major = 0, .api_minor = 24, .build = 3};
#define T_POLICY (SEV_POLICY_ES | SEV_POLICY_NODBG)

struct fx {
	char dir[64];
	struct emu_identity id;
	struct owner o;
	struct emu_launch *emu;
	struct sev_platform *p;
	uint8_t image[8192];
	uint8_t vmsa[2][VMSA_PAGE_SIZE];
	uint8_t pages[2][VMSA_PAGE_SIZE];
	struct owner_start_req req;
};

static int setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	struct sev_launch_digest d;

	strcpy(f->dir, "/tmp/sevm-owner-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(emu_identity_load_or_create(f->dir, &t_fw, &f->id), 0);
	/* An owner expecting this image and these two VMSAs, built by hand. */
	f->o.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(f->o.key);
	assert_int_equal(RAND_bytes(f->o.transport_key, sizeof(f->o.transport_key)), 1);
	for (size_t i = 0; i < sizeof(f->image); i++)
		f->image[i] = (uint8_t)(i * 7);
	vmsa_init_reset(f->vmsa[0], VMSA_BSP_EIP, 0x800f12);
	vmsa_init_reset(f->vmsa[1], 0xfffff000, 0x800f12);
	assert_int_equal(sev_launch_digest_init(&d), 0);
	assert_int_equal(sev_launch_digest_add_data(&d, f->image, sizeof(f->image)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&d, f->vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&d, f->vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_final(&d, f->o.expected_ld), 0);
	f->o.expected_policy = T_POLICY;
	f->o.trust_any = true; /* test_chain_checked pins */

	f->req.policy = T_POLICY;
	f->req.build = t_fw;
	memcpy(f->req.oca, f->id.oca_cert, SEV_CERT_SIZE);
	memcpy(f->req.pek, f->id.pek_cert, SEV_CERT_SIZE);
	memcpy(f->req.pdh, f->id.pdh_cert, SEV_CERT_SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	emu_launch_free(f->emu);
	owner_close(&f->o);
	emu_identity_free(&f->id);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	test_free(f);
	return 0;
}

/* The platform half of a launch up to LAUNCH_MEASURE, with the owner's session. */
static void platform_measure(struct fx *f, const struct owner_session *s,
			     struct sev_launch_measure *m)
{
	struct sev_vm_binding b = {.vm_fd = -1, .nr_vcpus = 2, .vmsa_pages = f->pages[0]};
	struct sev_launch_start ls = {.policy = s->policy, .session = &s->blob};
	unsigned int fw;

	emu_launch_free(f->emu);
	assert_int_equal(emu_launch_new(f->id.pdh, &t_fw, &f->emu), 0);
	f->p = emu_launch_platform(f->emu);
	memcpy(ls.owner_pub, s->owner_pub, sizeof(ls.owner_pub));
	assert_int_equal(f->p->ops->init(f->p, &b, &fw), 0);
	assert_int_equal(f->p->ops->launch_start(f->p, &ls, &fw), 0);
	assert_int_equal(f->p->ops->launch_update_data(f->p, f->image, sizeof(f->image), &fw), 0);
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 0, f->vmsa[0], &fw), 0);
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 1, f->vmsa[1], &fw), 0);
	assert_int_equal(f->p->ops->launch_measure(f->p, m, &fw), 0);
}

static void test_launch_releases_secret(void **state)
{
	struct fx *f = *state;
	struct owner_launch l = {0};
	struct owner_session s;
	struct sev_launch_measure m;
	static struct owner_secret sec;
	uint8_t table[FW_SECRET_TABLE_MAX];
	/* The secret lands within one page, as in the firmware's secret block:
	 * a stack buffer could straddle two and be refused (EINVAL). */
	static uint8_t target[FW_SECRET_TABLE_MAX] __attribute__((aligned(4096)));
	size_t len;
	unsigned int fw;
	char why[160];

	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)), OWNER_OK);
	assert_true(l.started);
	assert_int_equal(s.policy, T_POLICY);
	platform_measure(f, &s, &m);
	assert_int_equal(owner_verify(&f->o, &l, &m, &sec, why, sizeof(why)), OWNER_OK);
	/* The launch's keys are gone once the secret is out. */
	assert_false(l.started);

	struct sev_launch_secret ls = {
	    .hdr = &sec.hdr, .packet = sec.ciphertext, .packet_len = sec.len, .target = target};
	assert_int_equal(f->p->ops->launch_secret(f->p, &ls, &fw), 0);
	/* Header 20, key entry 20 + 32, launch id entry 20 + 16: 108, padded to 112. */
	len = owner_secret_table(f->o.transport_key, table, sizeof(table));
	assert_int_equal(len, 112);
	assert_int_equal(sec.len, len);
	/* Same key, same layout; only the launch id (the last 16 + 4 pad bytes) differs. */
	assert_memory_equal(target, table, len - 20);
	assert_memory_not_equal(target + len - 20, table + len - 20, 16);
	assert_memory_equal(target + 20 + 20, f->o.transport_key, 32);
	/* The ciphertext is not the table. */
	assert_memory_not_equal(sec.ciphertext, target, len);
}

static void test_mismatch_refused(void **state)
{
	struct fx *f = *state;
	struct owner_launch l = {0};
	struct owner_session s;
	struct sev_launch_measure m;
	static struct owner_secret sec;
	char why[160];

	/* The host changed one byte of the image. */
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)), OWNER_OK);
	f->image[100] ^= 1;
	platform_measure(f, &s, &m);
	assert_int_equal(owner_verify(&f->o, &l, &m, &sec, why, sizeof(why)),
			 OWNER_MEASUREMENT_MISMATCH);
	assert_string_equal(owner_refusal_text(OWNER_MEASUREMENT_MISMATCH), "measurement mismatch");
	assert_int_equal(sec.len, 0);
	f->image[100] ^= 1;

	/* The host asked for a policy other than the owner's. */
	f->req.policy = SEV_POLICY_ES;
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)), OWNER_OK);
	platform_measure(f, &s, &m);
	assert_int_equal(owner_verify(&f->o, &l, &m, &sec, why, sizeof(why)),
			 OWNER_MEASUREMENT_MISMATCH);
	assert_non_null(strstr(why, "policy 0x4"));

	/* A measurement without a session. */
	assert_int_equal(owner_verify(&f->o, &l, &m, &sec, why, sizeof(why)), OWNER_BAD_REQUEST);
}

static void test_chain_checked(void **state)
{
	struct fx *f = *state;
	struct owner_launch l = {0};
	struct owner_session s;
	struct emu_identity other;
	char why[160], dir[80];

	/* A PDH from another platform under this platform's OCA/PEK. */
	snprintf(dir, sizeof(dir), "%s/other", f->dir);
	assert_int_equal(emu_identity_load_or_create(dir, &t_fw, &other), 0);
	memcpy(f->req.pdh, other.pdh_cert, SEV_CERT_SIZE);
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)),
			 OWNER_UNTRUSTED_PLATFORM);
	assert_false(l.started);
	memcpy(f->req.pdh, f->id.pdh_cert, SEV_CERT_SIZE);

	/* Certificates in the wrong slots. */
	memcpy(f->req.oca, f->id.pek_cert, SEV_CERT_SIZE);
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)),
			 OWNER_UNTRUSTED_PLATFORM);
	memcpy(f->req.oca, f->id.oca_cert, SEV_CERT_SIZE);

	/* A pinned OCA: this platform passes, another does not. */
	f->o.pin_oca = true;
	memcpy(f->o.oca_pubkey, other.oca_cert + SEV_CERT_OFF_PUBKEY, SEV_CERT_PUBKEY_SIZE);
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)),
			 OWNER_UNTRUSTED_PLATFORM);
	assert_non_null(strstr(why, "pinned"));
	memcpy(f->o.oca_pubkey, f->id.oca_cert + SEV_CERT_OFF_PUBKEY, SEV_CERT_PUBKEY_SIZE);
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)), OWNER_OK);
	owner_launch_end(&l);

	/* Neither pinned nor told to trust any platform: no one gets a session. */
	f->o.pin_oca = f->o.trust_any = false;
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)),
			 OWNER_UNTRUSTED_PLATFORM);
	assert_string_equal(why, "no platform is trusted");
	f->o.trust_any = true;

	/* A minimum firmware version. */
	f->o.min_fw_set = true;
	f->o.min_fw = (struct sev_build){0, 24, 4};
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)),
			 OWNER_UNTRUSTED_PLATFORM);
	assert_non_null(strstr(why, "older than 0.24 build 4"));
	f->o.min_fw = (struct sev_build){0, 24, 3};
	assert_int_equal(owner_start(&f->o, &l, &f->req, &s, why, sizeof(why)), OWNER_OK);
	owner_launch_end(&l);
	emu_identity_free(&other);
}

/* Encode, drop the length prefix, decode: the same message back. */
static void round_trip(const struct owner_msg *in, struct owner_msg *out)
{
	static uint8_t buf[OWNER_PROTO_MAX_FRAME];
	char why[160] = "";
	long n = owner_msg_encode(in, buf, sizeof(buf));

	assert_true(n > 4);
	assert_int_equal(((uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]), n - 4);
	assert_int_equal(owner_msg_decode(buf + 4, (size_t)n - 4, out, why, sizeof(why)), 0);
	assert_int_equal(out->type, in->type);
}

static void test_proto_round_trip(void **state)
{
	struct fx *f = *state;
	static struct owner_msg in, out;

	in = (struct owner_msg){.type = OWNER_MSG_START, .u.start = f->req};
	round_trip(&in, &out);
	assert_memory_equal(&out.u.start, &in.u.start, sizeof(in.u.start));

	in = (struct owner_msg){.type = OWNER_MSG_MEASURE};
	memset(in.u.measure.measure, 0xab, sizeof(in.u.measure.measure));
	memset(in.u.measure.mnonce, 0xcd, sizeof(in.u.measure.mnonce));
	round_trip(&in, &out);
	assert_memory_equal(&out.u.measure, &in.u.measure, sizeof(in.u.measure));

	in = (struct owner_msg){.type = OWNER_MSG_SECRET};
	in.u.secret.hdr.flags = 0;
	memset(in.u.secret.hdr.iv, 1, sizeof(in.u.secret.hdr.iv));
	memset(in.u.secret.ciphertext, 2, 80);
	in.u.secret.len = 80;
	round_trip(&in, &out);
	assert_int_equal(out.u.secret.len, 80);
	assert_memory_equal(out.u.secret.ciphertext, in.u.secret.ciphertext, 80);
	assert_memory_equal(&out.u.secret.hdr, &in.u.secret.hdr, sizeof(in.u.secret.hdr));

	in = (struct owner_msg){.type = OWNER_MSG_ERROR};
	strcpy(in.u.error.code, "measurement-mismatch");
	strcpy(in.u.error.message, "measurement mismatch");
	round_trip(&in, &out);
	assert_string_equal(out.u.error.message, "measurement mismatch");

	/* A secret of a length LAUNCH_SECRET cannot take is not encoded. */
	in = (struct owner_msg){.type = OWNER_MSG_SECRET};
	in.u.secret.len = FW_SECRET_TABLE_MAX + 16;
	assert_true(
	    owner_msg_encode(&in, (uint8_t[OWNER_PROTO_MAX_FRAME]){0}, OWNER_PROTO_MAX_FRAME) < 0);
}

static int decode(const void *body, size_t len, char *why)
{
	static struct owner_msg m;

	return owner_msg_decode(body, len, &m, why, 160);
}

/* A "measure" message with one thing changed, hand-encoded (RFC 8949). */
static size_t measure_cbor(uint8_t *b, int variant)
{
	size_t n = 0;

	b[n++] = variant == 4 ? 0xa5 : 0xa4; /* map of 4 pairs (5 with a duplicate) */
	n += (size_t)sprintf((char *)b + n, "\x64type\x67measure");
	n += (size_t)sprintf((char *)b + n, "\x67version");
	b[n++] = variant == 1 ? 0x02 : 0x01;
	n += (size_t)sprintf((char *)b + n, "\x67measure");
	b[n++] = 0x58, b[n++] = variant == 2 ? 31 : 32;
	memset(b + n, 0x11, 32), n += variant == 2 ? 31 : 32;
	n += (size_t)sprintf((char *)b + n, variant == 3 ? "\x66mnoncE" : "\x66mnonce");
	b[n++] = 0x50;
	memset(b + n, 0x22, 16), n += 16;
	if (variant == 4) {
		n += (size_t)sprintf((char *)b + n, "\x66mnonce");
		b[n++] = 0x50;
		memset(b + n, 0x22, 16), n += 16;
	}
	if (variant == 5)
		b[n++] = 0x00; /* trailing byte */
	return n;
}

static void test_proto_malformed(void **state)
{
	uint8_t b[256];
	char why[160];
	size_t n;

	(void)state;
	n = measure_cbor(b, 0);
	assert_int_equal(decode(b, n, why), 0);
	assert_int_equal(decode(b, 0, why), -EBADMSG);
	assert_int_equal(decode("\xff\xff", 2, why), -EBADMSG);
	assert_int_equal(decode("\x83\x01\x02\x03", 4, why), -EBADMSG); /* an array */
	assert_string_equal(why, "not a flat CBOR map of integers and strings within its length");
	/* Heads announcing more than the body holds, checked before libcbor allocates. */
	assert_int_equal(decode("\xbb\x0f\xff\xff\xff\xff\xff\xff\xff", 9, why), -EBADMSG);
	assert_int_equal(decode("\xa1\x64type\x5a\x7f\xff\xff\xff", 11, why), -EBADMSG);
	assert_int_equal(decode("\xa1\x64type\xa1\x01\x01", 9, why), -EBADMSG); /* nested */
	assert_int_equal(decode("\xbf\xff", 2, why), -EBADMSG);			/* indefinite */
	assert_int_equal(decode("\xa1\x61x\x01", 4, why), -EBADMSG);
	assert_string_equal(why, "no 'type'");
	assert_int_equal(decode("\xa1\x64type\x63zzz", 10, why), -EBADMSG);
	assert_string_equal(why, "unknown message type");
	n = measure_cbor(b, 1);
	assert_int_equal(decode(b, n, why), -EBADMSG);
	assert_string_equal(why, "unsupported protocol version");
	n = measure_cbor(b, 2);
	assert_int_equal(decode(b, n, why), -EBADMSG);
	assert_string_equal(why, "'measure' is 31 bytes, not 32");
	n = measure_cbor(b, 3);
	assert_int_equal(decode(b, n, why), -EBADMSG);
	assert_string_equal(why, "unknown field in 'measure'");
	n = measure_cbor(b, 4);
	assert_int_equal(decode(b, n, why), -EBADMSG);
	assert_string_equal(why, "a field appears twice");
	n = measure_cbor(b, 5);
	assert_int_equal(decode(b, n, why), -EBADMSG);
	assert_string_equal(why, "trailing bytes after the message");
	/* A map missing a field: drop the mnonce pair and say 3 pairs. */
	n = measure_cbor(b, 0);
	b[0] = 0xa3;
	assert_int_equal(decode(b, n - 7 - 17, why), -EBADMSG);
	assert_string_equal(why, "'measure' lacks a field");
}

static void test_proto_framing(void **state)
{
	static struct owner_msg m;
	uint8_t big[4] = {0x00, 0x10, 0x00, 0x00};
	char why[160];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* A frame longer than the protocol allows is refused before reading it. */
	assert_int_equal(write(sv[0], big, 4), 4);
	assert_int_equal(owner_msg_recv(sv[1], &m, 1000, why, sizeof(why)), -EBADMSG);
	/* Half a frame, then silence: a timeout, not a hang. */
	assert_int_equal(write(sv[0], "\x00\x00\x00\x10\xa1", 5), 5);
	assert_int_equal(owner_msg_recv(sv[1], &m, 50, why, sizeof(why)), -ETIMEDOUT);
	close(sv[0]);
	/* The peer gone. */
	assert_int_equal(owner_msg_recv(sv[1], &m, 1000, why, sizeof(why)), -ECONNRESET);
	close(sv[1]);
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Mutated messages (bit flips, truncation, inserted and overwritten bytes,
 * big length headers) must each decode or be refused, never crash or read
 * out of bounds (this runs under ASan in the suite), and whatever decodes
 * must encode again.
 */
static void test_proto_fuzz(void **state)
{
	struct fx *f = *state;
	static struct owner_msg seeds[3], m;
	static uint8_t frame[OWNER_PROTO_MAX_FRAME], buf[OWNER_PROTO_MAX_FRAME];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int decoded = 0;
	char why[160];

	seeds[0] = (struct owner_msg){.type = OWNER_MSG_START, .u.start = f->req};
	seeds[1] = (struct owner_msg){.type = OWNER_MSG_MEASURE};
	seeds[2] = (struct owner_msg){.type = OWNER_MSG_SECRET, .u.secret.len = 80};
	for (unsigned int iter = 0; iter < 30000; iter++) {
		long n = owner_msg_encode(&seeds[iter % 3], frame, sizeof(frame));
		size_t len;

		assert_true(n > 4);
		len = (size_t)n - 4;
		memcpy(buf, frame + 4, len);
		for (unsigned int k = 1 + rnd(&x) % 4; k; k--) {
			size_t at = rnd(&x) % len;

			switch (rnd(&x) % 5) {
			case 0:
				buf[at] ^= (uint8_t)(1u << (rnd(&x) % 8));
				break;
			case 1:
				len = at + 1;
				break;
			case 2:
				buf[at] = (uint8_t)rnd(&x);
				break;
			case 3: /* a header claiming a huge length or count */
				buf[at] = (uint8_t)(0x1b | (rnd(&x) % 8) << 5);
				break;
			default:
				if (len < sizeof(buf) - 1) {
					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = (uint8_t)rnd(&x);
					len++;
				}
			}
		}
		if (owner_msg_decode(buf, len, &m, why, sizeof(why)) == 0) {
			decoded++;
			assert_true(owner_msg_encode(&m, frame, sizeof(frame)) > 4);
		}
	}
	/* Some mutations keep a message valid (a flipped payload bit): both paths ran. */
	assert_true(decoded > 0);
}

static void test_split_addr(void **state)
{
	char host[64], port[8];

	(void)state;
	assert_int_equal(owner_split_addr("127.0.0.1:7000", host, sizeof(host), port, sizeof(port)),
			 0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "7000");
	assert_int_equal(owner_split_addr("[::1]:80", host, sizeof(host), port, sizeof(port)), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(
	    owner_split_addr("owner.example:1", host, sizeof(host), port, sizeof(port)), 0);
	assert_int_equal(owner_split_addr("::1:80", host, sizeof(host), port, sizeof(port)),
			 -EINVAL);
	assert_int_equal(owner_split_addr("host", host, sizeof(host), port, sizeof(port)), -EINVAL);
	assert_int_equal(owner_split_addr("host:", host, sizeof(host), port, sizeof(port)),
			 -EINVAL);
	assert_int_equal(owner_split_addr(":80", host, sizeof(host), port, sizeof(port)), -EINVAL);
	assert_int_equal(owner_split_addr("h:8x", host, sizeof(host), port, sizeof(port)), -EINVAL);
}

static void test_key_files(void **state)
{
	struct fx *f = *state;
	uint8_t a[32], b[32];
	char path[128];
	FILE *fp;

	assert_int_equal(owner_init_dir(f->dir), 0);
	/* Made once, then reused. */
	assert_int_equal(sev_keyfile_bytes(f->dir, OWNER_TRANSPORT_KEY_FILE, a, sizeof(a)), 0);
	assert_int_equal(sev_keyfile_bytes(f->dir, OWNER_TRANSPORT_KEY_FILE, b, sizeof(b)), 0);
	assert_memory_equal(a, b, sizeof(a));
	/* Another length is refused, never replaced. */
	assert_int_equal(sev_keyfile_bytes(f->dir, OWNER_TRANSPORT_KEY_FILE, a, 16), -EBADMSG);
	snprintf(path, sizeof(path), "%s/short.key", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("short", fp);
	fclose(fp);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(sev_keyfile_bytes(f->dir, "short.key", a, sizeof(a)), -EBADMSG);
	/* Readable by others: refused. */
	snprintf(path, sizeof(path), "%s/%s", f->dir, OWNER_TRANSPORT_KEY_FILE);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sev_keyfile_bytes(f->dir, OWNER_TRANSPORT_KEY_FILE, a, sizeof(a)),
			 -EACCES);
}

/* Processes that make the same key at once (VMs starting together on a
 * fresh platform directory) all end up with the one that landed first. */
static void test_key_files_concurrent(void **state)
{
	struct fx *f = *state;
	enum { PROCS = 8 };
	int fds[PROCS][2];
	uint8_t got[PROCS][32];
	pid_t pid[PROCS];

	for (int round = 0; round < 20; round++) {
		char name[32];

		snprintf(name, sizeof(name), "race%d.key", round);
		for (int i = 0; i < PROCS; i++) {
			assert_int_equal(pipe(fds[i]), 0);
			pid[i] = fork();
			assert_true(pid[i] >= 0);
			if (pid[i] == 0) {
				uint8_t k[32];
				int ret = sev_keyfile_bytes(f->dir, name, k, sizeof(k));

				if (ret == 0 &&
				    write(fds[i][1], k, sizeof(k)) == (ssize_t)sizeof(k))
					_exit(0);
				_exit(1);
			}
			close(fds[i][1]);
		}
		for (int i = 0; i < PROCS; i++) {
			int status;

			assert_int_equal(read(fds[i][0], got[i], 32), 32);
			close(fds[i][0]);
			assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			assert_memory_equal(got[i], got[0], 32);
		}
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_launch_releases_secret),
	    T(test_mismatch_refused),
	    T(test_chain_checked),
	    T(test_proto_round_trip),
	    T(test_proto_malformed),
	    T(test_proto_framing),
	    T(test_split_addr),
	    T(test_key_files),
	    T(test_proto_fuzz),
	    T(test_key_files_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
