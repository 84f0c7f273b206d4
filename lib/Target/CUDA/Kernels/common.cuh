/*===- common.cuh - shared definitions of dlc's CUDA kernels --------------===*
 *
 * Copied into every emitted model.cu. The host-side launchers have the
 * same names and parameters as the ARM backend's C kernels (the same
 * lowering produces both); each launches on the execution context's
 * stream and records the first CUDA error there. Integer arithmetic
 * follows dlc's reference executor exactly (gemmlowp / TFLite fixed
 * point).
 *
 *===----------------------------------------------------------------------===*/

#include <cuda_fp16.h>
#ifdef DLC_WANT_BF16_TC
#include <cuda_bf16.h>
#endif
#include <cuda_runtime.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every launcher and kernel is static (one copy per model) and may go
 * unused by a given model without a warning. */
#define DLC_LAUNCHER static inline __attribute__((unused))
#define DLC_KERNEL static __global__ __attribute__((unused))
#define DLC_DEVICE __device__ static inline __attribute__((unused))
#define DLC_HOST_DEVICE                                                        \
  __host__ __device__ static inline __attribute__((unused))
/* The qualifiers of the functions shared with the ARM library. */
#define DLC_SHARED DLC_HOST_DEVICE

#define DLC_MR 8
#define DLC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DLC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DLC_ROUND_UP(x, m) (((x) + (m) - 1) / (m) * (m))
#define DLC_THREADS 256

/* What a launch runs on: the caller's stream, and the first error. */
typedef struct {
  cudaStream_t stream;
  cudaError_t status;
} dlc_exec;

/* Records the launch's error (if any) in the context. */
static inline void dlc_check_launch(dlc_exec *ex) {
  cudaError_t e = cudaGetLastError();
  if (ex->status == cudaSuccess)
    ex->status = e;
}

static inline unsigned dlc_blocks(int64_t n) {
  int64_t b = (n + DLC_THREADS - 1) / DLC_THREADS;
  return (unsigned)(b < 1 ? 1 : b > 65535 * 16 ? 65535 * 16 : b);
}

/* Grid-stride loop over [0, n). */
#define DLC_FOR(i, n)                                                          \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);    \
       i += (int64_t)gridDim.x * blockDim.x)

/* Small shapes and strides (rank <= 6) passed to kernels by value. */
#define DLC_MAX_RANK 6
typedef struct {
  int64_t v[DLC_MAX_RANK];
} dlc_dims;

/* Dimensions rank - 1 down to 0 of a dlc_dims, as an unrolled loop whose
 * indices are constants: the kernel reads its by-value dims in place
 * instead of copying them to a stack frame to index them. */
#define DLC_FOR_DIMS_DOWN(d, rank)                                             \
  _Pragma("unroll") for (int d = DLC_MAX_RANK - 1; d >= 0; --d) if (d < (rank))

static inline dlc_dims dlc_dims_of(int rank, const int64_t *values) {
  dlc_dims d;
  for (int i = 0; i < DLC_MAX_RANK; ++i)
    d.v[i] = i < rank ? values[i] : 0;
  return d;
}
