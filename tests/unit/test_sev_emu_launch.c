// SPDX-License-Identifier: MIT
/*
 * Unit tests for the emu backend's SEV-ES launch (src/sev/emu_launch.c),
 * driven as a guest owner would: the owner and platform keys are fresh
 * OpenSSL P-384 keys, the owner derives Z itself, builds the session blob,
 * checks MEASURE against a launch digest it computes independently, and
 * releases a secret only to that measurement.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "sev/crypto/crypto.h"
#include "sev/crypto/measure.h"
#include "sev/crypto/secret.h"
#include "sev/crypto/session.h"
#include "sev/emu_launch.h"
#include "sev/platform.h"
#include "sev/status.h"
#include "sev/vmsa.h"

/* Emulated firmware API 0.24 build 17; the policy asks for API 0.24. */
static const struct sev_build t_fw = {.api_major = 0, .api_minor = 24, .build = 17};
#define T_POLICY (SEV_POLICY_NODBG | SEV_POLICY_ES | (24u << SEV_POLICY_API_MINOR_SHIFT))
#define T_AP_EIP 0xffffb000u
#define T_CPUID_SIG 0x00a00f11u

struct fx {
	EVP_PKEY *owner, *pdh;
	struct emu_launch *emu;
	struct sev_platform *p;
	struct sev_transport_keys tk; /* the owner's */
	struct sev_session_blob blob;
	struct sev_launch_start ls;
	_Alignas(16) uint8_t data[1008]; /* LAUNCH_UPDATE_DATA: 16-byte aligned and sized */
	uint8_t vmsa[2][VMSA_PAGE_SIZE];
	uint8_t pages[2][VMSA_PAGE_SIZE]; /* the firmware's VMSA pages, as the emu fills them */
};

static EVP_PKEY *gen_key(const char *curve)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);

	assert_non_null(k);
	return k;
}

static void pub_octets(EVP_PKEY *k, uint8_t out[SEV_OWNER_PUB_SIZE])
{
	size_t len = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, out,
							 SEV_OWNER_PUB_SIZE, &len),
			 1);
	assert_int_equal(len, SEV_OWNER_PUB_SIZE);
	assert_int_equal(out[0], 0x04);
}

/* Owner side: Z from its private key and the platform's published PDH point. */
static void owner_z(EVP_PKEY *owner, EVP_PKEY *pdh, uint8_t z[48])
{
	uint8_t pub[SEV_OWNER_PUB_SIZE];
	char group[] = "P-384";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *fctx, *dctx;
	EVP_PKEY *peer = NULL;
	size_t zlen = 48;

	pub_octets(pdh, pub);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub));
	params[2] = OSSL_PARAM_construct_end();
	fctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	assert_non_null(fctx);
	assert_int_equal(EVP_PKEY_fromdata_init(fctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(fctx, &peer, EVP_PKEY_PUBLIC_KEY, params), 1);
	dctx = EVP_PKEY_CTX_new(owner, NULL);
	assert_non_null(dctx);
	assert_int_equal(EVP_PKEY_derive_init(dctx), 1);
	assert_int_equal(EVP_PKEY_derive_set_peer(dctx, peer), 1);
	assert_int_equal(EVP_PKEY_derive(dctx, z, &zlen), 1);
	assert_int_equal(zlen, 48);
	EVP_PKEY_CTX_free(dctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_CTX_free(fctx);
}

/* Owner side: a session blob for policy under fresh TEK/TIK, nonce and iv. */
static void owner_session(struct fx *f, uint32_t policy)
{
	uint8_t z[48], nonce[16], iv[16];

	owner_z(f->owner, f->pdh, z);
	assert_int_equal(RAND_bytes(nonce, sizeof(nonce)), 1);
	assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
	assert_int_equal(RAND_bytes(f->tk.tek, sizeof(f->tk.tek)), 1);
	assert_int_equal(RAND_bytes(f->tk.tik, sizeof(f->tk.tik)), 1);
	assert_int_equal(sev_session_build(z, sizeof(z), nonce, iv, &f->tk, policy, &f->blob), 0);
	f->ls.policy = policy;
	f->ls.session = &f->blob;
	pub_octets(f->owner, f->ls.owner_pub);
}

/* A fresh platform bound to two vCPUs without KVM: the secure processor only. */
static struct emu_launch *new_emu(struct fx *f)
{
	struct sev_vm_binding vm = {.vm_fd = -1, .nr_vcpus = 2, .vmsa_pages = f->pages[0]};
	struct emu_launch *e;
	unsigned int fw = 0xdead;

	assert_int_equal(emu_launch_new(f->pdh, &t_fw, &e), 0);
	f->p = emu_launch_platform(e);
	assert_int_equal(f->p->ops->init(f->p, &vm, &fw), 0);
	assert_int_equal(fw, 0);
	return e;
}

static int setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));

	f->owner = gen_key("P-384");
	f->pdh = gen_key("P-384");
	f->emu = new_emu(f);
	for (size_t i = 0; i < sizeof(f->data); i++)
		f->data[i] = (uint8_t)(i * 13 + 1);
	vmsa_init_reset(f->vmsa[0], VMSA_BSP_EIP, T_CPUID_SIG);
	vmsa_init_reset(f->vmsa[1], T_AP_EIP, T_CPUID_SIG);
	owner_session(f, T_POLICY);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	emu_launch_free(f->emu);
	EVP_PKEY_free(f->owner);
	EVP_PKEY_free(f->pdh);
	test_free(f);
	return 0;
}

