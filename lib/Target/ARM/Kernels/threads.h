/*===- threads.h - a persistent worker pool for the heavy kernels ---------===*
 *
 * The model handle owns a pool of threads - 1 workers (pthreads); a
 * parallel kernel hands each of `threads` parts of its work to one thread,
 * the caller taking part 0, and returns when all are done. Each part gets
 * its own scratch (`stride` bytes apart in the caller's workspace).
 * Splitting never changes an output element's reduction order, so results
 * are identical for every thread count. Define DLC_NO_THREADS to build
 * without pthreads (every run on the calling thread).
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_NO_THREADS
#include <pthread.h>
#endif

#define DLC_MAX_THREADS 64

typedef void (*dlc_task)(void *ctx, int part, int parts, uint8_t *scratch);

typedef struct dlc_pool {
  int threads;
#ifndef DLC_NO_THREADS
  pthread_t workers[DLC_MAX_THREADS];
  pthread_mutex_t mutex;
  pthread_cond_t start, finish;
  dlc_task task;
  void *ctx;
  uint8_t *scratch;
  int64_t stride;
  unsigned generation;
  int remaining, stop;
#endif
} dlc_pool;

/* What a kernel call runs on: the pool (NULL: the calling thread) and the
 * per-thread scratch. */
typedef struct {
  dlc_pool *pool;
  uint8_t *scratch;
  int64_t stride;
} dlc_exec;

#ifndef DLC_NO_THREADS
typedef struct {
  dlc_pool *pool;
  int part;
} dlc_worker_arg;

DLC_INLINE void *dlc_worker(void *arg) {
  dlc_pool *pool = ((dlc_worker_arg *)arg)->pool;
  int part = ((dlc_worker_arg *)arg)->part;
  free(arg);
  unsigned seen = 0;
  for (;;) {
    pthread_mutex_lock(&pool->mutex);
    while (pool->generation == seen && !pool->stop)
      pthread_cond_wait(&pool->start, &pool->mutex);
    if (pool->stop) {
      pthread_mutex_unlock(&pool->mutex);
      return 0;
    }
    seen = pool->generation;
    dlc_task task = pool->task;
    void *ctx = pool->ctx;
    uint8_t *scratch = pool->scratch + part * pool->stride;
    int parts = pool->threads;
    pthread_mutex_unlock(&pool->mutex);
    task(ctx, part, parts, scratch);
    pthread_mutex_lock(&pool->mutex);
    if (--pool->remaining == 0)
      pthread_cond_signal(&pool->finish);
    pthread_mutex_unlock(&pool->mutex);
  }
}
#endif

DLC_INLINE void dlc_pool_destroy(dlc_pool *pool) {
#ifndef DLC_NO_THREADS
  if (pool->threads > 1) {
    pthread_mutex_lock(&pool->mutex);
    pool->stop = 1;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 1; i < pool->threads; ++i)
      pthread_join(pool->workers[i], 0);
    pthread_cond_destroy(&pool->start);
    pthread_cond_destroy(&pool->finish);
    pthread_mutex_destroy(&pool->mutex);
  }
#endif
  pool->threads = 1;
}

/* Starts threads - 1 workers; 0 on success. Without pthreads only one
 * thread is possible. */
DLC_INLINE int dlc_pool_init(dlc_pool *pool, int threads) {
  memset(pool, 0, sizeof(*pool));
  pool->threads = 1;
  if (threads < 1 || threads > DLC_MAX_THREADS)
    return -1;
#ifdef DLC_NO_THREADS
  return threads == 1 ? 0 : -1;
#else
  if (threads == 1)
    return 0;
  if (pthread_mutex_init(&pool->mutex, 0) != 0)
    return -1;
  if (pthread_cond_init(&pool->start, 0) != 0) {
    pthread_mutex_destroy(&pool->mutex);
    return -1;
  }
  if (pthread_cond_init(&pool->finish, 0) != 0) {
    pthread_cond_destroy(&pool->start);
    pthread_mutex_destroy(&pool->mutex);
    return -1;
  }
  for (int i = 1; i < threads; ++i) {
    dlc_worker_arg *arg = (dlc_worker_arg *)malloc(sizeof(dlc_worker_arg));
    if (arg) {
      arg->pool = pool;
      arg->part = i;
    }
    if (!arg || pthread_create(&pool->workers[i], 0, dlc_worker, arg) != 0) {
      free(arg);
      pool->threads = i; /* the workers started so far */
      dlc_pool_destroy(pool);
      return -1;
    }
    pool->threads = i + 1;
  }
  return 0;
#endif
}

