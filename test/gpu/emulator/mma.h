/*===- mma.h - tensor-core instructions, emulated on the CPU ---------------===*
 *
 * The PTX mma.sync / mma.sp forms dlc's kernels issue. Each is warp-wide:
 * the lanes publish their operands at a warp barrier (dlc_cuda_emulator.h)
 * and each computes its own outputs, from registers in the layouts the PTX
 * ISA documents ("Matrix Fragments for mma.m8n8k16 / m16n8k16 /
 * m16n8k32", "Sparse matrix storage"): lane 4g + t holds row g (and g + 8)
 * of A and column g of B.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_EMULATED_MMA_H
#define DLC_EMULATED_MMA_H

#include "cuda_bf16.h"
#include "cuda_fp16.h"
#include "dlc_cuda_emulator.h"
#include <cstring>

namespace dlc_emu {
/* 16-bit element `half` (0 low, 1 high) of a register, as fp16 or bf16. */
inline float element16(uint32_t reg, int half, bool bf16) {
  uint16_t bits = (uint16_t)(reg >> 16 * half);
  return bf16 ? __bfloat162float(__nv_bfloat16{bits})
              : __half2float(__half{bits});
}

/* The registers one lane gives a PTX mma. */
struct MmaOperands {
  const uint32_t *a, *b;
  uint32_t e;
};

/* The m16n8 (ACCS 4) or m8n8 (ACCS 2) product P = A B of a warp-wide PTX
 * mma, computed once per warp (sums in Acc, fp32 or int32, in step order)
 * from the lanes' operands by `product(P, lane)`, then this lane's ACCS
 * accumulators d (+)= P: accumulator v of lane 4g + t is row g + 8 (v / 2),
 * column 2t + v % 2. */
template <int ACCS = 4, typename Acc, typename F>
void warpMma(Acc *d, const MmaOperands &mine, bool accumulate, F product) {
  Block &blk = block();
  blk.publish(&mine);
  const Acc *P = blk.warpResult<Acc>([&](Acc *out) {
    product(out, [&](unsigned l) -> const MmaOperands & {
      return blk.lane<MmaOperands>(l);
    });
  });
  unsigned lane = blk.laneId();
  Acc out[ACCS];
  for (int v = 0; v < ACCS; ++v) {
    Acc p = P[(lane / 4 + 8 * (v / 2)) * 8 + 2 * (lane % 4) + v % 2];
    out[v] = accumulate ? d[v] + p : p;
  }
  blk.endExchange();
  for (int v = 0; v < ACCS; ++v)
    d[v] = out[v];
}

/* P = A B over K steps from the decoded A (M x K) and B (K x 8). */
template <typename Acc>
void multiply(Acc *P, const Acc *A, const Acc *B, int K, int M = 16) {
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < 8; ++n) {
      Acc s = 0;
      for (int k = 0; k < K; ++k)
        s += A[m * K + k] * B[k * 8 + n];
      P[m * 8 + n] = s;
    }
}

/* d += A B, mma.sync.aligned.m16n8k16.row.col.f32.<f16|bf16>.<f16|bf16>.f32.
 * A (16x16): lane 4g+t's register r holds row g + 8 (r % 2), steps
 * 8 (r / 2) + 2t and + 1 (low half first); B (16x8): register r holds
 * steps 8r + 2t, + 1 of column g. */
inline void mma_m16n8k16(float d[4], const uint32_t a[4], const uint32_t b[2],
                         bool bf16) {
  warpMma(d, MmaOperands{a, b, 0}, true, [&](float *P, auto lane) {
    float A[16 * 16], B[16 * 8];
    for (int m = 0; m < 16; ++m)
      for (int k = 0; k < 16; ++k)
        A[m * 16 + k] = element16(
            lane(4 * (m % 8) + k % 8 / 2).a[m / 8 + 2 * (k / 8)], k % 2, bf16);
    for (int k = 0; k < 16; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] = element16(lane(4 * n + k % 8 / 2).b[k / 8], k % 2, bf16);
    multiply(P, A, B, 16);
  });
}

/* cvt.rna.tf32.f32: `x` rounded to 10 mantissa bits, to nearest with ties
 * away from zero (the low 13 bits of the result zero); infinities and NaN
 * as they are. */
inline uint32_t to_tf32(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  if ((bits & 0x7F800000u) == 0x7F800000u)
    return bits;
  return (bits + 0x1000u) & 0xFFFFE000u;
}

/* d += A B, mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32: A (16x8):
 * lane 4g+t's register r holds row g + 8 (r % 2), step t + 4 (r / 2); B
 * (8x8): register r holds step t + 4r of column g; operands are fp32 bit
 * patterns of which the tensor cores read the tf32 part (the top 19 bits). */