/* Platform commands; each checks fw_error against the expected status. */
/*
 * Takes fw by pointer: it must be read after the command ran (argument
 * evaluation order is unspecified).
 */
static void expect_status(int ret, const unsigned int *fwp, enum sev_status st)
{
	unsigned int fw = *fwp;

	if (st == SEV_STATUS_SUCCESS) {
		assert_int_equal(ret, 0);
	} else {
		assert_int_equal(ret, -EIO);
		assert_string_equal(sev_status_name(fw), sev_status_name(st));
	}
	assert_int_equal(fw, st);
}

static void start(struct fx *f, enum sev_status st)
{
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_start(f->p, &f->ls, &fw), &fw, st);
}

static void update_data(struct fx *f, enum sev_status st)
{
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_update_data(f->p, f->data, sizeof(f->data), &fw), &fw, st);
}

static void update_vmsa(struct fx *f, unsigned int i, enum sev_status st)
{
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_update_vmsa(f->p, i, f->vmsa[i], &fw), &fw, st);
}

static void measure(struct fx *f, struct sev_launch_measure *m, enum sev_status st)
{
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_measure(f->p, m, &fw), &fw, st);
}

static void finish(struct fx *f, enum sev_status st)
{
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_finish(f->p, &fw), &fw, st);
}

static void check_state(struct fx *f, enum sev_guest_state state, uint32_t policy)
{
	struct sev_guest_status gs;
	unsigned int fw = 0xdead;

	assert_int_equal(f->p->ops->guest_status(f->p, &gs, &fw), 0);
	assert_int_equal(fw, 0);
	assert_int_equal(gs.state, state);
	assert_int_equal(gs.policy, policy);
}

/* Owner side: LD computed independently from the same inputs. */
static void owner_digest(struct fx *f, uint8_t ld[SEV_DIGEST_SIZE])
{
	struct sev_launch_digest d;

	assert_int_equal(sev_launch_digest_init(&d), 0);
	assert_int_equal(sev_launch_digest_add_data(&d, f->data, sizeof(f->data)), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&d, f->vmsa[0]), 0);
	assert_int_equal(sev_launch_digest_add_vmsa(&d, f->vmsa[1]), 0);
	assert_int_equal(sev_launch_digest_final(&d, ld), 0);
}

/* Start, data, two VMSAs, MEASURE: the platform is in LSECRET. */
static void launch_to_lsecret(struct fx *f, struct sev_launch_measure *m)
{
	start(f, SEV_STATUS_SUCCESS);
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	measure(f, m, SEV_STATUS_SUCCESS);
}

