// SPDX-License-Identifier: MIT
/*
 * Private key files (see keyfile.h).
 */
#include "sev/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "sev/crypto/crypto.h"

static int key_path(char path[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(path, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

/* Open an existing private file: its fd, or -ENOENT, -EBADMSG, -EACCES, -errno. */
static int open_private(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EACCES : -EBADMSG;
	}
	return fd;
}

static int read_p384(const char *path, EVP_PKEY **out)
{
	char pem[8192];
	EVP_PKEY *k = NULL;
	BIO *bio;
	ssize_t n;
	int fd = open_private(path);

	if (fd < 0)
		return fd;
	/* Through our own buffer, not a FILE's, so that the PEM text of the
	 * key can be wiped once parsed. */
	n = read(fd, pem, sizeof(pem));
	close(fd);
	if (n < 0)
		return -errno;
	bio = n < (ssize_t)sizeof(pem) ? BIO_new_mem_buf(pem, (int)n) : NULL;
	if (bio)
		k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	sev_crypto_wipe(pem, sizeof(pem));
	if (!k || !sev_key_is_p384_private(k)) {
		EVP_PKEY_free(k);
		ERR_clear_error();
		return -EBADMSG;
	}
	*out = k;
	return 0;
}

static int read_bytes(const char *path, uint8_t *out, size_t len)
{
	uint8_t buf[512];
	ssize_t n;
	int fd = open_private(path);

	if (fd < 0)
		return fd;
	if (len >= sizeof(buf)) {
		close(fd);
		return -EINVAL;
	}
	/* One byte more than expected tells a longer file from a right one. */
	n = read(fd, buf, len + 1);
	close(fd);
	if (n < 0)
		return -errno;
	if ((size_t)n != len) {
		sev_crypto_wipe(buf, sizeof(buf));
		return -EBADMSG;
	}
	memcpy(out, buf, len);
	sev_crypto_wipe(buf, sizeof(buf));
	return 0;
}

/*
 * Create path, mode 0600, through write_fn(bio, arg), or -EEXIST when it
 * exists already. The file appears whole or not at all: it is written
 * under a unique temporary name and linked into place, and link() fails
 * rather than replace, so two sevm processes making the same key at once
 * (two VMs starting on a fresh platform directory) end up with one key:
 * the loser reads the winner's.
 */
static int create_private(const char *path, int (*write_fn)(BIO *, const void *), const void *arg)
{
	char tmp[PATH_MAX];
	BIO *bio = NULL;
	int fd, ret;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
	if (fd < 0) /* its EEXIST (no free name) is not the key's */
		return errno == EEXIST ? -EIO : -errno;
	/* BIO_CLOSE: the BIO closes fd when freed. */
	bio = BIO_new_fd(fd, BIO_CLOSE);
	if (!bio) {
		close(fd);
		ret = -ENOMEM;
		goto out;
	}
	if (write_fn(bio, arg) != 1 || BIO_flush(bio) != 1) {
		ERR_clear_error();
		ret = -EIO;
		goto out;
	}
	ret = fsync(fd) ? -errno : 0;
	if (!ret && link(tmp, path))
		ret = -errno;
out:
	BIO_free(bio);
	unlink(tmp);
	return ret;
}

static int write_pem(BIO *bio, const void *key)
{
	return PEM_write_bio_PrivateKey(bio, (EVP_PKEY *)key, NULL, NULL, 0, NULL, NULL);
}

struct raw {
	const uint8_t *data;
	size_t len;
};

static int write_raw(BIO *bio, const void *arg)
{
	const struct raw *r = arg;

	return BIO_write(bio, r->data, (int)r->len) == (int)r->len;
}

int sev_keyfile_p384(const char *dir, const char *name, EVP_PKEY **out)
{
	char path[PATH_MAX];
	EVP_PKEY *k;
	int ret = key_path(path, dir, name);

	ret = ret ?: read_p384(path, out);
	if (ret != -ENOENT)
		return ret;
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!k) {
		ERR_clear_error();
		return -ENOMEM;
	}
	ret = create_private(path, write_pem, k);
	if (ret) {
		EVP_PKEY_free(k);
		return ret == -EEXIST ? read_p384(path, out) : ret;
	}
	*out = k;
	return 0;
}

int sev_keyfile_bytes(const char *dir, const char *name, uint8_t *out, size_t len)
{
	char path[PATH_MAX];
	struct raw r = {out, len};
	int ret = key_path(path, dir, name);

	ret = ret ?: read_bytes(path, out, len);
	if (ret != -ENOENT)
		return ret;
	if (RAND_bytes(out, (int)len) != 1)
		return -EIO;
	ret = create_private(path, write_raw, &r);
	if (ret)
		sev_crypto_wipe(out, len);
	return ret == -EEXIST ? read_bytes(path, out, len) : ret;
}

int sev_keydir(const char *dir)
{
	char path[PATH_MAX];
	size_t n = dir ? strlen(dir) : 0;
	struct stat st;

	if (!n || n >= sizeof(path))
		return n ? -ENAMETOOLONG : -EINVAL;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}
