// SPDX-License-Identifier: MIT
/*
 * The SEV-ES launch (see vm_sev.h). sevm plays the untrusted host here: it
 * carries the owner's session to the platform and the platform's
 * measurement to the owner, and never sees the secret in the clear.
 */
#include "vm_sev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sev/emu_identity.h"
#include "sev/emu_launch.h"
#include "sev/launch_inputs.h"
#include "sev/owner/channel.h"
#include "vcpu_regs.h"
#include "vm.h"

#define FAULT_ENV "SEVM_TEST_FAULT"

/* The SEV API version and build the emu reports (SEV API 0.24, the SEV-ES one). */
static const struct sev_build emu_build = {.api_major = 0, .api_minor = 24, .build = 1};

/*
 * SEVM_TEST_FAULT=sev:WHAT (docs/testing.md) makes sevm the malicious host
 * of the tests: it flips one bit of the session blob, of the measurement
 * it forwards, or of the secret packet.
 */
enum sev_fault { FAULT_NONE, FAULT_SESSION, FAULT_MEASURE, FAULT_SECRET };

static int sev_fault(enum sev_fault *f, char *err, size_t errlen)
{
	const char *v = getenv(FAULT_ENV);

	*f = FAULT_NONE;
	if (!v || strncmp(v, "sev:", 4))
		return 0;
	if (!strcmp(v, "sev:session"))
		*f = FAULT_SESSION;
	else if (!strcmp(v, "sev:measure"))
		*f = FAULT_MEASURE;
	else if (!strcmp(v, "sev:secret"))
		*f = FAULT_SECRET;
	else
		return vm_error(err, errlen, 0, "%s=%s is not a known fault", FAULT_ENV, v);
	return 0;
}

/* A command the platform refused: name it and the SEV status. */
static int platform_refused(char *err, size_t errlen, int ret, unsigned int fw, const char *cmd)
{
	if (fw) {
		snprintf(err, errlen, "%s refused by the SEV platform: %s (status %#x)", cmd,
			 sev_status_name(fw), fw);
		return -EACCES;
	}
	return vm_error(err, errlen, ret, "%s", cmd);
}

/* The emu's public OCA certificate, for owners that pin the platform (--trust-oca). */
static void publish_oca(const char *dir, const struct emu_identity *id)
{
	char path[4096], tmp[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/oca.cert", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, id->oca_cert, SEV_CERT_SIZE) == SEV_CERT_SIZE && !fsync(fd))
		(void)!rename(tmp, path);
	close(fd);
	unlink(tmp);
}

static int create_platform(struct vm *vm, struct emu_identity *id, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct sev_vm_binding b;
	unsigned int fw = 0;
	int ret = emu_identity_load_or_create(cfg->sev.platform_dir, &emu_build, id);

	if (ret) {
		vm_error(err, errlen, ret, "emu platform identity in %s%s", cfg->sev.platform_dir,
			 ret == -EACCES	   ? " (a key file is readable by group or others)"
			 : ret == -EBADMSG ? " (a key file is not a P-384 private key)"
					   : "");
		/* A local file problem, not a refusal by owner or platform. */
		return ret == -EACCES ? -EPERM : ret;
	}
	publish_oca(cfg->sev.platform_dir, id);
	ret = emu_launch_new(id->pdh, &emu_build, &vm->sev_emu);
	if (ret)
		return vm_error(err, errlen, ret, "emu platform");
	vm->sev = emu_launch_platform(vm->sev_emu);
	vm->sev_vcpu_fds = calloc(vm->nr_vcpus, sizeof(int));
	if (!vm->sev_vcpu_fds)
		return vm_error(err, errlen, -ENOMEM, "emu platform");
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->sev_vcpu_fds[i] = vm->vcpus[i].fd;
	b = (struct sev_vm_binding){
	    .vm_fd = vm->vm_fd,
	    .nr_vcpus = vm->nr_vcpus,
	    .vcpu_fds = vm->sev_vcpu_fds,
	    .vmsa_pages = mem_gpa_to_hva(&vm->mem, cfg->firmware.info.vmsa_base,
					 (uint64_t)vm->nr_vcpus * VMSA_PAGE_SIZE),
	};
	if (!b.vmsa_pages)
		return vm_error(err, errlen, 0, "the firmware's VMSA pages are not guest memory");
	ret = vm->sev->ops->init(vm->sev, &b, &fw);
	return ret ? platform_refused(err, errlen, ret, fw, "INIT") : 0;
}

/* LAUNCH_UPDATE_DATA over the image, then each vCPU's VMSA, sealing it. */
static int measure_guest(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(vm->cpuid, 1, 0);
	uint32_t sig = sev_launch_cpu_signature(cfg, leaf1 ? leaf1->eax : 0);
	uint8_t page[VMSA_PAGE_SIZE];
	unsigned int fw = 0;
	void *img = mem_gpa_to_hva(&vm->mem, vm->mem.fw.gpa, vm->mem.fw.size);
	int ret;

	if (!img)
		return vm_error(err, errlen, 0, "the firmware image is not guest memory");
	ret = vm->sev->ops->launch_update_data(vm->sev, img, vm->mem.fw.size, &fw);
	if (ret)
		return platform_refused(err, errlen, ret, fw, "LAUNCH_UPDATE_DATA");
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		sev_launch_initial_vmsa(cfg, i, sig, page);
		ret = vm->sev->ops->launch_update_vmsa(vm->sev, i, page, &fw);
		if (ret)
			return platform_refused(err, errlen, ret, fw, "LAUNCH_UPDATE_VMSA");
		vcpu_protect_state(&vm->vcpus[i]);
	}
	return 0;
}