/* A 64-byte secret (a multiple of 16, as SEV-ES wants). */
static const char t_secret[64] = "migration transport key: 0123456789abcdef0123456789abcdef";

struct packet {
	struct sev_secret_header hdr;
	uint8_t ct[sizeof(t_secret)];
};

static void owner_packet(struct fx *f, const uint8_t meas[SEV_MAC_SIZE], struct packet *pk)
{
	uint8_t iv[16];

	assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
	assert_int_equal(
	    sev_secret_build(&f->tk, meas, 0, iv, t_secret, sizeof(t_secret), &pk->hdr, pk->ct), 0);
}

static void secret(struct fx *f, const struct packet *pk, void *target, enum sev_status st)
{
	struct sev_launch_secret s = {
	    .hdr = &pk->hdr, .packet = pk->ct, .packet_len = sizeof(pk->ct), .target = target};
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->launch_secret(f->p, &s, &fw), &fw, st);
}

static void test_full_launch(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m, m2;
	uint8_t ld[SEV_DIGEST_SIZE];
	/* 128-aligned: the secret must not straddle a page (emu refuses that). */
	_Alignas(128) uint8_t target[sizeof(t_secret)];
	struct sev_build other_fw = t_fw;
	struct emu_launch *e2;
	struct sev_platform *p2;
	struct packet pk;

	assert_string_equal(f->p->ops->name, "emu");
	check_state(f, SEV_GUEST_STATE_UNINIT, 0);
	assert_false(emu_launch_allows_debug(f->emu));
	assert_false(emu_launch_allows_send(f->emu));

	start(f, SEV_STATUS_SUCCESS);
	check_state(f, SEV_GUEST_STATE_LUPDATE, T_POLICY);
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	memset(&m, 0, sizeof(m));
	measure(f, &m, SEV_STATUS_SUCCESS);
	check_state(f, SEV_GUEST_STATE_LSECRET, T_POLICY);

	/* The owner verifies MEASURE with its TIK against its own LD. */
	owner_digest(f, ld);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m.mnonce, m.measure),
			 0);
	/* ...which is bound to the firmware version and the policy. */
	other_fw.build++;
	assert_int_equal(
	    sev_measure_verify(f->tk.tik, &other_fw, T_POLICY, ld, m.mnonce, m.measure),
	    -SEV_CRYPTO_EBADMEASURE);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY & ~SEV_POLICY_NODBG, ld,
					    m.mnonce, m.measure),
			 -SEV_CRYPTO_EBADMEASURE);

	/* Only now does the owner release the secret. */
	owner_packet(f, m.measure, &pk);
	assert_memory_not_equal(pk.ct, t_secret, sizeof(t_secret));
	memset(target, 0, sizeof(target));
	secret(f, &pk, target, SEV_STATUS_SUCCESS);
	assert_memory_equal(target, t_secret, sizeof(t_secret));
	/* LAUNCH_SECRET may be issued again in LSECRET. */
	memset(target, 0, sizeof(target));
	secret(f, &pk, target, SEV_STATUS_SUCCESS);
	assert_memory_equal(target, t_secret, sizeof(t_secret));

	finish(f, SEV_STATUS_SUCCESS);
	check_state(f, SEV_GUEST_STATE_RUNNING, T_POLICY);
	assert_false(emu_launch_allows_debug(f->emu)); /* NODBG */
	assert_true(emu_launch_allows_send(f->emu));   /* no NOSEND */

	/* A second launch of the same inputs draws a fresh mnonce. */
	p2 = f->p;
	e2 = new_emu(f);
	launch_to_lsecret(f, &m2);
	assert_memory_not_equal(m2.mnonce, m.mnonce, sizeof(m.mnonce));
	assert_memory_not_equal(m2.measure, m.measure, sizeof(m.measure));
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m2.mnonce, m2.measure),
			 0);
	f->p = p2;
	emu_launch_free(e2);
}

