/*===- gemm_s8.h - int8 GEMM and convolution with SDOT --------------------===*
 *
 * A (weights) is packed at emit time into panels of DLC_MR rows by groups
 * of 4 reduction steps: 32 bytes per group, row r's 4 values at 4r. B is
 * packed at run time the same way by columns. One SDOT (vdotq_laneq_s32)
 * multiplies 4 columns by one row over 4 steps; the 8x8 microkernel issues
 * 16 per step group. The reduction is not blocked (int32 tiles stay in
 * registers over the whole K); columns are blocked by nc.
 *
 * The input zero point is folded out of the loop: padding taps read z_x
 * (so they contribute nothing) and acc - z_x * sum(w) is precomputed per
 * row with the bias (`rowcorr`). The epilogue requantizes exactly as the
 * reference executor.
 *
 *===----------------------------------------------------------------------===*/

/* Packs B(0..K, j0..j0+nc) into panels of DLC_NR columns by 4-step groups;
 * taps outside the image read `pad`, steps past K and columns past nc 0. */
DLC_INLINE void dlc_pack_b_s8(const dlc_bsource *bs, int K, int j0, int nc,
                              int8_t pad, int8_t *bp) {
  int K4 = DLC_ROUND_UP(K, 4);
  int panels = (nc + DLC_NR - 1) / DLC_NR;
  const int8_t *src = (const int8_t *)bs->data;
  const dlc_conv_geom *g = bs->geom;
  int taps = g ? g->kh * g->kw : 1;
  for (int k = 0; k < K4; ++k) {
    int64_t kbase = (int64_t)(k / 4) * 4 * DLC_NR + k % 4;
    if (k >= K) {
      for (int j = 0; j < panels * DLC_NR; ++j)
        bp[(int64_t)(j / DLC_NR) * K4 * DLC_NR + kbase + (j % DLC_NR) * 4] = 0;
      continue;
    }
    if (!g) {
      const int8_t *row = src + (int64_t)k * bs->rs;
      for (int j = 0; j < panels * DLC_NR; ++j)
        bp[(int64_t)(j / DLC_NR) * K4 * DLC_NR + kbase + (j % DLC_NR) * 4] =
            j < nc ? row[(int64_t)(j0 + j) * bs->cs] : 0;
      continue;
    }
    int c = k / taps, ky = (k % taps) / g->kw, kx = k % g->kw;
    const int8_t *plane = src + (int64_t)(bs->channel0 + c) * g->h * g->w;
    int oy = j0 / g->ow, ox = j0 % g->ow;
    for (int j = 0; j < panels * DLC_NR; ++j) {
      int8_t v = 0;
      if (j < nc) {
        int iy = oy * g->sh - g->pt + ky * g->dh;
        int ix = ox * g->sw - g->pl + kx * g->dw;
        v = (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w)
                ? plane[iy * g->w + ix]
                : pad;
        if (++ox == g->ow) {
          ox = 0;
          ++oy;
        }
      }
      bp[(int64_t)(j / DLC_NR) * K4 * DLC_NR + kbase + (j % DLC_NR) * 4] = v;
    }
  }
}

