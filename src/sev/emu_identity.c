// SPDX-License-Identifier: MIT
/*
 * The emu platform's persistent identity (see emu_identity.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sev/crypto/crypto.h"
#include "sev/emu_identity.h"

/* Read an existing key file: 0, -ENOENT, -EACCES, -EBADMSG or -errno. */
static int read_key(const char *path, EVP_PKEY **out)
{
	struct stat st;
	EVP_PKEY *k;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADMSG;
	}
	if (st.st_mode & 077) {
		close(fd);
		return -EACCES;
	}
	f = fdopen(fd, "r");
	if (!f) {
		int err = -errno;

		close(fd);
		return err;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if (!sev_key_is_p384_private(k)) {
		EVP_PKEY_free(k);
		ERR_clear_error();
		return -EBADMSG;
	}
	*out = k;
	return 0;
}

/* Write a new key file atomically (temporary file, then rename), mode 0600. */
static int write_key(const char *path, EVP_PKEY *k)
{
	char tmp[PATH_MAX];
	BIO *bio = NULL;
	int fd, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* A temporary file left by an interrupted earlier run is stale. */
	if (unlink(tmp) && errno != ENOENT)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* BIO_CLOSE: the BIO closes fd when freed. */
	bio = BIO_new_fd(fd, BIO_CLOSE);
	if (!bio) {
		close(fd);
		ret = -ENOMEM;
		goto fail;
	}
	if (PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_flush(bio) != 1) {
		ERR_clear_error();
		ret = -EIO;
		goto fail;
	}
	if (fsync(fd)) {
		ret = -errno;
		goto fail;
	}
	BIO_free(bio);
	bio = NULL;
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	BIO_free(bio);
	unlink(tmp);
	return ret;
}

static int load_or_create_key(const char *dir, const char *name, EVP_PKEY **out)
{
	char path[PATH_MAX];
	EVP_PKEY *k;
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = read_key(path, out);
	if (ret != -ENOENT)
		return ret;

	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!k) {
		ERR_clear_error();
		return -ENOMEM;
	}
	ret = write_key(path, k);
	if (ret) {
		EVP_PKEY_free(k);
		return ret;
	}
	*out = k;
	return 0;
}

static int build_chain(struct emu_identity *id, const struct sev_build *fw)
{
	int ret;

	ret = sev_cert_build(id->oca_cert, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca,
			     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->oca_cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca);
	if (!ret)
		ret = sev_cert_build(id->pek_cert, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, id->pek,
				     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->pek_cert, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, id->oca);
	if (!ret)
		ret = sev_cert_build(id->pdh_cert, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, id->pdh,
				     fw->api_major, fw->api_minor);
	if (!ret)
		ret = sev_cert_sign(id->pdh_cert, 0, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, id->pek);
	return ret;
}

int emu_identity_load_or_create(const char *dir, const struct sev_build *fw,
				struct emu_identity *id)
{
	struct stat st;
	int ret;

	memset(id, 0, sizeof(*id));
	if (!dir || !*dir || !fw)
		return -EINVAL;
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;

	ret = load_or_create_key(dir, "oca.pem", &id->oca);
	if (!ret)
		ret = load_or_create_key(dir, "pek.pem", &id->pek);
	if (!ret)
		ret = load_or_create_key(dir, "pdh.pem", &id->pdh);
	if (!ret)
		ret = build_chain(id, fw);
	if (ret)
		emu_identity_free(id);
	return ret;
}

void emu_identity_free(struct emu_identity *id)
{
	if (!id)
		return;
	EVP_PKEY_free(id->oca);
	EVP_PKEY_free(id->pek);
	EVP_PKEY_free(id->pdh);
	memset(id, 0, sizeof(*id));
}