static void test_policy_queries(void **state)
{
	struct fx *f = *state;
	uint32_t pol = SEV_POLICY_ES | SEV_POLICY_NOSEND;

	owner_session(f, pol);
	start(f, SEV_STATUS_SUCCESS);
	check_state(f, SEV_GUEST_STATE_LUPDATE, pol);
	assert_true(emu_launch_allows_debug(f->emu));
	assert_false(emu_launch_allows_send(f->emu));
}

static void test_policy_refused(void **state)
{
	struct fx *f = *state;

	/* No ES bit (plain SEV): the emu runs SEV-ES only. */
	owner_session(f, T_POLICY & ~SEV_POLICY_ES);
	start(f, SEV_STATUS_POLICY_FAILURE);
	check_state(f, SEV_GUEST_STATE_UNINIT, 0);
	/* API 0.25 / 1.0 asked of a 0.24 firmware. */
	owner_session(f, SEV_POLICY_ES | (25u << SEV_POLICY_API_MINOR_SHIFT));
	start(f, SEV_STATUS_POLICY_FAILURE);
	owner_session(f, SEV_POLICY_ES | (1u << SEV_POLICY_API_MAJOR_SHIFT));
	start(f, SEV_STATUS_POLICY_FAILURE);
	/* Reserved bits. */
	owner_session(f, SEV_POLICY_ES | (1u << 6));
	start(f, SEV_STATUS_POLICY_FAILURE);
	check_state(f, SEV_GUEST_STATE_UNINIT, 0);
	/* A refused start leaves the guest startable. */
	owner_session(f, SEV_POLICY_ES | (23u << SEV_POLICY_API_MINOR_SHIFT));
	start(f, SEV_STATUS_SUCCESS);
}

static void test_blob_refused(void **state)
{
	struct fx *f = *state;
	struct sev_session_blob good = f->blob;
	EVP_PKEY *stranger;

	/* wrap_mac. */
	f->blob.wrap_mac[5] ^= 0x20;
	start(f, SEV_STATUS_BAD_MEASUREMENT);
	/* wrap_tk (covered by wrap_mac). */
	f->blob = good;
	f->blob.wrap_tk[31] ^= 1;
	start(f, SEV_STATUS_BAD_MEASUREMENT);
	/* policy_mac. */
	f->blob = good;
	f->blob.policy_mac[0] ^= 1;
	start(f, SEV_STATUS_BAD_MEASUREMENT);
	/* A host passing another policy than the owner MAC'd (debug on). */
	f->blob = good;
	f->ls.policy = T_POLICY & ~SEV_POLICY_NODBG;
	start(f, SEV_STATUS_BAD_MEASUREMENT);
	f->ls.policy = T_POLICY;
	/* The blob was made for another owner key (a different Z). */
	stranger = gen_key("P-384");
	pub_octets(stranger, f->ls.owner_pub);
	start(f, SEV_STATUS_BAD_MEASUREMENT);
	EVP_PKEY_free(stranger);
	/* An owner point that is not on the curve. */
	pub_octets(f->owner, f->ls.owner_pub);
	f->ls.owner_pub[96] ^= 1;
	start(f, SEV_STATUS_INVALID_CERTIFICATE);
	f->ls.owner_pub[0] = 0x02;
	start(f, SEV_STATUS_INVALID_CERTIFICATE);
	check_state(f, SEV_GUEST_STATE_UNINIT, 0);

	pub_octets(f->owner, f->ls.owner_pub);
	start(f, SEV_STATUS_SUCCESS);
}