/* Runs task(ctx, part, parts, scratch of part) for every part. */
DLC_INLINE void dlc_parallel(const dlc_exec *ex, dlc_task task, void *ctx) {
#ifndef DLC_NO_THREADS
  dlc_pool *pool = ex->pool;
  if (pool && pool->threads > 1) {
    pthread_mutex_lock(&pool->mutex);
    pool->task = task;
    pool->ctx = ctx;
    pool->scratch = ex->scratch;
    pool->stride = ex->stride;
    pool->remaining = pool->threads - 1;
    ++pool->generation;
    pthread_cond_broadcast(&pool->start);
    pthread_mutex_unlock(&pool->mutex);
    task(ctx, 0, pool->threads, ex->scratch);
    pthread_mutex_lock(&pool->mutex);
    while (pool->remaining > 0)
      pthread_cond_wait(&pool->finish, &pool->mutex);
    pthread_mutex_unlock(&pool->mutex);
    return;
  }
#endif
  task(ctx, 0, 1, ex->scratch);
}

/* The part [begin, end) of `count` items (in multiples of `grain`) that
 * part `part` of `parts` takes. */
DLC_INLINE void dlc_split(int64_t count, int64_t grain, int part, int parts,
                          int64_t *begin, int64_t *end) {
  int64_t units = (count + grain - 1) / grain;
  int64_t per = (units + parts - 1) / parts;
  *begin = DLC_MIN(count, part * per * grain);
  *end = DLC_MIN(count, (part + 1) * per * grain);
}

/* The block of an M x N GEMM that part `part` of `parts` takes: columns
 * (in NR multiples) when there are enough for four panels per part, else
 * rows (in MR multiples). Returns whether the block is not empty. */
DLC_INLINE int dlc_split_gemm(int64_t M, int64_t N, int part, int parts,
                              int64_t *i0, int64_t *i1, int64_t *j0,
                              int64_t *j1) {
  *i0 = 0, *i1 = M, *j0 = 0, *j1 = N;
  if (N >= (int64_t)parts * 4 * DLC_NR)
    dlc_split(N, DLC_NR, part, parts, j0, j1);
  else
    dlc_split(M, DLC_MR, part, parts, i0, i1);
  return *i0 < *i1 && *j0 < *j1;
}

/* A loop over [0, count) whose parts are independent. */
typedef void (*dlc_range_fn)(const void *args, int64_t begin, int64_t end);

typedef struct {
  dlc_range_fn fn;
  const void *args;
  int64_t count, grain;
} dlc_range_task;

DLC_INLINE void dlc_range_part(void *ctx, int part, int parts,
                               uint8_t *scratch) {
  const dlc_range_task *t = (const dlc_range_task *)ctx;
  int64_t begin, end;
  (void)scratch;
  dlc_split(t->count, t->grain, part, parts, &begin, &end);
  if (begin < end)
    t->fn(t->args, begin, end);
}

/* Runs fn over [0, count) split across the pool in multiples of `grain`;
 * work of fewer than 32K elements (`elements`) stays on the calling
 * thread, where waking the pool would cost more than it saves. */
DLC_INLINE void dlc_parallel_for(const dlc_exec *ex, int64_t count,
                                 int64_t grain, int64_t elements,
                                 dlc_range_fn fn, const void *args) {
  if (count <= 0)
    return;
  if (!ex || !ex->pool || ex->pool->threads == 1 || elements < 32768 ||
      count <= grain) {
    fn(args, 0, count);
    return;
  }
  dlc_range_task task = {fn, args, count, grain};
  dlc_parallel(ex, dlc_range_part, &task);
}

/* Drops leading dimensions of size 1 from (rank, shape); returns how many. */
DLC_INLINE int dlc_unit_prefix(int rank, const int64_t *shape) {
  int d = 0;
  while (d < rank - 1 && shape[d] == 1)
    ++d;
  return d;
}
