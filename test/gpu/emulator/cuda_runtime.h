/*===- cuda_runtime.h - the CUDA runtime, emulated on the CPU --------------===*
 *
 * The part of the CUDA runtime API that dlc's emitted model and runner
 * use (dlc_cuda_emulator.h says how kernels run). Device memory is host
 * memory, every call is synchronous, events read the host clock, and a
 * captured stream records its launches and copies for cudaGraphLaunch.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_EMULATED_CUDA_RUNTIME_H
#define DLC_EMULATED_CUDA_RUNTIME_H

#include "dlc_cuda_emulator.h"
#include <chrono>

typedef enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorStreamCaptureUnsupported = 900,
} cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost,
  cudaMemcpyHostToDevice,
  cudaMemcpyDeviceToHost,
  cudaMemcpyDeviceToDevice,
  cudaMemcpyDefault
};

enum cudaStreamCaptureMode {
  cudaStreamCaptureModeGlobal,
  cudaStreamCaptureModeThreadLocal,
  cudaStreamCaptureModeRelaxed
};

namespace dlc_emu {
/* A recorded run: what a captured stream did, in order. */
struct Graph {
  std::vector<std::function<void()>> steps;
};
struct Stream {
  Graph *capture = nullptr;
};
struct Event {
  std::chrono::steady_clock::time_point at;
};

inline cudaError_t &lastError() {
  static cudaError_t e = cudaSuccess;
  return e;
}

inline cudaError_t record(cudaError_t e) {
  if (e != cudaSuccess)
    lastError() = e;
  return e;
}

/* Runs `step` now, or records it when `stream` is being captured. */
inline void submit(Stream *stream, std::function<void()> step) {
  if (stream && stream->capture)
    stream->capture->steps.push_back(std::move(step));
  else
    step();
}

/* Every block of `grid` with `threads` threads each running `kernel` on a
 * copy of `args`. */
template <typename... P>
void runGrid(void (*kernel)(P...), dim3 grid, dim3 threads,
             const std::tuple<std::decay_t<P>...> &args) {
  gridDim = grid;
  std::function<void()> body = [&] { std::apply(kernel, args); };
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        blockIdx = uint3{x, y, z};
        block().run(threads, body);
      }
}

/* kernel<<<grid, threads, shared, stream>>>(args...), rewritten by
 * run-emulated-checks.sh as launch(kernel, grid, threads, shared,
 * stream)(args...). */
template <typename... P> struct Launch {
  void (*kernel)(P...);
  dim3 grid, threads;
  Stream *stream;

  template <typename... A> void operator()(A &&...args) const {
    bool valid = grid.x > 0 && grid.y > 0 && grid.z > 0 && grid.y <= 65535 &&
                 grid.z <= 65535 && threads.x * threads.y * threads.z > 0 &&
                 threads.x * threads.y * threads.z <= 1024;
    if (!valid) {
      record(cudaErrorInvalidConfiguration);
      return;
    }
    std::tuple<std::decay_t<P>...> copy(std::forward<A>(args)...);
    auto kernel = this->kernel;
    dim3 grid = this->grid, threads = this->threads;
    submit(stream, [=] { runGrid(kernel, grid, threads, copy); });
  }
};

template <typename... P>
Launch<P...> launch(void (*kernel)(P...), dim3 grid, dim3 threads,
                    size_t shared = 0, Stream *stream = nullptr) {
  if (shared != 0)
    fail("dynamic shared memory is not emulated");
  return Launch<P...>{kernel, grid, threads, stream};
}
} // namespace dlc_emu

typedef dlc_emu::Stream *cudaStream_t;
typedef dlc_emu::Event *cudaEvent_t;
typedef dlc_emu::Graph *cudaGraph_t;
typedef dlc_emu::Graph *cudaGraphExec_t;

inline cudaError_t cudaGetLastError() {
  cudaError_t e = dlc_emu::lastError();
  dlc_emu::lastError() = cudaSuccess;
  return e;
}
inline cudaError_t cudaPeekAtLastError() { return dlc_emu::lastError(); }