/* Every launch command that is out of order in the current state. */
static void test_out_of_order(void **state)
{
	struct fx *f = *state;
	const enum sev_status bad = SEV_STATUS_INVALID_GUEST_STATE;
	struct sev_launch_measure m;
	/* 128-aligned: the secret must not straddle a page (emu refuses that). */
	_Alignas(128) uint8_t target[sizeof(t_secret)];
	struct packet pk;

	memset(&pk, 0, sizeof(pk));
	memset(target, 0x77, sizeof(target));
	/* UNINIT. */
	update_data(f, bad);
	update_vmsa(f, 0, bad);
	measure(f, &m, bad);
	secret(f, &pk, target, bad);
	finish(f, bad);
	check_state(f, SEV_GUEST_STATE_UNINIT, 0);
	/* LUPDATE. */
	start(f, SEV_STATUS_SUCCESS);
	start(f, bad); /* a second LAUNCH_START */
	secret(f, &pk, target, bad);
	finish(f, bad);
	check_state(f, SEV_GUEST_STATE_LUPDATE, T_POLICY);
	/* LSECRET. */
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	measure(f, &m, SEV_STATUS_SUCCESS);
	start(f, bad);
	update_data(f, bad);
	update_vmsa(f, 0, bad);
	measure(f, &m, bad);
	check_state(f, SEV_GUEST_STATE_LSECRET, T_POLICY);
	/* RUNNING. */
	finish(f, SEV_STATUS_SUCCESS);
	start(f, bad);
	update_data(f, bad);
	update_vmsa(f, 0, bad);
	measure(f, &m, bad);
	owner_packet(f, m.measure, &pk);
	secret(f, &pk, target, bad);
	finish(f, bad);
	check_state(f, SEV_GUEST_STATE_RUNNING, T_POLICY);
	for (size_t i = 0; i < sizeof(target); i++)
		assert_int_equal(target[i], 0x77);
}

static void test_data_after_vmsa(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m;
	uint8_t ld[SEV_DIGEST_SIZE];

	start(f, SEV_STATUS_SUCCESS);
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	update_data(f, SEV_STATUS_INVALID_GUEST_STATE);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	/* The refused region was not measured. */
	measure(f, &m, SEV_STATUS_SUCCESS);
	owner_digest(f, ld);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m.mnonce, m.measure),
			 0);
}

