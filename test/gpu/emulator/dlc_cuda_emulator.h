/*===- dlc_cuda_emulator.h - runs dlc's emitted CUDA on the CPU ------------===*
 *
 * A test harness, not a product: the .cu files dlc-translate --emit-cuda
 * writes compile with a host C++ compiler against this directory's
 * cuda_runtime.h, cuda_fp16.h, cuda_bf16.h, cuda_fp8.h and mma.h
 * (test/gpu/run-emulated-checks.sh rewrites each `kernel<<<...>>>(args)`
 * into `dlc_emu::launch(kernel, ...)(args)` and defines
 * DLC_CUDA_EMULATOR, under which the kernels call this file's tensor-core
 * instructions instead of inline PTX).
 *
 * Every CUDA thread of a block is a fiber (ucontext) on one host thread;
 * the blocks of a grid run one after the other. __syncthreads() and the
 * warp-wide instructions (mma.sync, mma.sp, shuffles) park a fiber until
 * every live thread of its block or warp has arrived; threads that wait
 * at different barriers forever are reported as a deadlock. The warp-wide
 * instructions exchange their operands through the barrier and each lane
 * computes its own outputs from the fragment layouts of the PTX ISA, so a
 * kernel that puts an operand in the wrong register gets a wrong result
 * here as on a GPU. Sums are fp32 in step order (a GPU's tensor cores may
 * round differently: the checks' tolerances cover that). Device memory is
 * host memory (malloc), so AddressSanitizer sees out-of-bounds accesses;
 * every stream is synchronous; stream capture records launches and copies
 * for a graph to replay.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_CUDA_EMULATOR_H
#define DLC_CUDA_EMULATOR_H

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <ucontext.h>
#include <utility>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __forceinline__ inline
#define __launch_bounds__(...)

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x = 1, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
};
/* CUDA's 16-byte vector (a float4 load reads 16 aligned bytes at once). */
struct __attribute__((aligned(16))) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) {
  return {x, y, z, w};
}

/* The running fiber's coordinates, set before each switch to it. */
inline uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

namespace dlc_emu {

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
/* A fiber switch without ucontext's signal-mask system call (most of the
 * emulator's time otherwise): saves the callee-saved registers and the SSE
 * and x87 control words on the old stack, stores its pointer in *from and
 * continues on `to`. */
extern "C" void dlc_emu_switch(void **from, void *to);
asm(R"(
  .text
  .p2align 4
  .type dlc_emu_switch, @function
dlc_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size dlc_emu_switch, .-dlc_emu_switch
)");

struct Context {
  void *sp = nullptr;
  /* Starts `entry` on the stack [base, base + size) at the first switch. */
  void make(char *base, size_t size, void (*entry)()) {
    uintptr_t top = ((uintptr_t)base + size) & ~(uintptr_t)15;
    void **p = (void **)top;
    *--p = nullptr;       /* entry's return address: it never returns */
    *--p = (void *)entry; /* where the first switch's ret goes */
    for (int i = 0; i < 6; ++i)
      *--p = nullptr; /* rbp, rbx, r12-r15 */
    uint32_t *csr = (uint32_t *)--p;
    csr[0] = 0x1F80; /* MXCSR: exceptions masked, round to nearest */
    csr[1] = 0x037F; /* x87 control word: the same */
    sp = p;
  }
};
inline void switchTo(Context &from, Context &to) {
  dlc_emu_switch(&from.sp, to.sp);
}
#else
/* Elsewhere (and under AddressSanitizer, which knows ucontext): ucontext. */
struct Context {
  ucontext_t context;
  void make(char *base, size_t size, void (*entry)()) {
    getcontext(&context);
    context.uc_stack.ss_sp = base;
    context.uc_stack.ss_size = size;
    context.uc_link = nullptr;
    makecontext(&context, entry, 0);
  }
};
inline void switchTo(Context &from, Context &to) {
  swapcontext(&from.context, &to.context);
}
#endif

[[noreturn]] inline void fail(const char *what) {
  fprintf(stderr, "CUDA emulator: %s\n", what);
  abort();
}

/* The fibers of the block being run. */
class Block {
public:
  enum State { Ready, AtBlockBarrier, AtWarpBarrier, Done };