inline const char *cudaGetErrorString(cudaError_t e) {
  switch (e) {
  case cudaSuccess:
    return "no error";
  case cudaErrorInvalidValue:
    return "invalid argument";
  case cudaErrorMemoryAllocation:
    return "out of memory";
  case cudaErrorInvalidConfiguration:
    return "invalid configuration argument";
  case cudaErrorStreamCaptureUnsupported:
    return "operation not permitted when stream is capturing";
  }
  return "unknown error";
}

template <typename T> cudaError_t cudaMalloc(T **p, size_t bytes) {
  /* Like cudaMalloc's, the memory is 256-byte aligned; it is exactly
   * `bytes` long, so AddressSanitizer sees a read one past its end. */
  void *memory = nullptr;
  if (posix_memalign(&memory, 256, bytes ? bytes : 1) != 0)
    memory = nullptr;
  *p = (T *)memory;
  return dlc_emu::record(memory ? cudaSuccess : cudaErrorMemoryAllocation);
}
inline cudaError_t cudaFree(void *p) {
  free(p);
  return cudaSuccess;
}

inline cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes,
                                   cudaMemcpyKind, cudaStream_t stream = 0) {
  dlc_emu::submit(stream, [=] { memcpy(dst, src, bytes); });
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes,
                              cudaMemcpyKind kind) {
  return cudaMemcpyAsync(dst, src, bytes, kind);
}
inline cudaError_t cudaMemsetAsync(void *dst, int value, size_t bytes,
                                   cudaStream_t stream = 0) {
  dlc_emu::submit(stream, [=] { memset(dst, value, bytes); });
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void *dst, int value, size_t bytes) {
  return cudaMemsetAsync(dst, value, bytes);
}

inline cudaError_t cudaStreamCreate(cudaStream_t *s) {
  *s = new dlc_emu::Stream();
  return cudaSuccess;
}
inline cudaError_t cudaStreamDestroy(cudaStream_t s) {
  delete s;
  return cudaSuccess;
}
inline cudaError_t cudaStreamSynchronize(cudaStream_t s) {
  return s && s->capture ? cudaErrorStreamCaptureUnsupported : cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

inline cudaError_t cudaStreamBeginCapture(cudaStream_t s,
                                          cudaStreamCaptureMode) {
  if (!s || s->capture)
    return cudaErrorInvalidValue;
  s->capture = new dlc_emu::Graph();
  return cudaSuccess;
}
inline cudaError_t cudaStreamEndCapture(cudaStream_t s, cudaGraph_t *g) {
  if (!s || !s->capture)
    return cudaErrorInvalidValue;
  *g = s->capture;
  s->capture = nullptr;
  return cudaSuccess;
}
inline cudaError_t cudaGraphInstantiate(cudaGraphExec_t *exec, cudaGraph_t g,
                                        unsigned long long = 0) {
  *exec = new dlc_emu::Graph(*g);
  return cudaSuccess;
}
inline cudaError_t cudaGraphLaunch(cudaGraphExec_t exec, cudaStream_t s) {
  dlc_emu::submit(s, [exec] {
    for (const auto &step : exec->steps)
      step();
  });
  return cudaSuccess;
}
inline cudaError_t cudaGraphDestroy(cudaGraph_t g) {
  delete g;
  return cudaSuccess;
}
inline cudaError_t cudaGraphExecDestroy(cudaGraphExec_t g) {
  delete g;
  return cudaSuccess;
}

inline cudaError_t cudaEventCreate(cudaEvent_t *e) {
  *e = new dlc_emu::Event();
  return cudaSuccess;
}
inline cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete e;
  return cudaSuccess;
}
inline cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t s = 0) {
  dlc_emu::submit(s, [e] { e->at = std::chrono::steady_clock::now(); });
  return cudaSuccess;
}
inline cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
inline cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t a,
                                        cudaEvent_t b) {
  *ms = std::chrono::duration<float, std::milli>(b->at - a->at).count();
  return cudaSuccess;
}

#endif
