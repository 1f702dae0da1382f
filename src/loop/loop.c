/* The io_uring event loop: one ring, batched completion reaping, timers on a heap,
 * end-of-turn hooks for batching, eventfd wakeups, signalfd and buffer rings. */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"

struct Loop {
	struct io_uring ring;
	struct LoopWake *zombies; /* freed wakes whose read is still in flight */
	struct LoopSignals *signals;
	uint64_t now;
	bool quit;
	int quit_code;
	LoopDefer *defer_head;
	LoopTimer **heap;
	unsigned heap_len, heap_cap;
};

struct LoopWake {
	Loop *loop;
	LoopOp op;
	int fd;
	uint64_t val;
	bool armed;   /* a read is in flight: the LoopWake may not be freed before it completes */
	bool closing; /* freed by the owner; release on the final completion */
	LoopWake *znext;
	void (*cb)(void *userdata);
	void *userdata;
};

struct LoopBufRing {
	Loop *loop;
	struct io_uring_buf_ring *br;
	size_t ring_bytes;
	uint8_t *bufs;
	unsigned count, size, mask;
	uint16_t bgid;
};

struct LoopSignals {
	Loop *loop;
	LoopOp op;
	int fd;
	struct signalfd_siginfo si;
	void (*cb)(void *userdata, int signo);
	void *userdata;
};
typedef struct LoopSignals LoopSignals;

static bool running_on_valgrind(void)
{
#if defined(HAVE_VALGRIND_MEMCHECK_H)
	return RUNNING_ON_VALGRIND;
#else
	return false;
#endif
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int loop_new(Loop **ret, unsigned entries)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQSIZE,
		.cq_entries = entries * 8,
	};
	Loop *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	r = io_uring_queue_init_params(entries, &l->ring, &p);
	if (r == -EINVAL) {
		/* Older kernels lack some flags: fall back to a plain ring. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = entries * 8;
		r = io_uring_queue_init_params(entries, &l->ring, &p);
	}
	if (r < 0) {
		free(l);
		return r;
	}
	{
		/* Work punted to io_uring's workers (sends marked IOSQE_ASYNC) runs in at most
		 * one thread per CPU: thousands of namespaces' sends must not become thousands of
		 * threads contending for rtnl_lock. Older kernels lack the knob: not fatal. */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		unsigned max_workers[2] = { 0, ncpu > 0 ? (unsigned)ncpu : 1 }; /* bound, unbound */

		(void)io_uring_register_iowq_max_workers(&l->ring, max_workers);
	}
	l->now = now_ns();
	*ret = l;
	return 0;
}

void loop_free(Loop *l)
{
	if (!l)
		return;
	io_uring_queue_exit(&l->ring);
	/* The ring is gone, so nothing can write into these any more. */
	if (l->signals) {
		close(l->signals->fd);
		free(l->signals);
	}
	while (l->zombies) {
		LoopWake *w = l->zombies;
		l->zombies = w->znext;
		close(w->fd);
		free(w);
	}
	free(l->heap);
	free(l);
}

struct io_uring *loop_ring(Loop *l)
{
	return &l->ring;
}