  /* Runs `body` as every thread of a block of `dim` threads. */
  void run(dim3 dim, const std::function<void()> &body) {
    unsigned n = dim.x * dim.y * dim.z;
    if (n == 0 || n > kMaxThreads)
      fail("a block of 0 or more than 1024 threads");
    body_ = &body;
    threads_.assign(n, Thread());
    unsigned warps = (n + 31) / 32;
    warpArrived_.assign(warps, 0);
    warpLive_.assign(warps, 0);
    warpGeneration_.assign(warps, 0);
    slots_.assign(n, nullptr);
    results_.resize(warps);
    resultGeneration_.assign(warps, 0);
    while (stacks_.size() < n)
      stacks_.push_back(std::vector<char>(kStackBytes));
    for (unsigned i = 0; i < n; ++i) {
      threads_[i].context.make(stacks_[i].data(), kStackBytes, &Block::entry);
      ++warpLive_[i / 32];
    }
    live_ = n;
    blockArrived_ = 0;
    /* Each warp runs as far as it can before the next one starts (a fiber
     * runs until it waits; when its warp's barrier opens, the warp's first
     * lane goes next): a kernel that lacks a __syncthreads() between one
     * warp's use of shared memory and another's overwriting of it fails
     * here rather than passing by luck. Warps go first to last, or last
     * to first with DLC_EMU_WARP_ORDER=reverse (the other direction of
     * each such race). Positions p run thread order_[p]. */
    unsigned warps_n = (n + 31) / 32;
    order_.clear();
    for (unsigned k = 0; k < warps_n; ++k) {
      unsigned w = reverseWarps() ? warps_n - 1 - k : k;
      for (unsigned l = w * 32; l < n && l < w * 32 + 32; ++l)
        order_.push_back(l);
    }
    unsigned p = 0, idle = 0;
    blockDim = dim;
    while (live_ > 0) {
      if (idle == n)
        fail("deadlock: the live threads of a block wait at different "
             "barriers");
      unsigned i = order_[p];
      if (!runnable(i)) {
        ++idle;
        p = (p + 1) % n;
        continue;
      }
      idle = 0;
      unsigned w = i / 32, generation = warpGeneration_[w];
      current_ = i;
      threadIdx = uint3{i % dim.x, i / dim.x % dim.y, i / (dim.x * dim.y)};
      switchTo(main_, threads_[i].context);
      /* The warp's first lane sits at the position p - (i - 32 w). */
      p = warpGeneration_[w] != generation ? p - (i - w * 32) : (p + 1) % n;
    }
  }

  static bool reverseWarps() {
    static const bool reverse = [] {
      const char *order = getenv("DLC_EMU_WARP_ORDER");
      if (order && strcmp(order, "reverse") != 0 && strcmp(order, "forward"))
        fail("DLC_EMU_WARP_ORDER must be forward or reverse");
      return order && strcmp(order, "reverse") == 0;
    }();
    return reverse;
  }

  bool runnable(unsigned i) const {
    const Thread &t = threads_[i];
    return t.state == Ready ||
           (t.state == AtBlockBarrier && t.generation != blockGeneration_) ||
           (t.state == AtWarpBarrier &&
            t.generation != warpGeneration_[i / 32]);
  }

  /* __syncthreads(). */
  void syncBlock() {
    Thread &t = threads_[current_];
    t.state = AtBlockBarrier;
    t.generation = blockGeneration_;
    ++blockArrived_;
    releaseBlock();
    if (t.generation == blockGeneration_)
      yield();
    t.state = Ready;
  }

  /* A barrier of the calling thread's warp (every warp-wide instruction). */
  void syncWarp() {
    unsigned w = current_ / 32;
    Thread &t = threads_[current_];
    t.state = AtWarpBarrier;
    t.generation = warpGeneration_[w];
    ++warpArrived_[w];
    releaseWarp(w);
    if (t.generation == warpGeneration_[w])
      yield();
    t.state = Ready;
  }

  /* A warp-wide exchange: publishes `mine`, waits for the warp, and returns
   * lane l's published pointer through lanes(l) until the next exchange. */
  void publish(const void *mine) {
    if (warpLive_[current_ / 32] != 32)
      fail("a warp-wide instruction in a warp of fewer than 32 live "
           "threads");
    slots_[current_] = mine;
    syncWarp();
  }
  template <typename T> const T &lane(unsigned l) const {
    return *static_cast<const T *>(slots_[current_ / 32 * 32 + l]);
  }
  /* The end of an exchange: no lane reads the others' operands after it. */
  void endExchange() { syncWarp(); }

  /* Within an exchange, a result computed once for the whole warp (by
   * `compute`, on up to 256 values) and read by every lane. */
  template <typename T, typename F> const T *warpResult(F compute) {
    static_assert(sizeof(T) <= sizeof(double), "a warp result is 256 words");
    unsigned w = current_ / 32;
    if (resultGeneration_[w] != warpGeneration_[w] + 1) {
      compute((T *)results_[w].data());
      resultGeneration_[w] = warpGeneration_[w] + 1;
    }
    return (const T *)results_[w].data();
  }

  unsigned laneId() const { return current_ % 32; }

  /* cp.async: the calling thread's copies wait in commit groups until
   * cp.async.wait_group lets them land, so a kernel that reads a stage
   * before waiting for it reads stale data here too. */
  void asyncCopy(void *to, const void *from, int bytes, int sourceBytes) {
    threads_[current_].open.push_back({to, from, bytes, sourceBytes});
  }
  void asyncCommit() {
    Thread &t = threads_[current_];
    t.groups.push_back(std::move(t.open));
    t.open.clear();
  }
  void asyncWait(unsigned pending) {
    Thread &t = threads_[current_];
    while (t.groups.size() > pending) {
      for (const AsyncCopy &c : t.groups.front()) {
        memcpy(c.to, c.from, c.sourceBytes);
        memset((char *)c.to + c.sourceBytes, 0, c.bytes - c.sourceBytes);
      }
      t.groups.erase(t.groups.begin());
    }
  }

private:
  static constexpr unsigned kMaxThreads = 1024;
  static constexpr size_t kStackBytes = 128 * 1024;

