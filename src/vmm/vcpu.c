// SPDX-License-Identifier: MIT
#include "vcpu.h"
#include "kvm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIG_KICK SIGUSR1

static void kick_handler(int sig)
{
	/* Its only job is to make KVM_RUN return EINTR. */
	(void)sig;
}

int vcpu_init_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the interrupted KVM_RUN must return to the loop. */
	return sigaction(SIG_KICK, &sa, NULL) < 0 ? -errno : 0;
}

int vcpu_create(struct vcpu *v, int kvm_fd, int vm_fd, unsigned id, const struct vcpu_ops *ops,
		void *opaque)
{
	int ret, size;

	memset(v, 0, sizeof(*v));
	v->id = id;
	v->fd = -1;
	v->ops = ops;
	v->opaque = opaque;
	v->state = VCPU_CREATED;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	size = kvm_vcpu_mmap_size(kvm_fd);
	if (size < 0)
		return size;
	ret = kvm_create_vcpu(vm_fd, id, &v->fd);
	if (ret < 0)
		return ret;
	v->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	v->run_size = (size_t)size;
	return 0;
}

static void set_state(struct vcpu *v, enum vcpu_event ev)
{
	enum vcpu_state next;

	if (vcpu_state_next(v->state, ev, &next) == 0 && next != v->state) {
		v->state = next;
		pthread_cond_broadcast(&v->cond);
	}
}

/* Called with the lock held, after the request is recorded. */
static void kick(struct vcpu *v)
{
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (v->thread_started)
		pthread_kill(v->thread, SIG_KICK);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t kick_set;
	char name[16];
	int ret;

	/* For top -H, ps -L and /proc/PID/task/TID/comm. */
	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&kick_set);
	sigaddset(&kick_set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &kick_set, NULL);

	pthread_mutex_lock(&v->lock);
	for (;;) {
		if (v->state == VCPU_STOPPING)
			break;
		if (v->state == VCPU_PAUSING && !v->io_pending)
			set_state(v, VCPU_EV_PAUSED);
		if (v->state == VCPU_PAUSED) {
			pthread_cond_wait(&v->cond, &v->lock);
			continue;
		}
		/* RUNNING, or PAUSING with an I/O to complete: then return at once. */
		__atomic_store_n(&v->run->immediate_exit, v->state != VCPU_RUNNING,
				 __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&v->lock);
		ret = kvm_run(v->fd);
		pthread_mutex_lock(&v->lock);
		v->io_pending = false;
		if (ret == -EINTR || ret == -EAGAIN)
			continue;
		if (ret < 0) {
			v->run_error = ret;
			pthread_mutex_unlock(&v->lock);
			v->ops->on_run_error(v, ret, v->opaque);
			pthread_mutex_lock(&v->lock);
			break;
		}
		v->io_pending =
		    v->run->exit_reason == KVM_EXIT_IO || v->run->exit_reason == KVM_EXIT_MMIO;
		pthread_mutex_unlock(&v->lock);
		ret = v->ops->on_exit(v, v->opaque);
		pthread_mutex_lock(&v->lock);
		if (ret)
			break;
	}
	set_state(v, VCPU_EV_EXITED);
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int ret;

	pthread_mutex_lock(&v->lock);
	if (v->state != VCPU_CREATED) {
		pthread_mutex_unlock(&v->lock);
		return -EINVAL;
	}
	set_state(v, VCPU_EV_START);
	ret = -pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (ret == 0)
		v->thread_started = true;
	else
		v->state = VCPU_CREATED;
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vcpu_pause(struct vcpu *v)
{
	int ret = 0;

	pthread_mutex_lock(&v->lock);
	if (vcpu_state_next(v->state, VCPU_EV_PAUSE, &(enum vcpu_state){0})) {
		ret = v->state == VCPU_STOPPED || v->state == VCPU_STOPPING ? -ESRCH : -EINVAL;
		goto out;
	}
	set_state(v, VCPU_EV_PAUSE);
	kick(v);
	while (v->state == VCPU_PAUSING)
		pthread_cond_wait(&v->cond, &v->lock);
	if (v->state != VCPU_PAUSED)
		ret = -ESRCH;
out:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vcpu_request_pause(struct vcpu *v)
{
	int ret = 0;

	pthread_mutex_lock(&v->lock);
	if (v->state != VCPU_RUNNING) {
		ret = -EINVAL;
	} else {
		set_state(v, VCPU_EV_PAUSE);
		/* The vCPU's own thread sees PAUSING when its exit handler returns. */
		if (!pthread_equal(pthread_self(), v->thread))
			kick(v);
	}
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vcpu_wait_paused(struct vcpu *v)
{
	int ret = 0;

	pthread_mutex_lock(&v->lock);
	while (v->state == VCPU_PAUSING)
		pthread_cond_wait(&v->cond, &v->lock);
	if (v->state != VCPU_PAUSED)
		ret = -ESRCH;
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vcpu_resume(struct vcpu *v)
{
	int ret = 0;

	pthread_mutex_lock(&v->lock);
	if (v->state != VCPU_PAUSED && v->state != VCPU_PAUSING)
		ret = -EINVAL;
	else
		set_state(v, VCPU_EV_RESUME);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

void vcpu_stop(struct vcpu *v)
{
	bool join;

	pthread_mutex_lock(&v->lock);
	set_state(v, VCPU_EV_STOP);
	if (v->run && v->state == VCPU_STOPPING)
		kick(v);
	join = v->thread_started;
	v->thread_started = false;
	pthread_mutex_unlock(&v->lock);
	if (join)
		pthread_join(v->thread, NULL);
}

enum vcpu_state vcpu_get_state(struct vcpu *v)
{
	enum vcpu_state s;

	pthread_mutex_lock(&v->lock);
	s = v->state;
	pthread_mutex_unlock(&v->lock);
	return s;
}

void vcpu_destroy(struct vcpu *v)
{
	vcpu_stop(v);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->cond);
	v->run = NULL;
	v->fd = -1;
}
