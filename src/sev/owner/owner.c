// SPDX-License-Identifier: MIT
/*
 * The guest owner's two launch steps (see owner.h).
 */
#include "sev/owner/owner.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sev/keyfile.h"
#include "sev/launch_inputs.h"
#include "util.h"

static const struct {
	const char *code, *text;
} refusals[] = {
    [OWNER_OK] = {"ok", "ok"},
    [OWNER_BAD_REQUEST] = {"bad-request", "malformed request"},
    [OWNER_UNTRUSTED_PLATFORM] = {"untrusted-platform", "untrusted platform certificate chain"},
    [OWNER_MEASUREMENT_MISMATCH] = {"measurement-mismatch", "measurement mismatch"},
    [OWNER_INTERNAL] = {"internal", "owner internal error"},
};

const char *owner_refusal_code(enum owner_refusal r)
{
	return (unsigned)r < ARRAY_SIZE(refusals) ? refusals[r].code : "internal";
}

const char *owner_refusal_text(enum owner_refusal r)
{
	return (unsigned)r < ARRAY_SIZE(refusals) ? refusals[r].text : "owner internal error";
}

__attribute__((format(printf, 4, 5))) static enum owner_refusal
refuse(enum owner_refusal r, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return r;
}

int owner_init_dir(const char *dir)
{
	uint8_t key[FW_TRANSPORT_KEY_SIZE];
	EVP_PKEY *k = NULL;
	int ret = sev_keydir(dir);

	ret = ret ?: sev_keyfile_p384(dir, OWNER_KEY_FILE, &k);
	ret = ret ?: sev_keyfile_bytes(dir, OWNER_TRANSPORT_KEY_FILE, key, sizeof(key));
	EVP_PKEY_free(k);
	sev_crypto_wipe(key, sizeof(key));
	return ret;
}

static int key_error(char *err, size_t errlen, const char *dir, const char *file, int ret)
{
	snprintf(err, errlen, "owner directory %s: %s: %s", dir, file,
		 ret == -EBADMSG	? "not a key of the expected kind"
		 : ret == -EACCES ? "readable or writable by group or others (chmod 600)"
				  : strerror(-ret));
	return ret;
}

/* Without create, both key files must be there already. */
static int keys_present(const char *dir, char *err, size_t errlen)
{
	static const char *const files[] = {OWNER_KEY_FILE, OWNER_TRANSPORT_KEY_FILE};
	char path[4096];
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if (stat(path, &st)) {
			int e = errno;

			snprintf(err, errlen, "owner directory %s: %s: %s (make the keys with "
					      "`sevm owner init %s`)",
				 dir, files[i], strerror(e), dir);
			return -e;
		}
	}
	return 0;
}

int owner_open(struct owner *o, const char *dir, const struct vm_config *expect, bool create,
	       char *err, size_t errlen)
{
	uint32_t sig;
	int ret;

	memset(o, 0, sizeof(*o));
	if (!expect->sev.enabled) {
		snprintf(err, errlen, "%s has no [sev] table: it describes no SEV-ES launch",
			 expect->path);
		return -EINVAL;
	}
	ret = create ? sev_keydir(dir) : keys_present(dir, err, errlen);
	if (ret)
		return create ? key_error(err, errlen, dir, ".", ret) : ret;
	ret = sev_keyfile_p384(dir, OWNER_KEY_FILE, &o->key);
	if (ret)
		return key_error(err, errlen, dir, OWNER_KEY_FILE, ret);
	ret = sev_keyfile_bytes(dir, OWNER_TRANSPORT_KEY_FILE, o->transport_key,
				sizeof(o->transport_key));
	if (ret) {
		owner_close(o);
		return key_error(err, errlen, dir, OWNER_TRANSPORT_KEY_FILE, ret);
	}
	sig = sev_launch_cpu_signature(expect, sev_host_cpu_signature());
	ret = sev_launch_expected_digest(expect, sig, o->expected_ld);
	if (ret) {
		owner_close(o);
		snprintf(err, errlen, "expected launch digest of %s: %s", expect->path,
			 strerror(-ret));
		return ret;
	}
	o->expected_policy = expect->sev.policy;
	return 0;
}