  struct AsyncCopy {
    void *to;
    const void *from;
    int bytes, sourceBytes;
  };
  struct Thread {
    Context context;
    std::vector<AsyncCopy> open;
    std::vector<std::vector<AsyncCopy>> groups;
    State state = Ready;
    unsigned generation = 0;
  };

  static void entry();

  void yield() { switchTo(threads_[current_].context, main_); }
  void releaseBlock() {
    if (blockArrived_ > 0 && blockArrived_ == live_) {
      blockArrived_ = 0;
      ++blockGeneration_;
    }
  }
  void releaseWarp(unsigned w) {
    if (warpArrived_[w] > 0 && warpArrived_[w] == warpLive_[w]) {
      warpArrived_[w] = 0;
      ++warpGeneration_[w];
    }
  }
  void finish() {
    threads_[current_].state = Done;
    --live_;
    --warpLive_[current_ / 32];
    releaseBlock();
    releaseWarp(current_ / 32);
  }

  std::vector<Thread> threads_;
  std::vector<std::vector<char>> stacks_;
  std::vector<unsigned> warpArrived_, warpLive_, warpGeneration_;
  std::vector<const void *> slots_;
  std::vector<unsigned> order_;
  std::vector<std::array<double, 256>> results_;
  std::vector<unsigned> resultGeneration_;
  Context main_;
  const std::function<void()> *body_ = nullptr;
  unsigned current_ = 0, live_ = 0, blockArrived_ = 0, blockGeneration_ = 0;
};

inline Block &block() {
  static Block b;
  return b;
}

inline void Block::entry() {
  Block &b = block();
  (*b.body_)();
  b.finish();
  b.yield(); /* for good: a finished thread is never resumed */
  fail("a finished thread was resumed");
}

/* The value of an fp8 code: E4M3 (bias 7, no infinities, S.1111.111 NaN)
 * or E5M2 (bias 15, IEEE-like). */
inline float fp8Decode(unsigned code, bool e5m2) {
  int mbits = e5m2 ? 2 : 3, bias = e5m2 ? 15 : 7;
  int exp = code >> mbits & (e5m2 ? 31 : 15), mant = code & ((1 << mbits) - 1);
  float sign = code & 0x80 ? -1.0f : 1.0f;
  if (e5m2 && exp == 31)
    return mant ? NAN : sign * INFINITY;
  if (!e5m2 && exp == 15 && mant == 7)
    return NAN;
  if (exp == 0)
    return sign * ldexpf((float)mant, 1 - bias - mbits);
  return sign * ldexpf((float)(mant | 1 << mbits), exp - bias - mbits);
}
inline float fp8Value(unsigned code, bool e5m2) {
  static const float *table = [] {
    static float values[512];
    for (unsigned c = 0; c < 512; ++c)
      values[c] = fp8Decode(c & 0xFF, c >> 8);
    return values;
  }();
  return table[(e5m2 ? 256 : 0) + (code & 0xFF)];
}

inline void cp_async(void *to, const void *from, int bytes, int sourceBytes) {
  block().asyncCopy(to, from, bytes, sourceBytes);
}
inline void cp_async_commit() { block().asyncCommit(); }
inline void cp_async_wait(unsigned pending) { block().asyncWait(pending); }

} // namespace dlc_emu

inline void __syncthreads() { dlc_emu::block().syncBlock(); }
inline void __syncwarp(unsigned = 0xFFFFFFFFu) { dlc_emu::block().syncWarp(); }

/* __shfl_xor_sync over the whole warp (the kernels pass a full mask): each
 * lane publishes its value and reads lane (its id ^ laneMask)'s. */
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T value, int laneMask, int width = 32) {
  if (mask != 0xFFFFFFFFu || width != 32)
    dlc_emu::fail("__shfl_xor_sync: only a full warp is emulated");
  dlc_emu::Block &b = dlc_emu::block();
  b.publish(&value);
  T other = b.lane<T>((b.laneId() ^ (unsigned)laneMask) % 32);
  b.endExchange();
  return other;
}

/* Device intrinsics the kernels use, with their CUDA semantics. */
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline int __dp4a(int a, int b, int c) {
  for (int i = 0; i < 4; ++i)
    c += (int)(int8_t)(a >> 8 * i) * (int)(int8_t)(b >> 8 * i);
  return c;
}
template <typename T> inline T __ldg(const T *p) { return *p; }
inline float __uint_as_float(unsigned bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
inline unsigned __float_as_uint(float value) {
  unsigned bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

#endif
