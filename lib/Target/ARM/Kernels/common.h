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

#define DLC_MR 8
#define DLC_NR 8
#define DLC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DLC_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DLC_ROUND_UP(x, m) (((x) + (m) - 1) / (m) * (m))

/* Bounds a fused ReLU or clip applies to a float result; [-inf, inf] when
 * there is none. */
typedef struct {
  float lo, hi;
} dlc_clamp;

/* gemmlowp's SaturatingRoundingDoublingHighMul. */
DLC_INLINE int32_t dlc_srdhm(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN)
    return INT32_MAX;
  int64_t product = (int64_t)a * (int64_t)b;
  int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return (int32_t)((product + nudge) / (1LL << 31));
}

/* gemmlowp's RoundingDivideByPOT: round half away from zero. */
DLC_INLINE int32_t dlc_rdivpot(int32_t x, int exponent) {
  if (exponent <= 0)
    return x;
  int32_t mask = (int32_t)((1LL << exponent) - 1);
  int32_t remainder = x & mask;
  int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * multiplier * 2^shift in fixed point (TFLite's
 * MultiplyByQuantizedMultiplier). */
DLC_INLINE int32_t dlc_requant(int32_t x, int32_t multiplier, int shift) {
  int left = shift > 0 ? shift : 0;
  int right = shift > 0 ? 0 : -shift;
  int64_t shifted = (int64_t)x * (1LL << left);
  if (shifted > INT32_MAX)
    shifted = INT32_MAX;
  if (shifted < INT32_MIN)
    shifted = INT32_MIN;
  return dlc_rdivpot(dlc_srdhm((int32_t)shifted, multiplier), right);
}

DLC_INLINE int8_t dlc_clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* Fixed-point parameters of one int8 result: per-row multipliers and
 * shifts (`per_row`: 1, or 0 for one pair), output zero point and
 * storage range (which carries a fused ReLU or clip). */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
  int per_row;
  int32_t zero_point, lo, hi;
} dlc_requant_params;