static void test_bad_lengths(void **state)
{
	struct fx *f = *state;
	unsigned int fw = 0xdead;

	start(f, SEV_STATUS_SUCCESS);
	expect_status(f->p->ops->launch_update_data(f->p, f->data, 0, &fw), &fw,
		      SEV_STATUS_INVALID_LENGTH);
	expect_status(f->p->ops->launch_update_data(f->p, f->data, 1000, &fw), &fw,
		      SEV_STATUS_INVALID_LENGTH);
	expect_status(f->p->ops->launch_update_data(f->p, f->data + 8, 16, &fw), &fw,
		      SEV_STATUS_INVALID_ADDRESS);
	/* Argument errors never reach the platform: fw_error 0. */
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_update_data(f->p, NULL, 16, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 0, NULL, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->launch_measure(f->p, NULL, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	fw = 0xdead;
	assert_int_equal(f->p->ops->guest_status(f->p, NULL, &fw), -EINVAL);
	assert_int_equal(fw, 0);
	check_state(f, SEV_GUEST_STATE_LUPDATE, T_POLICY);
}

static void test_secret_tampered(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m;
	_Alignas(128) uint8_t target[sizeof(t_secret) + 16]; /* within one page */
	struct packet pk, bad;
	uint8_t other[SEV_MAC_SIZE];
	struct sev_launch_secret s;
	unsigned int fw;

	launch_to_lsecret(f, &m);
	owner_packet(f, m.measure, &pk);
	memset(target, 0x55, sizeof(target));

	bad = pk;
	bad.ct[10] ^= 1;
	secret(f, &bad, target, SEV_STATUS_BAD_MEASUREMENT);
	bad = pk;
	bad.hdr.mac[31] ^= 0x80;
	secret(f, &bad, target, SEV_STATUS_BAD_MEASUREMENT);
	bad = pk;
	bad.hdr.iv[0] ^= 1;
	secret(f, &bad, target, SEV_STATUS_BAD_MEASUREMENT);
	bad = pk;
	bad.hdr.flags ^= 2;
	secret(f, &bad, target, SEV_STATUS_BAD_MEASUREMENT);
	/* Compressed packets are not supported (AMD: UNSUPPORTED). */
	bad = pk;
	bad.hdr.flags |= SEV_SECRET_FLAG_COMPRESSED;
	secret(f, &bad, target, SEV_STATUS_UNSUPPORTED);
	/* A packet for another measurement. */
	memcpy(other, m.measure, sizeof(other));
	other[0] ^= 1;
	owner_packet(f, other, &bad);
	secret(f, &bad, target, SEV_STATUS_BAD_MEASUREMENT);
	/* Misaligned target, bad lengths. */
	secret(f, &pk, target + 1, SEV_STATUS_INVALID_ADDRESS);
	s = (struct sev_launch_secret){
	    .hdr = &pk.hdr, .packet = pk.ct, .packet_len = 24, .target = target};
	fw = 0xdead;
	expect_status(f->p->ops->launch_secret(f->p, &s, &fw), &fw, SEV_STATUS_INVALID_LENGTH);
	s.packet_len = 0;
	expect_status(f->p->ops->launch_secret(f->p, &s, &fw), &fw, SEV_STATUS_INVALID_LENGTH);
	/* Nothing reached the target. */
	for (size_t i = 0; i < sizeof(target); i++)
		assert_int_equal(target[i], 0x55);
	/* The genuine packet still goes through. */
	secret(f, &pk, target, SEV_STATUS_SUCCESS);
	assert_memory_equal(target, t_secret, sizeof(t_secret));
	check_state(f, SEV_GUEST_STATE_LSECRET, T_POLICY);
}

/* The platform measured something else than the owner expects. */
static void test_measurement_mismatch(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m;
	uint8_t ld[SEV_DIGEST_SIZE];

	owner_digest(f, ld);

	/* One byte of firmware differs. */
	f->data[500] ^= 1;
	launch_to_lsecret(f, &m);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m.mnonce, m.measure),
			 -SEV_CRYPTO_EBADMEASURE);
	f->data[500] ^= 1;

	/* A VMSA differs (an AP starting elsewhere). */
	emu_launch_free(f->emu);
	f->emu = new_emu(f);
	vmsa_put_u64(f->vmsa[1], VMSA_RIP, 0x1234);
	launch_to_lsecret(f, &m);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m.mnonce, m.measure),
			 -SEV_CRYPTO_EBADMEASURE);

	/* VMSAs in another order. */
	emu_launch_free(f->emu);
	f->emu = new_emu(f);
	vmsa_init_reset(f->vmsa[1], T_AP_EIP, T_CPUID_SIG);
	start(f, SEV_STATUS_SUCCESS);
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	measure(f, &m, SEV_STATUS_SUCCESS);
	assert_int_equal(sev_measure_verify(f->tk.tik, &t_fw, T_POLICY, ld, m.mnonce, m.measure),
			 -SEV_CRYPTO_EBADMEASURE);
}

static void test_new_refuses(void **state)
{
	struct fx *f = *state;
	struct emu_launch *e = (struct emu_launch *)(uintptr_t)1; /* must become NULL */
	EVP_PKEY *p256 = gen_key("P-256");
	uint8_t pub[SEV_OWNER_PUB_SIZE];
	char group[] = "P-384";
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pub_only = NULL;

	assert_int_equal(emu_launch_new(p256, &t_fw, &e), -EINVAL);
	assert_null(e);
	assert_int_equal(emu_launch_new(NULL, &t_fw, &e), -EINVAL);
	assert_int_equal(emu_launch_new(f->pdh, NULL, &e), -EINVAL);
	/* The PDH needs its private half. */
	pub_octets(f->pdh, pub);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub));
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pub_only, EVP_PKEY_PUBLIC_KEY, params), 1);
	assert_int_equal(emu_launch_new(pub_only, &t_fw, &e), -EINVAL);
	EVP_PKEY_free(pub_only);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(p256);
	emu_launch_free(NULL);
}