struct io_uring_sqe *loop_sqe(Loop *l, LoopOp *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	while (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	io_uring_sqe_set_data(sqe, op);
	return sqe;
}

uint64_t loop_now(Loop *l)
{
	return l->now;
}

void loop_quit(Loop *l, int code)
{
	l->quit = true;
	l->quit_code = code;
}

bool loop_quitting(Loop *l)
{
	return l->quit;
}

void loop_defer(Loop *l, LoopDefer *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = l->defer_head;
	l->defer_head = d;
}

void loop_defer_cancel(Loop *l, LoopDefer *d)
{
	for (LoopDefer **p = &l->defer_head; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	d->queued = false;
	d->next = NULL;
}

static void run_defers(Loop *l)
{
	while (l->defer_head) {
		LoopDefer *d = l->defer_head;
		l->defer_head = d->next;
		d->queued = false;
		d->next = NULL;
		d->cb(d);
	}
}

/* ---- timer heap (1-based indices stored in the timer so disarm is O(log n)) */

static void heap_swap(Loop *l, unsigned a, unsigned b)
{
	LoopTimer *t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->idx = a + 1;
	l->heap[b]->idx = b + 1;
}

static void heap_up(Loop *l, unsigned i)
{
	while (i > 0) {
		unsigned parent = (i - 1) / 2;
		if (l->heap[parent]->when <= l->heap[i]->when)
			break;
		heap_swap(l, i, parent);
		i = parent;
	}
}

static void heap_down(Loop *l, unsigned i)
{
	for (;;) {
		unsigned left = 2 * i + 1, right = left + 1, m = i;
		if (left < l->heap_len && l->heap[left]->when < l->heap[m]->when)
			m = left;
		if (right < l->heap_len && l->heap[right]->when < l->heap[m]->when)
			m = right;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

void loop_timer_disarm(Loop *l, LoopTimer *t)
{
	unsigned i;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	l->heap_len--;
	if (i == l->heap_len)
		return;
	l->heap[i] = l->heap[l->heap_len];
	l->heap[i]->idx = i + 1;
	heap_up(l, i);
	heap_down(l, l->heap[i]->idx - 1);
}

void loop_timer_arm(Loop *l, LoopTimer *t, uint64_t when)
{
	loop_timer_disarm(l, t);
	if (l->heap_len == l->heap_cap) {
		unsigned cap = l->heap_cap ? l->heap_cap * 2 : 64;
		LoopTimer **h = realloc(l->heap, cap * sizeof(*h));
		if (!h)
			abort(); /* a timer that silently never fires would hang a request */
		l->heap = h;
		l->heap_cap = cap;
	}
	t->when = when;
	l->heap[l->heap_len] = t;
	t->idx = ++l->heap_len;
	heap_up(l, l->heap_len - 1);
}

static void run_timers(Loop *l)
{
	while (l->heap_len > 0 && l->heap[0]->when <= l->now) {
		LoopTimer *t = l->heap[0];
		loop_timer_disarm(l, t);
		t->cb(t);
	}
}

/* ---- the turn */

static void reap(Loop *l)
{
	struct io_uring_cqe *cqes[256];
	unsigned n;

	while ((n = io_uring_peek_batch_cqe(&l->ring, cqes, ARRAY_SIZE(cqes))) > 0) {
		for (unsigned i = 0; i < n; i++) {
			LoopOp *op = io_uring_cqe_get_data(cqes[i]);
			int res = cqes[i]->res;
			uint32_t flags = cqes[i]->flags;

			/* Advance first: the callback may submit and wait. */
			io_uring_cq_advance(&l->ring, 1);
			if (op)
				op->cb(op, res, flags);
		}
	}
}

int loop_run(Loop *l)
{
	l->quit = false;
	while (!l->quit) {
		struct io_uring_cqe *cqe;
		struct __kernel_timespec ts, *tsp = NULL;
		int r;

		run_defers(l);
		if (l->quit)
			break;
		if (l->heap_len > 0 || running_on_valgrind()) {
			uint64_t now = now_ns(), d = UINT64_MAX;
			if (l->heap_len > 0)
				d = l->heap[0]->when > now ? l->heap[0]->when - now : 0;
			/* valgrind holds its big lock while a thread blocks in io_uring_enter, so
			 * helper threads would never run: never block long under it. */
			if (running_on_valgrind() && d > 50000ull)
				d = 50000ull;
			ts.tv_sec = (long long)(d / 1000000000ull);
			ts.tv_nsec = (long long)(d % 1000000000ull);
			tsp = &ts;
		}
		r = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, tsp, NULL);
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
			log_debug("loop: io_uring wait failed: %s", strerror(-r));
			return r;
		}
		l->now = now_ns();
		reap(l);
		run_timers(l);
	}
	/* Flush what the last turn queued so final replies go out. */
	run_defers(l);
	io_uring_submit(&l->ring);
	return l->quit_code;
}

/* ---- eventfd wakeups */

static void wake_arm(LoopWake *w)
{
	struct io_uring_sqe *sqe = loop_sqe(w->loop, &w->op);
	io_uring_prep_read(sqe, w->fd, &w->val, sizeof(w->val), 0);
	w->armed = true;
}

static void wake_done(LoopOp *op, int res, uint32_t flags)
{
	LoopWake *w = container_of(op, LoopWake, op);
	(void)flags;

	w->armed = false;
	mem_mark_defined(&w->val, sizeof(w->val));
	if (w->closing) {
		LoopWake **pp = &w->loop->zombies;
		while (*pp != w)
			pp = &(*pp)->znext;
		*pp = w->znext;
		close(w->fd);
		free(w);
		return;
	}
	if (res < 0 && res != -EINTR && res != -EAGAIN)
		log_debug("loop: eventfd read failed: %s", strerror(-res));
	wake_arm(w);
	w->cb(w->userdata);
}

int loop_wake_new(Loop *l, LoopWake **ret, void (*cb)(void *userdata), void *userdata)
{
	LoopWake *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->fd = eventfd(0, EFD_CLOEXEC);
	if (w->fd < 0) {
		free(w);
		return negative_errno();
	}
	w->loop = l;
	w->op.cb = wake_done;
	w->cb = cb;
	w->userdata = userdata;
	wake_arm(w);
	*ret = w;
	return 0;
}

void loop_wake_raise(LoopWake *w)
{
	uint64_t one = 1;
	ssize_t n _unused_ = write(w->fd, &one, sizeof(one));
}

void loop_wake_free(LoopWake *w)
{
	if (!w)
		return;
	if (!w->armed) {
		close(w->fd);
		free(w);
		return;
	}
	/* The pending read still targets w->val: wake it so it completes and free it then, or
	 * in loop_free() if the loop does not run again. */
	w->closing = true;
	w->znext = w->loop->zombies;
	w->loop->zombies = w;
	loop_wake_raise(w);
}

/* ---- signals */

static void signals_arm(LoopSignals *s)
{
	struct io_uring_sqe *sqe = loop_sqe(s->loop, &s->op);
	io_uring_prep_read(sqe, s->fd, &s->si, sizeof(s->si), 0);
}

static void signals_done(LoopOp *op, int res, uint32_t flags)
{
	LoopSignals *s = container_of(op, LoopSignals, op);
	(void)flags;

	mem_mark_defined(&s->si, sizeof(s->si));
	if (res == (int)sizeof(s->si))
		s->cb(s->userdata, (int)s->si.ssi_signo);
	signals_arm(s);
}

int loop_add_signals(Loop *l, const sigset_t *set, void (*cb)(void *userdata, int signo),
		     void *userdata)
{
	LoopSignals *s;

	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		return negative_errno();
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = signalfd(-1, set, SFD_CLOEXEC);
	if (s->fd < 0) {
		int r = negative_errno();
		free(s);
		return r;
	}
	/* Its read stays in flight until loop_free(), which frees it. */
	if (l->signals) {
		close(s->fd);
		free(s);
		return -EBUSY;
	}
	l->signals = s;
	s->loop = l;
	s->op.cb = signals_done;
	s->cb = cb;
	s->userdata = userdata;
	signals_arm(s);
	return 0;
}

/* ---- provided-buffer rings */

int loop_bufring_new(Loop *l, LoopBufRing **ret, uint16_t bgid, unsigned count, unsigned size)
{
	struct io_uring_buf_reg reg = { 0 };
	LoopBufRing *b;
	int r;

	if (count == 0 || (count & (count - 1)) || count > 32768)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->loop = l;
	b->count = count;
	b->mask = io_uring_buf_ring_mask(count);
	b->size = size;
	b->bgid = bgid;
	b->ring_bytes = count * sizeof(struct io_uring_buf);
	b->br = mmap(NULL, b->ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1,
		     0);
	if (b->br == MAP_FAILED) {
		free(b);
		return -ENOMEM;
	}
	/* Buffers are mapped lazily: only pages the kernel has written count against RSS. */
	b->bufs = mmap(NULL, (size_t)count * size, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (b->bufs == MAP_FAILED) {
		munmap(b->br, b->ring_bytes);
		free(b);
		return -ENOMEM;
	}
	reg.ring_addr = (unsigned long)b->br;
	reg.ring_entries = count;
	reg.bgid = bgid;
	r = io_uring_register_buf_ring(&l->ring, &reg, 0);
	if (r < 0) {
		munmap(b->bufs, (size_t)count * size);
		munmap(b->br, b->ring_bytes);
		free(b);
		return r;
	}
	io_uring_buf_ring_init(b->br);
	for (unsigned i = 0; i < count; i++)
		io_uring_buf_ring_add(b->br, b->bufs + (size_t)i * size, size, (unsigned short)i,
				      b->mask, (int)i);
	io_uring_buf_ring_advance(b->br, (int)count);
	*ret = b;
	return 0;
}

void loop_bufring_free(LoopBufRing *b)
{
	if (!b)
		return;
	io_uring_unregister_buf_ring(&b->loop->ring, b->bgid);
	munmap(b->bufs, (size_t)b->count * b->size);
	munmap(b->br, b->ring_bytes);
	free(b);
}

uint16_t loop_bufring_bgid(const LoopBufRing *b)
{
	return b->bgid;
}

unsigned loop_bufring_size(const LoopBufRing *b)
{
	return b->size;
}

void *loop_bufring_buf(LoopBufRing *b, uint16_t bid)
{
	return b->bufs + (size_t)bid * b->size;
}

void loop_bufring_recycle(LoopBufRing *b, uint16_t bid)
{
	io_uring_buf_ring_add(b->br, b->bufs + (size_t)bid * b->size, b->size, bid, b->mask, 0);
	io_uring_buf_ring_advance(b->br, 1);
}

void *loop_bufring_recvmsg(LoopBufRing *b, int res, uint32_t flags, struct msghdr *msg,
			   unsigned *ret_len, uint16_t *ret_bid)
{
	uint16_t bid = (uint16_t)(flags >> IORING_CQE_BUFFER_SHIFT);
	void *buf = loop_bufring_buf(b, bid);
	struct io_uring_recvmsg_out *out;

	*ret_bid = bid;
	mem_mark_defined(buf, (size_t)res);
	out = io_uring_recvmsg_validate(buf, res, msg);
	if (!out || (out->flags & MSG_TRUNC))
		return NULL;
	*ret_len = io_uring_recvmsg_payload_length(out, res, msg);
	return io_uring_recvmsg_payload(out, msg);
}