/* tile (8x8 int32) = A panel x B panel over K4 steps (unrolled twice). */
DLC_INLINE void dlc_ukernel_s8(int K4, const int8_t *a, const int8_t *b,
                               int32_t *tile) {
#if defined(__ARM_FEATURE_DOTPROD)
  int32x4_t c00 = vdupq_n_s32(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
            c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
            c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
#pragma GCC unroll 2
  for (int k = 0; k < K4; k += 4) {
    int8x16_t a0 = vld1q_s8(a), a1 = vld1q_s8(a + 16);
    int8x16_t b0 = vld1q_s8(b), b1 = vld1q_s8(b + 16);
    c00 = vdotq_laneq_s32(c00, b0, a0, 0);
    c01 = vdotq_laneq_s32(c01, b1, a0, 0);
    c10 = vdotq_laneq_s32(c10, b0, a0, 1);
    c11 = vdotq_laneq_s32(c11, b1, a0, 1);
    c20 = vdotq_laneq_s32(c20, b0, a0, 2);
    c21 = vdotq_laneq_s32(c21, b1, a0, 2);
    c30 = vdotq_laneq_s32(c30, b0, a0, 3);
    c31 = vdotq_laneq_s32(c31, b1, a0, 3);
    c40 = vdotq_laneq_s32(c40, b0, a1, 0);
    c41 = vdotq_laneq_s32(c41, b1, a1, 0);
    c50 = vdotq_laneq_s32(c50, b0, a1, 1);
    c51 = vdotq_laneq_s32(c51, b1, a1, 1);
    c60 = vdotq_laneq_s32(c60, b0, a1, 2);
    c61 = vdotq_laneq_s32(c61, b1, a1, 2);
    c70 = vdotq_laneq_s32(c70, b0, a1, 3);
    c71 = vdotq_laneq_s32(c71, b1, a1, 3);
    a += 32;
    b += 32;
  }
  vst1q_s32(tile + 0, c00);
  vst1q_s32(tile + 4, c01);
  vst1q_s32(tile + 8, c10);
  vst1q_s32(tile + 12, c11);
  vst1q_s32(tile + 16, c20);
  vst1q_s32(tile + 20, c21);
  vst1q_s32(tile + 24, c30);
  vst1q_s32(tile + 28, c31);
  vst1q_s32(tile + 32, c40);
  vst1q_s32(tile + 36, c41);
  vst1q_s32(tile + 40, c50);
  vst1q_s32(tile + 44, c51);
  vst1q_s32(tile + 48, c60);
  vst1q_s32(tile + 52, c61);
  vst1q_s32(tile + 56, c70);
  vst1q_s32(tile + 60, c71);
#else
  /* Without the dot-product extension (-march=armv8-a): widening
   * multiply-accumulate of the same packed layout. */
  for (int i = 0; i < 64; ++i)
    tile[i] = 0;
  for (int k = 0; k < K4; k += 4) {
    for (int r = 0; r < DLC_MR; ++r)
      for (int c = 0; c < DLC_NR; ++c) {
        const int8_t *x = a + (r / 4) * 16 + (r % 4) * 4;
        const int8_t *y = b + (c / 4) * 16 + (c % 4) * 4;
        tile[r * DLC_NR + c] +=
            x[0] * y[0] + x[1] * y[1] + x[2] * y[2] + x[3] * y[3];
      }
    a += 32;
    b += 32;
  }
#endif
}

/* gemmlowp's MultiplyByQuantizedMultiplier on four lanes: a saturating
 * left shift, vqrdmulhq_s32 (which rounds exactly as
 * SaturatingRoundingDoublingHighMul) and a rounding right shift whose
 * fix-up makes vrshlq_s32 round half away from zero as RoundingDivideByPOT
 * does (gemmlowp's fixedpoint_neon.h). Bit-exact with dlc_requant. */
DLC_INLINE int32x4_t dlc_requant_vec(int32x4_t x, int32_t multiplier,
                                     int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  x = vqshlq_s32(x, vdupq_n_s32(left));
  x = vqrdmulhq_s32(x, vdupq_n_s32(multiplier));
  int32x4_t by = vdupq_n_s32(-right);
  int32x4_t fixup = vshrq_n_s32(vandq_s32(x, by), 31);
  return vrshlq_s32(vqaddq_s32(x, fixup), by);
}

/* Requantizes an mr x nr int32 tile (rows from i0, columns from j0) into
 * c[i*ldi + j*ldj]: acc + rowcorr[i] (+ colcorr[j]), fixed-point rescale,
 * + z_y, clamp; full rows of a row-major output eight lanes at a time. */
DLC_INLINE void dlc_store_tile_s8(const int32_t *tile, int8_t *c, int64_t ldi,
                                  int64_t ldj, int mr, int nr,
                                  const int32_t *rowcorr,
                                  const int32_t *colcorr,
                                  const dlc_requant_params *rq, int i0,
                                  int j0) {
  int32x4_t col0 = vdupq_n_s32(0), col1 = col0;
  if (colcorr && nr == DLC_NR) {
    col0 = vld1q_s32(colcorr + j0);
    col1 = vld1q_s32(colcorr + j0 + 4);
  }
  for (int i = 0; i < mr; ++i) {
    int at = rq->per_row ? i0 + i : 0;
    int32_t m = rq->multiplier[at], s = rq->shift[at];
    if (ldj == 1 && nr == DLC_NR) {
      int32x4_t base = vdupq_n_s32(rowcorr[i0 + i]);
      int32x4_t v0 =
          vaddq_s32(vaddq_s32(vld1q_s32(tile + i * DLC_NR), base), col0);
      int32x4_t v1 =
          vaddq_s32(vaddq_s32(vld1q_s32(tile + i * DLC_NR + 4), base), col1);
      int32x4_t zero = vdupq_n_s32(rq->zero_point);
      int32x4_t lo = vdupq_n_s32(rq->lo), hi = vdupq_n_s32(rq->hi);
      v0 = vminq_s32(vmaxq_s32(vaddq_s32(dlc_requant_vec(v0, m, s), zero), lo),
                     hi);
      v1 = vminq_s32(vmaxq_s32(vaddq_s32(dlc_requant_vec(v1, m, s), zero), lo),
                     hi);
      int16x8_t narrow = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
      vst1_s8(c + i * ldi, vqmovn_s16(narrow));
      continue;
    }
    for (int j = 0; j < nr; ++j) {
      int32_t acc = tile[i * DLC_NR + j] + rowcorr[i0 + i] +
                    (colcorr ? colcorr[j0 + j] : 0);
      c[i * ldi + j * ldj] =
          dlc_clamp_s8(rq->zero_point + dlc_requant(acc, m, s), rq->lo, rq->hi);
    }
  }
}

typedef struct {
  int M, N, K;
  const int8_t *apack;
  const dlc_bsource *bs;
  int8_t pad;
  int8_t *c;
  int64_t ldi, ldj;
  const int32_t *rowcorr, *colcorr;
  const dlc_requant_params *rq;
  int nc;
} dlc_gemm_s8_args;

/* Rows [i_begin, i_end) and columns [j_begin, j_end) of an int8 GEMM;
 * `scratch` holds a packed B block (K4 x nc) and the tile. */
DLC_INLINE void dlc_gemm_s8_range(const dlc_gemm_s8_args *g, int64_t i_begin,
                                  int64_t i_end, int64_t j_begin, int64_t j_end,
                                  int8_t *scratch) {
  int K4 = DLC_ROUND_UP(g->K, 4);
  int8_t *bp = scratch;
  int32_t *tile =
      (int32_t *)(bp +
                  DLC_ROUND_UP((int64_t)K4 * DLC_ROUND_UP(g->nc, DLC_NR), 64));
  for (int64_t j0 = j_begin; j0 < j_end; j0 += g->nc) {
    int nc = (int)DLC_MIN(g->nc, j_end - j0);
    dlc_pack_b_s8(g->bs, g->K, (int)j0, nc, g->pad, bp);
    for (int64_t i0 = i_begin; i0 < i_end; i0 += DLC_MR) {
      const int8_t *a = g->apack + (i0 / DLC_MR) * K4 * DLC_MR;
      for (int jp = 0; jp < nc; jp += DLC_NR) {
        dlc_ukernel_s8(K4, a, bp + (int64_t)(jp / DLC_NR) * K4 * DLC_NR, tile);
        dlc_store_tile_s8(tile, g->c + i0 * g->ldi + (j0 + jp) * g->ldj, g->ldi,
                          g->ldj, (int)DLC_MIN(DLC_MR, i_end - i0),
                          DLC_MIN(DLC_NR, nc - jp), g->rowcorr, g->colcorr,
                          g->rq, (int)i0, (int)(j0 + jp));
      }
    }
  }
}

DLC_INLINE void dlc_gemm_s8_part(void *ctx, int part, int parts,
                                 uint8_t *scratch) {
  const dlc_gemm_s8_args *g = (const dlc_gemm_s8_args *)ctx;
  int64_t i0, i1, j0, j1;
  if (dlc_split_gemm(g->M, g->N, part, parts, &i0, &i1, &j0, &j1))
    dlc_gemm_s8_range(g, i0, i1, j0, j1, (int8_t *)scratch);
}

DLC_INLINE void dlc_gemm_s8(const dlc_gemm_s8_args *g, const dlc_exec *ex) {
  dlc_parallel(ex, dlc_gemm_s8_part, (void *)g);
}

/* int8 convolution of n images; `rowcorr` per output channel of all
 * groups, weights per group one after another. */
DLC_INLINE void dlc_qconv2d_s8(int n, const dlc_conv_geom *g, const int8_t *in,
                               int8_t zx, const int8_t *w, int8_t *out,
                               const int32_t *rowcorr,
                               const dlc_requant_params *rq, int nc,
                               const dlc_exec *ex) {
  int cg = g->c / g->groups, mg = g->m / g->groups;
  int K = cg * g->kh * g->kw, P = g->oh * g->ow;
  int pointwise = dlc_conv_is_pointwise(g);
  int64_t panelBytes = (int64_t)DLC_ROUND_UP(mg, DLC_MR) * DLC_ROUND_UP(K, 4);
  for (int img = 0; img < n; ++img)
    for (int grp = 0; grp < g->groups; ++grp) {
      const int8_t *image = in + (int64_t)img * g->c * g->h * g->w;
      dlc_bsource bs = {image, P, 1, g, grp * cg};
      if (pointwise) {
        bs.data = image + (int64_t)grp * cg * P;
        bs.geom = 0;
      }
      dlc_requant_params r = *rq;
      if (r.per_row) {
        r.multiplier += grp * mg;
        r.shift += grp * mg;
      }
      dlc_gemm_s8_args args = {mg,
                               P,
                               K,
                               w + grp * panelBytes,
                               &bs,
                               zx,
                               out + ((int64_t)img * g->m + grp * mg) * P,
                               P,
                               1,
                               rowcorr + grp * mg,
                               0,
                               &r,
                               nc};
      dlc_gemm_s8(&args, ex);
    }
}

DLC_INLINE void dlc_qlinear_s8(int rows, int K, int M, const int8_t *in,
                               int8_t zx, const int8_t *w, int8_t *out,
                               const int32_t *rowcorr,
                               const dlc_requant_params *rq, int nc,
                               const dlc_exec *ex) {
  dlc_bsource bs = {in, 1, K, 0, 0};
  dlc_gemm_s8_args args = {M, rows, K,       w, &bs, zx, out,
                           1, M,    rowcorr, 0, rq,  nc};
  dlc_gemm_s8(&args, ex);
}

/* Batched int8 lhs[b] (M x K) times rhs[b] (K x N): the zero points come
 * out as row and column corrections computed per batch. `packed` holds
 * lhs's panels and the corrections (round8(M) * K4 bytes rounded to 64,
 * then 4 * round16(M) and 4 * round16(N) bytes). */
DLC_INLINE void dlc_qmatmul_s8(int batch, int M, int N, int K,
                               const int8_t *lhs, int64_t lhs_stride,
                               int32_t za, const int8_t *rhs,
                               int64_t rhs_stride, int32_t zb, int8_t *out,
                               const dlc_requant_params *rq, int nc,
                               int8_t *packed, const dlc_exec *ex) {
  int K4 = DLC_ROUND_UP(K, 4);
  int8_t *ap = packed;
  int32_t *rowcorr, *colcorr;
  dlc_qmatmul_corrections(packed, 1, 1, M, K, &rowcorr, &colcorr);
  for (int b = 0; b < batch; ++b) {
    const int8_t *x = lhs + b * lhs_stride, *y = rhs + b * rhs_stride;
    for (int i0 = 0; i0 < M; i0 += DLC_MR)
      for (int k = 0; k < K4; ++k)
        for (int r = 0; r < DLC_MR; ++r)
          ap[(int64_t)(i0 / DLC_MR) * K4 * DLC_MR + (k / 4) * 32 + r * 4 +
             k % 4] = (i0 + r < M && k < K) ? x[(i0 + r) * K + k] : 0;
    for (int i = 0; i < M; ++i) {
      int32_t sum = 0;
      for (int k = 0; k < K; ++k)
        sum += x[i * K + k];
      rowcorr[i] = -zb * sum + K * za * zb;
    }
    for (int j = 0; j < N; ++j) {
      int32_t sum = 0;
      for (int k = 0; k < K; ++k)
        sum += y[k * N + j];
      colcorr[j] = -za * sum;
    }
    dlc_bsource bs = {y, N, 1, 0, 0};
    dlc_gemm_s8_args args = {
        M, N, K,       ap,      &bs, 0, out + (int64_t)b * M * N,
        N, 1, rowcorr, colcorr, rq,  nc};
    dlc_gemm_s8(&args, ex);
  }
}
