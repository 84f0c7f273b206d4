/*===- common.h - shared definitions of dlc's AArch64 kernels -------------===*
 *
 * The kernels below are copied into every emitted model.c. They are plain
 * C99 with arm_neon.h intrinsics; everything is DLC_INLINE so a model
 * that uses a few of them compiles without unused-function warnings.
 *
 * Integer arithmetic follows dlc's reference executor exactly (gemmlowp /
 * TFLite fixed point), so int8 networks match it bit for bit.
 *
 *===----------------------------------------------------------------------===*/

#include <arm_neon.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every function is static (one copy per model) and may go unused by a
 * given model without a warning under GCC or Clang. */
#define DLC_INLINE static inline __attribute__((unused))
/* The qualifiers of the functions shared with the CUDA library. */
#define DLC_SHARED DLC_INLINE

#define DLC_MR 8
#define DLC_NR 8
#define DLC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DLC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DLC_ROUND_UP(x, m) (((x) + (m) - 1) / (m) * (m))
