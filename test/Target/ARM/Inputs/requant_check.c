/* The vectorized fixed-point rescale (dlc_requant_vec: vqshlq, vqrdmulhq,
 * rounding shift with fix-up) against the scalar gemmlowp reference
 * (dlc_requant) on random and edge values: every multiplier and shift the
 * quantizer can produce, accumulators at the int32 limits, at powers of two
 * and at exact rounding ties. Prints the count checked; exits 1 on the
 * first mismatch. Built with an emitted model.c, whose kernel library it
 * uses. */
#include "model.c"

static uint64_t state = 88172645463325252ULL;
static uint32_t next_random(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)state;
}

int main(void) {
  long checked = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    int32_t multiplier = (int32_t)((1u << 30) + (next_random() & 0x3FFFFFFF));
    int shift = (int)(next_random() % 40) - 31; /* -31 .. 8 */
    int32_t x[4];
    for (int lane = 0; lane < 4; ++lane) {
      uint32_t r = next_random();
      switch (r % 6) {
      case 0:
        x[lane] = (int32_t)next_random();
        break;
      case 1: /* around a power of two, both signs */
        x[lane] = (int32_t)((1u << (next_random() % 31)) + (r >> 29) - 3) *
                  (r & 8 ? -1 : 1);
        break;
      case 2: /* an exact tie of the final shift */
        x[lane] = (int32_t)(((next_random() % 2000) * 2 + 1)
                            << (shift < 0 ? -shift - 1 : 0)) *
                  (r & 8 ? -1 : 1);
        break;
      case 3:
        x[lane] = r & 8 ? INT32_MIN : INT32_MAX;
        break;
      default: /* accumulator-sized values */
        x[lane] = (int32_t)(next_random() % 2000001) - 1000000;
      }
    }
    int32_t got[4];
    vst1q_s32(got, dlc_requant_vec(vld1q_s32(x), multiplier, shift));
    for (int lane = 0; lane < 4; ++lane, ++checked) {
      int32_t want = dlc_requant(x[lane], multiplier, shift);
      if (got[lane] != want) {
        printf("requant: x=%d multiplier=%d shift=%d: vector %d, scalar %d\n",
               x[lane], multiplier, shift, got[lane], want);
        return 1;
      }
    }
  }
  printf("requant: %ld values identical\n", checked);
  return 0;
}