static int inject_secret(struct vm *vm, struct owner_secret *s, enum sev_fault fault, char *err,
			 size_t errlen)
{
	const struct fw_region *block = &vm->cfg->firmware.secret;
	struct sev_launch_secret ls;
	unsigned int fw = 0;
	int ret;

	if (s->len > block->size)
		return vm_error(err, errlen, 0,
				"the owner's secret (%zu bytes) does not fit the secret block (%u)",
				s->len, block->size);
	if (fault == FAULT_SECRET)
		s->ciphertext[s->len / 2] ^= 0x01;
	ls = (struct sev_launch_secret){
	    .hdr = &s->hdr,
	    .packet = s->ciphertext,
	    .packet_len = s->len,
	    .target = mem_gpa_to_hva(&vm->mem, block->base, s->len),
	};
	if (!ls.target)
		return vm_error(err, errlen, 0, "the secret block is not guest memory");
	ret = vm->sev->ops->launch_secret(vm->sev, &ls, &fw);
	return ret ? platform_refused(err, errlen, ret, fw, "LAUNCH_SECRET") : 0;
}

/* The owner refused (-EACCES: "attestation failed") or could not be reached. */
static int owner_failed(char *err, size_t errlen, int ret, const char *why)
{
	if (ret == -EACCES)
		snprintf(err, errlen, "attestation failed: %s", why);
	else
		snprintf(err, errlen, "%s", why);
	return ret;
}

/* Everything after the platform exists, with the owner on the line. */
static int attest(struct vm *vm, struct owner_channel *ch, const struct emu_identity *id,
		  enum sev_fault fault, char *err, size_t errlen)
{
	struct owner_start_req req = {.policy = vm->cfg->sev.policy, .build = emu_build};
	struct owner_session session;
	struct sev_launch_start ls;
	struct sev_launch_measure m;
	struct owner_secret *secret;
	char why[200];
	unsigned int fw = 0;
	int ret;

	memcpy(req.oca, id->oca_cert, SEV_CERT_SIZE);
	memcpy(req.pek, id->pek_cert, SEV_CERT_SIZE);
	memcpy(req.pdh, id->pdh_cert, SEV_CERT_SIZE);
	ret = owner_channel_start(ch, &req, &session, why, sizeof(why));
	if (ret)
		return owner_failed(err, errlen, ret, why);
	if (fault == FAULT_SESSION)
		session.blob.wrap_tk[0] ^= 0x01;
	ls = (struct sev_launch_start){.policy = session.policy, .session = &session.blob};
	memcpy(ls.owner_pub, session.owner_pub, SEV_OWNER_PUB_SIZE);
	ret = vm->sev->ops->launch_start(vm->sev, &ls, &fw);
	if (ret)
		return platform_refused(err, errlen, ret, fw, "LAUNCH_START");
	ret = measure_guest(vm, err, errlen);
	if (ret)
		return ret;
	ret = vm->sev->ops->launch_measure(vm->sev, &m, &fw);
	if (ret)
		return platform_refused(err, errlen, ret, fw, "LAUNCH_MEASURE");
	if (fault == FAULT_MEASURE)
		m.measure[0] ^= 0x01;

	secret = malloc(sizeof(*secret));
	if (!secret)
		return vm_error(err, errlen, -ENOMEM, "secret");
	ret = owner_channel_verify(ch, &m, secret, why, sizeof(why));
	ret = ret ? owner_failed(err, errlen, ret, why) : inject_secret(vm, secret, fault, err, errlen);
	sev_crypto_wipe(secret, sizeof(*secret));
	free(secret);
	if (ret)
		return ret;
	ret = vm->sev->ops->launch_finish(vm->sev, &fw);
	return ret ? platform_refused(err, errlen, ret, fw, "LAUNCH_FINISH") : 0;
}

int vm_sev_launch(struct vm *vm, char *err, size_t errlen)
{
	struct emu_identity id;
	struct owner_channel ch;
	enum sev_fault fault;
	int ret = sev_fault(&fault, err, errlen);

	if (ret)
		return ret;
	ret = create_platform(vm, &id, err, errlen);
	if (ret) {
		emu_identity_free(&id);
		return ret;
	}
	ret = owner_channel_open(&ch, vm->cfg, err, errlen);
	if (!ret) {
		ret = attest(vm, &ch, &id, fault, err, errlen);
		owner_channel_close(&ch);
	}
	emu_identity_free(&id);
	if (!ret)
		fprintf(stderr, "sevm: SEV-ES launch attested (platform %s, policy %#x)\n",
			vm->sev->ops->name, vm->cfg->sev.policy);
	return ret;
}

void vm_sev_destroy(struct vm *vm)
{
	emu_launch_free(vm->sev_emu);
	vm->sev_emu = NULL;
	vm->sev = NULL;
	free(vm->sev_vcpu_fds);
	vm->sev_vcpu_fds = NULL;
}