int owner_pin_oca(struct owner *o, const char *path, char *err, size_t errlen)
{
	uint8_t *data;
	size_t len;
	int ret = file_read_all(path, SEV_CERT_SIZE + 1, &data, &len);

	if (ret) {
		snprintf(err, errlen, "platform OCA %s: %s", path, strerror(-ret));
		return ret;
	}
	if (len != SEV_CERT_SIZE || sev_cert_usage(data) != SEV_USAGE_OCA ||
	    sev_cert_verify_by(data, data)) {
		snprintf(err, errlen, "platform OCA %s: not a self-signed SEV OCA certificate",
			 path);
		free(data);
		return -EINVAL;
	}
	memcpy(o->oca_pubkey, data + SEV_CERT_OFF_PUBKEY, SEV_CERT_PUBKEY_SIZE);
	o->pin_oca = true;
	free(data);
	return 0;
}

void owner_close(struct owner *o)
{
	EVP_PKEY_free(o->key);
	sev_crypto_wipe(o, sizeof(*o));
}

void owner_launch_end(struct owner_launch *l)
{
	sev_crypto_wipe(l, sizeof(*l));
}

static bool older(const struct sev_build *a, const struct sev_build *b)
{
	uint32_t va = (uint32_t)a->api_major << 16 | a->api_minor << 8 | a->build;
	uint32_t vb = (uint32_t)b->api_major << 16 | b->api_minor << 8 | b->build;

	return va < vb;
}

/* OCA self-signed (and pinned, if so configured) -> PEK -> PDH (AMD SEV API §2.1). */
static enum owner_refusal check_chain(const struct owner *o, const struct owner_start_req *req,
				      char *why, size_t whylen)
{
	if (sev_cert_usage(req->oca) != SEV_USAGE_OCA || sev_cert_usage(req->pek) != SEV_USAGE_PEK ||
	    sev_cert_usage(req->pdh) != SEV_USAGE_PDH)
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen,
			      "certificates are not OCA, PEK, PDH");
	if (sev_cert_algo(req->pdh) != SEV_ALGO_ECDH_SHA256 &&
	    sev_cert_algo(req->pdh) != SEV_ALGO_ECDH_SHA384)
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "PDH is not an ECDH key");
	if (sev_cert_verify_by(req->oca, req->oca))
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "OCA is not self-signed");
	if (sev_cert_verify_by(req->pek, req->oca))
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "PEK is not signed by the OCA");
	if (sev_cert_verify_by(req->pdh, req->pek))
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "PDH is not signed by the PEK");
	if (o->pin_oca &&
	    !sev_crypto_equal(req->oca + SEV_CERT_OFF_PUBKEY, o->oca_pubkey, SEV_CERT_PUBKEY_SIZE))
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen,
			      "OCA is not the pinned platform's");
	if (!o->pin_oca && !o->trust_any)
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "no platform is trusted");
	if (o->min_fw_set && older(&req->build, &o->min_fw))
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen,
			      "platform firmware %u.%u build %u is older than %u.%u build %u",
			      req->build.api_major, req->build.api_minor, req->build.build,
			      o->min_fw.api_major, o->min_fw.api_minor, o->min_fw.build);
	return OWNER_OK;
}

static enum owner_refusal make_session(const struct owner *o, struct owner_launch *l,
				       const struct owner_start_req *req,
				       struct owner_session *out, char *why, size_t whylen)
{
	uint8_t z[SEV_P384_Z_SIZE], nonce[SEV_NONCE_SIZE], iv[SEV_IV_SIZE];
	EVP_PKEY *pdh = NULL;
	int ret = sev_cert_pubkey(req->pdh, &pdh);

	if (ret)
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "PDH key unusable");
	ret = sev_ecdh_p384(o->key, pdh, z);
	EVP_PKEY_free(pdh);
	if (ret)
		return refuse(OWNER_UNTRUSTED_PLATFORM, why, whylen, "ECDH with the PDH failed");
	if (RAND_bytes(nonce, sizeof(nonce)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1 ||
	    RAND_bytes(l->tk.tek, sizeof(l->tk.tek)) != 1 ||
	    RAND_bytes(l->tk.tik, sizeof(l->tk.tik)) != 1)
		ret = -EIO;
	ret = ret ?: sev_session_build(z, sizeof(z), nonce, iv, &l->tk, req->policy, &out->blob);
	sev_crypto_wipe(z, sizeof(z));
	ret = ret ?: sev_p384_point(o->key, out->owner_pub);
	ret = ret
	      ?: sev_cert_build(out->owner_cert, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, o->key,
				req->build.api_major, req->build.api_minor);
	if (ret)
		return refuse(OWNER_INTERNAL, why, whylen, "session: %s", sev_crypto_strerror(ret));
	return OWNER_OK;
}