static void test_vmsa_pages_and_init(void **state)
{
	struct fx *f = *state;
	struct sev_vm_binding vm = {.vm_fd = -1, .nr_vcpus = 2, .vmsa_pages = f->pages[0]};
	unsigned int fw = 0xdead;

	/* Bound once only. */
	expect_status(f->p->ops->init(f->p, &vm, &fw), &fw, SEV_STATUS_INVALID_GUEST_STATE);
	start(f, SEV_STATUS_SUCCESS);
	update_data(f, SEV_STATUS_SUCCESS);
	update_vmsa(f, 0, SEV_STATUS_SUCCESS);
	update_vmsa(f, 1, SEV_STATUS_SUCCESS);
	/* As the CPU would, the emu keeps each VMSA in the vCPU's page. */
	assert_memory_equal(f->pages[0], f->vmsa[0], VMSA_PAGE_SIZE);
	assert_memory_equal(f->pages[1], f->vmsa[1], VMSA_PAGE_SIZE);
	/* A vCPU the binding does not have. */
	assert_int_equal(f->p->ops->launch_update_vmsa(f->p, 2, f->vmsa[0], &fw), -EINVAL);
}

static void test_debug_decrypt(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m;
	uint8_t src[32] = "private bytes", dst[32] = {0};
	unsigned int fw = 0xdead;

	expect_status(f->p->ops->debug_decrypt(f->p, src, dst, sizeof(src), &fw), &fw,
		      SEV_STATUS_INVALID_GUEST_STATE);
	launch_to_lsecret(f, &m);
	/* T_POLICY has NODBG. */
	expect_status(f->p->ops->debug_decrypt(f->p, src, dst, sizeof(src), &fw), &fw,
		      SEV_STATUS_POLICY_FAILURE);
	assert_int_equal(dst[0], 0);

	emu_launch_free(f->emu);
	f->emu = new_emu(f);
	owner_session(f, T_POLICY & ~SEV_POLICY_NODBG);
	launch_to_lsecret(f, &m);
	expect_status(f->p->ops->debug_decrypt(f->p, src, dst, sizeof(src), &fw), &fw,
		      SEV_STATUS_SUCCESS);
	assert_memory_equal(dst, src, sizeof(src));
}

static void test_migration_ops_checks(void **state)
{
	struct fx *f = *state;
	struct sev_launch_measure m;
	unsigned int fw = 0xdead;

	/* Without KVM vCPUs there is nothing to save or resume. */
	assert_int_equal(f->p->ops->save_vcpu_vmsa(f->p, 0, &fw), -EINVAL);
	assert_int_equal(f->p->ops->resume_vcpu_from_vmsa(f->p, 0, &fw), -EINVAL);
	launch_to_lsecret(f, &m);
	finish(f, SEV_STATUS_SUCCESS);
	assert_int_equal(f->p->ops->save_vcpu_vmsa(f->p, 0, &fw), -EINVAL);
	assert_int_equal(fw, 0);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(sev_status_name(SEV_STATUS_SUCCESS), "SUCCESS");
	assert_string_equal(sev_status_name(0x01), "INVALID_PLATFORM_STATE");
	assert_string_equal(sev_status_name(0x02), "INVALID_GUEST_STATE");
	assert_string_equal(sev_status_name(0x07), "POLICY_FAILURE");
	assert_string_equal(sev_status_name(0x0b), "BAD_MEASUREMENT");
	assert_string_equal(sev_status_name(0x15), "UNSUPPORTED");
	assert_string_equal(sev_status_name(0x27), "INVALID_KEY");
	assert_string_equal(sev_status_name(0x1e), "UNKNOWN");
	assert_string_equal(sev_status_name(0x28), "UNKNOWN");
	assert_string_equal(sev_status_name(~0u), "UNKNOWN");
	for (unsigned int s = 0; s <= 0x27; s++)
		assert_non_null(sev_status_name(s));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_full_launch),  T(test_policy_queries),	T(test_policy_refused),
	    T(test_blob_refused), T(test_out_of_order),		T(test_data_after_vmsa),
	    T(test_bad_lengths),  T(test_secret_tampered),	T(test_measurement_mismatch),
	    T(test_new_refuses),  T(test_vmsa_pages_and_init), T(test_debug_decrypt), T(test_migration_ops_checks), cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