inline void mma_m16n8k8_tf32(float d[4], const uint32_t a[4],
                             const uint32_t b[2]) {
  auto value = [](uint32_t reg) {
    reg &= 0xFFFFE000u;
    float v;
    std::memcpy(&v, &reg, 4);
    return v;
  };
  warpMma(d, MmaOperands{a, b, 0}, true, [&](float *P, auto lane) {
    float A[16 * 8], B[8 * 8];
    for (int m = 0; m < 16; ++m)
      for (int k = 0; k < 8; ++k)
        A[m * 8 + k] = value(lane(4 * (m % 8) + k % 4).a[m / 8 + 2 * (k / 4)]);
    for (int k = 0; k < 8; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] = value(lane(4 * n + k % 4).b[k / 4]);
    multiply(P, A, B, 8);
  });
}

/* d += A B, mma.sync.aligned.m16n8k8.row.col.f32.f16.f16.f32 (sm_75):
 * A (16x8): register r of lane 4g+t holds row g + 8r, steps 2t and + 1;
 * B (8x8): its register holds steps 2t, + 1 of column g. */
inline void mma_m16n8k8(float d[4], const uint32_t a[2], uint32_t b) {
  warpMma(d, MmaOperands{a, &b, 0}, true, [&](float *P, auto lane) {
    float A[16 * 8], B[8 * 8];
    for (int m = 0; m < 16; ++m)
      for (int k = 0; k < 8; ++k)
        A[m * 8 + k] =
            element16(lane(4 * (m % 8) + k / 2).a[m / 8], k % 2, false);
    for (int k = 0; k < 8; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] = element16(lane(4 * n + k / 2).b[0], k % 2, false);
    multiply(P, A, B, 8);
  });
}

/* d = A B, mma.sync.aligned.m16n8k32.row.col.f32.<a>.<b>.f32 on fp8 codes
 * with a zero C. A (16x32): lane 4g+t's register r holds row g + 8 (r % 2),
 * steps 16 (r / 2) + 4t .. + 3 (lowest byte first); B (32x8): register r
 * holds steps 16r + 4t .. + 3 of column g. */
inline void mma_m16n8k32_fp8(float d[4], const uint32_t a[4],
                             const uint32_t b[2], bool a_e5m2, bool b_e5m2) {
  warpMma(d, MmaOperands{a, b, 0}, false, [&](float *P, auto lane) {
    float A[16 * 32], B[32 * 8];
    for (int m = 0; m < 16; ++m)
      for (int k = 0; k < 32; ++k)
        A[m * 32 + k] =
            fp8Value(lane(4 * (m % 8) + k % 16 / 4).a[m / 8 + 2 * (k / 16)] >>
                         8 * (k % 4),
                     a_e5m2);
    for (int k = 0; k < 32; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] =
            fp8Value(lane(4 * n + k % 16 / 4).b[k / 16] >> 8 * (k % 4), b_e5m2);
    multiply(P, A, B, 32);
  });
}

/* d += A B, mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32, exact. A
 * (16x32): lane 4g+t's register r holds row g + 8 (r % 2), steps
 * 16 (r / 2) + 4t .. + 3 (lowest byte first); B (32x8): register r holds
 * steps 16r + 4t .. + 3 of column g. */
inline void mma_m16n8k32_s8(int32_t d[4], const uint32_t a[4],
                            const uint32_t b[2]) {
  warpMma(d, MmaOperands{a, b, 0}, true, [&](int32_t *P, auto lane) {
    int32_t A[16 * 32], B[32 * 8];
    for (int m = 0; m < 16; ++m)
      for (int k = 0; k < 32; ++k)
        A[m * 32 + k] =
            (int8_t)(lane(4 * (m % 8) + k % 16 / 4).a[m / 8 + 2 * (k / 16)] >>
                     8 * (k % 4));
    for (int k = 0; k < 32; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] =
            (int8_t)(lane(4 * n + k % 16 / 4).b[k / 16] >> 8 * (k % 4));
    multiply(P, A, B, 32);
  });
}

/* d += A B, mma.sync.aligned.m8n8k16.row.col.s32.s8.s8.s32 (sm_75), exact.
 * A (8x16): lane 4g+t's register holds row g, steps 4t .. + 3 (lowest byte
 * first); B (16x8): its register holds steps 4t .. + 3 of column g; d:
 * row g, columns 2t and 2t + 1. */
inline void mma_m8n8k16_s8(int32_t d[2], uint32_t a, uint32_t b) {
  warpMma<2>(d, MmaOperands{&a, &b, 0}, true, [&](int32_t *P, auto lane) {
    int32_t A[8 * 16], B[16 * 8];
    for (int m = 0; m < 8; ++m)
      for (int k = 0; k < 16; ++k)
        A[m * 16 + k] = (int8_t)(lane(4 * m + k / 4).a[0] >> 8 * (k % 4));
    for (int k = 0; k < 16; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] = (int8_t)(lane(4 * n + k / 4).b[0] >> 8 * (k % 4));
    multiply(P, A, B, 16, 8);
  });
}

/* d += A B, mma.sp::ordered_metadata.sync.aligned.m16n8k32.row.col.f32.
 * <f16|bf16>.<f16|bf16>.f32 with sparsity selector 0. A is 16x32 with 2 of
 * every 4 steps kept: its 16x16 kept values are laid out as m16n8k16's A
 * (kept values 2j and 2j + 1 belong to the group of steps 4j .. 4j + 3);
 * the metadata comes from lanes 4g (groups 0-3) and 4g + 1 (groups 4-7):
 * row g in bits 0-15, row g + 8 in bits 16-31, 4 bits per group, the
 * position of the first kept value in the lower 2. B (32x8): register r
 * holds steps 8r + 2t, + 1 of column g. */