enum owner_refusal owner_start(const struct owner *o, struct owner_launch *l,
			       const struct owner_start_req *req, struct owner_session *out,
			       char *why, size_t whylen)
{
	enum owner_refusal r;

	owner_launch_end(l);
	memset(out, 0, sizeof(*out));
	r = check_chain(o, req, why, whylen);
	r = r ?: make_session(o, l, req, out, why, whylen);
	if (r) {
		owner_launch_end(l);
		return r;
	}
	/*
	 * The session is for the policy the host asked for; a policy other
	 * than the expected one shows up as a measurement mismatch (MEASURE
	 * covers the policy), and one without ES is the platform's to refuse.
	 */
	out->policy = req->policy;
	l->policy = req->policy;
	l->build = req->build;
	l->started = true;
	return OWNER_OK;
}

/* One {GUID, u32 length, data} entry at p; returns the bytes written. */
static size_t put_entry(uint8_t *p, const uint8_t guid[FW_GUID_SIZE], const uint8_t *data,
			size_t len)
{
	memcpy(p, guid, FW_GUID_SIZE);
	sev_put_le32(p + FW_GUID_SIZE, (uint32_t)(FW_SECRET_ENTRY_HEADER_SIZE + len));
	memcpy(p + FW_SECRET_ENTRY_HEADER_SIZE, data, len);
	return FW_SECRET_ENTRY_HEADER_SIZE + len;
}

size_t owner_secret_table(const uint8_t key[FW_TRANSPORT_KEY_SIZE], uint8_t *buf, size_t len)
{
	static const uint8_t table_guid[] = FW_GUID_SECRET_TABLE;
	static const uint8_t key_guid[] = FW_GUID_SECRET_TRANSPORT_KEY;
	static const uint8_t id_guid[] = FW_GUID_SECRET_LAUNCH_ID;
	uint8_t id[FW_SECRET_LAUNCH_ID_SIZE];
	size_t used = FW_SECRET_HEADER_SIZE + 2 * FW_SECRET_ENTRY_HEADER_SIZE +
		      FW_TRANSPORT_KEY_SIZE + sizeof(id);
	size_t total = ALIGN_UP(used, (size_t)16), off = FW_SECRET_HEADER_SIZE;

	if (len < total || RAND_bytes(id, sizeof(id)) != 1)
		return 0;
	memset(buf, 0, total);
	memcpy(buf, table_guid, FW_GUID_SIZE);
	sev_put_le32(buf + FW_GUID_SIZE, (uint32_t)total);
	off += put_entry(buf + off, key_guid, key, FW_TRANSPORT_KEY_SIZE);
	put_entry(buf + off, id_guid, id, sizeof(id));
	return total;
}

enum owner_refusal owner_verify(const struct owner *o, struct owner_launch *l,
				const struct sev_launch_measure *m, struct owner_secret *out,
				char *why, size_t whylen)
{
	uint8_t table[FW_SECRET_TABLE_MAX], iv[SEV_IV_SIZE];
	enum owner_refusal r = OWNER_OK;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!l->started) {
		r = refuse(OWNER_BAD_REQUEST, why, whylen, "measurement before a session");
		goto out;
	}
	ret = sev_measure_verify(l->tk.tik, &l->build, o->expected_policy, o->expected_ld,
				 m->mnonce, m->measure);
	if (ret == -SEV_CRYPTO_EBADMEASURE) {
		if (l->policy != o->expected_policy)
			r = refuse(OWNER_MEASUREMENT_MISMATCH, why, whylen,
				   "policy %#x, expected %#x", l->policy, o->expected_policy);
		else
			r = refuse(OWNER_MEASUREMENT_MISMATCH, why, whylen,
				   "launch digest differs");
		goto out;
	}
	len = owner_secret_table(o->transport_key, table, sizeof(table));
	if (ret || !len || RAND_bytes(iv, sizeof(iv)) != 1) {
		r = refuse(OWNER_INTERNAL, why, whylen, "secret: %s", sev_crypto_strerror(ret));
		goto out;
	}
	ret = sev_secret_build(&l->tk, m->measure, 0, iv, table, len, &out->hdr, out->ciphertext);
	ret = ret ?: sev_sha256(table, len, out->table_sha256);
	if (ret) {
		r = refuse(OWNER_INTERNAL, why, whylen, "secret: %s", sev_crypto_strerror(ret));
		goto out;
	}
	out->len = len;
out:
	sev_crypto_wipe(table, sizeof(table));
	owner_launch_end(l);
	return r;
}