inline void mma_sp_m16n8k32(float d[4], const uint32_t a[4],
                            const uint32_t b[4], uint32_t e, bool bf16) {
  warpMma(d, MmaOperands{a, b, e}, true, [&](float *P, auto lane) {
    float A[16 * 32] = {}, B[32 * 8];
    for (int m = 0; m < 16; ++m)
      for (int group = 0; group < 8; ++group) {
        uint32_t meta =
            lane(4 * (m % 8) + group / 4).e >> 16 * (m / 8) >> 4 * (group % 4);
        int first = meta & 3, second = meta >> 2 & 3;
        if (first >= second)
          fail("mma.sp::ordered_metadata: a group's two positions are not "
               "increasing");
        for (int i = 0; i < 2; ++i) {
          int j = 2 * group + i; /* the kept value's column */
          A[m * 32 + 4 * group + (i ? second : first)] =
              element16(lane(4 * (m % 8) + j % 8 / 2).a[m / 8 + 2 * (j / 8)],
                        j % 2, bf16);
        }
      }
    for (int k = 0; k < 32; ++k)
      for (int n = 0; n < 8; ++n)
        B[k * 8 + n] = element16(lane(4 * n + k % 8 / 2).b[k / 8], k % 2, bf16);
    multiply(P, A, B, 32);
  });
}
/* P = A B of mma.sp::ordered_metadata.sync.aligned.m16n8k64 on 8-bit
 * operands (sparsity selector 0), each element decoded by `value(code,
 * isA)`. A is 16x64 with 2 of every 4 steps kept: its 16x32 kept values
 * are laid out as m16n8k32's A (lane 4g+t's register r holds row
 * g + 8 (r % 2), kept values 16 (r / 2) + 4t .. + 3, i.e. the groups
 * 8 (r / 2) + 2t and + 1). All four lanes of a quad give metadata, one
 * row's 8 groups (32 logical steps) each: lane 4g holds row g's groups
 * 0-7, 4g + 1 row g + 8's, 4g + 2 row g's groups 8-15, 4g + 3 row
 * g + 8's; group j in bits 4j .. 4j + 3, the first kept position in the
 * lower 2 (read from CUTLASS's metadata reordering for 32-bit metadata
 * elements, the 16-bit one being what mma_sp_m16n8k32 has). B (64x8):
 * register r holds steps 16r + 4t .. + 3 of column g. */
template <typename Acc, typename Lane, typename Value>
void sparseProduct8(Acc *P, Lane lane, Value value) {
  Acc A[16 * 64] = {}, B[64 * 8];
  for (int m = 0; m < 16; ++m)
    for (int group = 0; group < 16; ++group) {
      uint32_t meta =
          lane(4 * (m % 8) + 2 * (group / 8) + m / 8).e >> 4 * (group % 8);
      int first = meta & 3, second = meta >> 2 & 3;
      if (first >= second)
        fail("mma.sp::ordered_metadata: a group's two positions are not "
             "increasing");
      for (int i = 0; i < 2; ++i) {
        int j = 2 * group + i; /* the kept value's column, 0 .. 31 */
        uint32_t reg = lane(4 * (m % 8) + j % 16 / 4).a[m / 8 + 2 * (j / 16)];
        A[m * 64 + 4 * group + (i ? second : first)] =
            value(reg >> 8 * (j % 4) & 0xFF, true);
      }
    }
  for (int k = 0; k < 64; ++k)
    for (int n = 0; n < 8; ++n)
      B[k * 8 + n] = value(
          lane(4 * n + k % 16 / 4).b[k / 16] >> 8 * (k % 4) & 0xFF, false);
  multiply(P, A, B, 64);
}

/* d += A B, mma.sp::ordered_metadata.sync.aligned.m16n8k64.row.col.s32.s8.
 * s8.s32, exact. */
inline void mma_sp_m16n8k64_s8(int32_t d[4], const uint32_t a[4],
                               const uint32_t b[4], uint32_t e) {
  warpMma(d, MmaOperands{a, b, e}, true, [&](int32_t *P, auto lane) {
    sparseProduct8<int32_t>(
        P, lane, [](uint32_t code, bool) { return (int32_t)(int8_t)code; });
  });
}

/* d = A B, mma.sp::ordered_metadata.sync.aligned.m16n8k64.row.col.f32.<a>.
 * <b>.f32 on fp8 codes with a zero C. */
inline void mma_sp_m16n8k64_fp8(float d[4], const uint32_t a[4],
                                const uint32_t b[4], uint32_t e, bool a_e5m2,
                                bool b_e5m2) {
  warpMma(d, MmaOperands{a, b, e}, false, [&](float *P, auto lane) {
    sparseProduct8<float>(P, lane, [&](uint32_t code, bool isA) {
      return fp8Value(code, isA ? a_e5m2 : b_e5m2);
    });
  });
}
} // namespace dlc_emu

#endif
