/*===- gemm_f32.h - packed fp32 GEMM and convolution ----------------------===*
 *
 * C(i, j) = sum_k A(i, k) B(k, j) with A the weights (rows = output
 * channels), packed at emit time into panels of DLC_MR rows stored k-major
 * (panel p, step k: rows 8p..8p+7), and B the activations, packed at run
 * time per (kc x nc) block into panels of DLC_NR columns. Convolutions
 * pack B straight from the image (implicit im2col: no unfolded copy);
 * 1x1 stride-1 convolutions and linear layers read B as a strided matrix.
 * NF4 weights are dequantized in the microkernel's loop; fp8 weights are
 * decoded one kc-slice of a panel at a time into an L1-resident panel.
 *
 *===----------------------------------------------------------------------===*/

/* Blocking of the reduction (kc) and of the columns (nc), chosen by the
 * compiler from the target's cache sizes. */
typedef struct {
  int kc, nc;
} dlc_tiling;

/* Where B(k, j) comes from: a strided matrix, or an image unfolded on the
 * fly for the convolution `geom` (channels from `channel0`). */
typedef struct {
  const void *data;
  int64_t rs, cs;
  const dlc_conv_geom *geom;
  int channel0;
} dlc_bsource;

/* fp32 panel `ap` (kc steps of DLC_MR rows) for rows i0.. of fp8 weights
 * (codes in the panel layout), reduction steps k0.. of K. */
DLC_INLINE void dlc_decode_fp8_panel(const dlc_asource *as, int K, int i0,
                                     int k0, int kc, float *ap) {
  const uint8_t *codes =
      (const uint8_t *)as->data + ((int64_t)(i0 / DLC_MR) * K + k0) * DLC_MR;
  for (int k = 0; k < kc; ++k) {
    uint16_t half[DLC_MR];
    for (int r = 0; r < DLC_MR; ++r)
      half[r] = as->fp8_table[codes[k * DLC_MR + r]];
    float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(half));
    vst1q_f32(ap + k * DLC_MR, vcvt_f32_f16(vget_low_f16(h)));
    vst1q_f32(ap + k * DLC_MR + 4, vcvt_high_f32_f16(h));
  }
}

/* Packs B(k0..k0+kc, j0..j0+nc) into panels of DLC_NR columns, zero-filled
 * past nc. */
DLC_INLINE void dlc_pack_b_f32(const dlc_bsource *bs, int k0, int kc, int j0,
                               int nc, float *bp) {
  int panels = (nc + DLC_NR - 1) / DLC_NR;
  const float *src = (const float *)bs->data;
  if (!bs->geom) {
    for (int p = 0; p < panels; ++p) {
      int cols = DLC_MIN(DLC_NR, nc - p * DLC_NR);
      float *dst = bp + (int64_t)p * kc * DLC_NR;
      const float *col0 = src + (int64_t)(j0 + p * DLC_NR) * bs->cs;
      for (int k = 0; k < kc; ++k) {
        const float *row = col0 + (int64_t)(k0 + k) * bs->rs;
        float *d = dst + k * DLC_NR;
        if (cols == DLC_NR && bs->cs == 1) {
          vst1q_f32(d, vld1q_f32(row));
          vst1q_f32(d + 4, vld1q_f32(row + 4));
          continue;
        }
        for (int j = 0; j < DLC_NR; ++j)
          d[j] = j < cols ? row[j * bs->cs] : 0.0f;
      }
    }
    return;
  }
  const dlc_conv_geom *g = bs->geom;
  int taps = g->kh * g->kw;
  for (int k = 0; k < kc; ++k) {
    int kk = k0 + k, c = kk / taps, ky = (kk % taps) / g->kw, kx = kk % g->kw;
    const float *plane = src + (int64_t)(bs->channel0 + c) * g->h * g->w;
    int oy = j0 / g->ow, ox = j0 % g->ow;
    for (int j = 0; j < panels * DLC_NR; ++j) {
      float v = 0.0f;
      if (j < nc) {
        int iy = oy * g->sh - g->pt + ky * g->dh;
        int ix = ox * g->sw - g->pl + kx * g->dw;
        if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w)
          v = plane[iy * g->w + ix];
        if (++ox == g->ow) {
          ox = 0;
          ++oy;
        }
      }
      bp[(int64_t)(j / DLC_NR) * kc * DLC_NR + k * DLC_NR + j % DLC_NR] = v;
    }
  }
}

/* The 8x8 register-blocked microkernel: tile = A panel x B panel over kc
 * steps. 16 accumulators, 4 loads and 16 FMAs per step; unrolled twice so
 * the loop's own instructions stay off the critical path (GCC and Clang
 * both honour the pragma). */
DLC_INLINE void dlc_ukernel_f32(int kc, const float *a, const float *b,
                                float *tile) {
  float32x4_t c00 = vdupq_n_f32(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
              c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
              c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
#pragma GCC unroll 2
  for (int k = 0; k < kc; ++k) {
    float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
    float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
    c00 = vfmaq_laneq_f32(c00, b0, a0, 0);
    c01 = vfmaq_laneq_f32(c01, b1, a0, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a0, 1);
    c11 = vfmaq_laneq_f32(c11, b1, a0, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a0, 2);
    c21 = vfmaq_laneq_f32(c21, b1, a0, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a0, 3);
    c31 = vfmaq_laneq_f32(c31, b1, a0, 3);
    c40 = vfmaq_laneq_f32(c40, b0, a1, 0);
    c41 = vfmaq_laneq_f32(c41, b1, a1, 0);
    c50 = vfmaq_laneq_f32(c50, b0, a1, 1);
    c51 = vfmaq_laneq_f32(c51, b1, a1, 1);
    c60 = vfmaq_laneq_f32(c60, b0, a1, 2);
    c61 = vfmaq_laneq_f32(c61, b1, a1, 2);
    c70 = vfmaq_laneq_f32(c70, b0, a1, 3);
    c71 = vfmaq_laneq_f32(c71, b1, a1, 3);
    a += DLC_MR;
    b += DLC_NR;
  }
  vst1q_f32(tile + 0, c00);
  vst1q_f32(tile + 4, c01);
  vst1q_f32(tile + 8, c10);
  vst1q_f32(tile + 12, c11);
  vst1q_f32(tile + 16, c20);
  vst1q_f32(tile + 20, c21);
  vst1q_f32(tile + 24, c30);
  vst1q_f32(tile + 28, c31);
  vst1q_f32(tile + 32, c40);
  vst1q_f32(tile + 36, c41);
  vst1q_f32(tile + 40, c50);
  vst1q_f32(tile + 44, c51);
  vst1q_f32(tile + 48, c60);
  vst1q_f32(tile + 52, c61);
  vst1q_f32(tile + 56, c70);
  vst1q_f32(tile + 60, c71);
}

/* The 8x8 microkernel on NF4 weights, dequantized in the loop: each step
 * unpacks the 8 rows' nibbles (high first), looks their values up in the
 * fp32 codebook (vqtbl4q_u8 over its 64 bytes), scales them by each row's
 * block scale (reloaded when a row crosses a block boundary) and issues
 * the same 16 FMAs as dlc_ukernel_f32. The weights are the executor's to
 * the bit: codebook[code] * scale in fp32. Rows from i0 of M; steps from
 * k0 of K. */
DLC_INLINE void dlc_ukernel_nf4(int kc, const uint8_t *codes,
                                const dlc_asource *as, int M, int K, int64_t i0,
                                int k0, const float *b, float *tile) {
  uint8x16x4_t book = {{vreinterpretq_u8_f32(vld1q_f32(as->codebook)),
                        vreinterpretq_u8_f32(vld1q_f32(as->codebook + 4)),
                        vreinterpretq_u8_f32(vld1q_f32(as->codebook + 8)),
                        vreinterpretq_u8_f32(vld1q_f32(as->codebook + 12))}};
  static const uint8_t dup_lo[16] = {0, 0, 0, 0, 1, 1, 1, 1,
                                     2, 2, 2, 2, 3, 3, 3, 3};
  static const uint8_t dup_hi[16] = {4, 4, 4, 4, 5, 5, 5, 5,
                                     6, 6, 6, 6, 7, 7, 7, 7};
  static const uint8_t byte_of[16] = {0, 1, 2, 3, 0, 1, 2, 3,
                                      0, 1, 2, 3, 0, 1, 2, 3};
  uint8x16_t lo_pattern = vld1q_u8(dup_lo), hi_pattern = vld1q_u8(dup_hi);
  uint8x16_t offsets = vld1q_u8(byte_of);
  float32x4_t c00 = vdupq_n_f32(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
              c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
              c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
  float32x4_t s0 = c00, s1 = c00;
  int next = 0; /* the step at which some row's block scale changes */
  for (int k = 0; k < kc; ++k) {
    if (k == next) {
      float scale[DLC_MR];
      next = kc;
      for (int r = 0; r < DLC_MR; ++r) {
        int64_t index = as->first + (i0 + r) * K + k0 + k;
        scale[r] = i0 + r < M ? as->scales[index / as->block] : 0.0f;
        int64_t change = (index / as->block + 1) * as->block - index + k;
        if (change < next)
          next = (int)change;
      }
      s0 = vld1q_f32(scale);
      s1 = vld1q_f32(scale + 4);
    }
    uint32_t word;
    memcpy(&word, codes + k * (DLC_MR / 2), 4);
    uint8x8_t packed = vcreate_u8(word);
    uint8x8_t nibbles =
        vzip1_u8(vshr_n_u8(packed, 4), vand_u8(packed, vdup_n_u8(0xF)));
    uint8x16_t both = vcombine_u8(nibbles, nibbles);
    uint8x16_t idx0 =
        vaddq_u8(vshlq_n_u8(vqtbl1q_u8(both, lo_pattern), 2), offsets);
    uint8x16_t idx1 =
        vaddq_u8(vshlq_n_u8(vqtbl1q_u8(both, hi_pattern), 2), offsets);
    float32x4_t a0 =
        vmulq_f32(vreinterpretq_f32_u8(vqtbl4q_u8(book, idx0)), s0);
    float32x4_t a1 =
        vmulq_f32(vreinterpretq_f32_u8(vqtbl4q_u8(book, idx1)), s1);
    float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
    c00 = vfmaq_laneq_f32(c00, b0, a0, 0);
    c01 = vfmaq_laneq_f32(c01, b1, a0, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a0, 1);
    c11 = vfmaq_laneq_f32(c11, b1, a0, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a0, 2);
    c21 = vfmaq_laneq_f32(c21, b1, a0, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a0, 3);
    c31 = vfmaq_laneq_f32(c31, b1, a0, 3);
    c40 = vfmaq_laneq_f32(c40, b0, a1, 0);
    c41 = vfmaq_laneq_f32(c41, b1, a1, 0);
    c50 = vfmaq_laneq_f32(c50, b0, a1, 1);
    c51 = vfmaq_laneq_f32(c51, b1, a1, 1);
    c60 = vfmaq_laneq_f32(c60, b0, a1, 2);
    c61 = vfmaq_laneq_f32(c61, b1, a1, 2);
    c70 = vfmaq_laneq_f32(c70, b0, a1, 3);
    c71 = vfmaq_laneq_f32(c71, b1, a1, 3);
    b += DLC_NR;
  }
  float32x4_t acc[16] = {c00, c01, c10, c11, c20, c21, c30, c31,
                         c40, c41, c50, c51, c60, c61, c70, c71};
  for (int i = 0; i < 16; ++i)
    vst1q_f32(tile + 4 * i, acc[i]);
}

/* Writes an mr x nr tile at c (element (i, j) at c[i*ldi + j*ldj]), adding
 * what is there unless `first`. On the last reduction block `ep` is not
 * NULL and applies to rows from i0; `res` is the residual at the same
 * place as c (or NULL). */
DLC_INLINE void dlc_store_tile_f32(const float *tile, float *c,
                                   const float *res, int64_t ldi, int64_t ldj,
                                   int mr, int nr, int first,
                                   const dlc_epilogue_f32 *ep, int i0) {
  for (int i = 0; i < mr; ++i) {
    float *row = c + i * ldi;
    const float *rrow = res ? res + i * ldi : 0;
    const float *t = tile + i * DLC_NR;
    float scale = ep && ep->scale ? ep->scale[i0 + i] : 1.0f;
    float bias = ep && ep->bias ? ep->bias[i0 + i] : 0.0f;
    if (ldj == 1 && nr == DLC_NR) {
      float32x4_t v0 = vld1q_f32(t), v1 = vld1q_f32(t + 4);
      if (!first) {
        v0 = vaddq_f32(v0, vld1q_f32(row));
        v1 = vaddq_f32(v1, vld1q_f32(row + 4));
      }
      if (ep) {
        if (ep->scale) {
          v0 = vmulq_n_f32(v0, scale);
          v1 = vmulq_n_f32(v1, scale);
        }
        v0 = vaddq_f32(v0, vdupq_n_f32(bias));
        v1 = vaddq_f32(v1, vdupq_n_f32(bias));
        if (rrow) {
          v0 = vaddq_f32(v0, vld1q_f32(rrow));
          v1 = vaddq_f32(v1, vld1q_f32(rrow + 4));
        }
        float32x4_t lo = vdupq_n_f32(ep->clamp.lo),
                    hi = vdupq_n_f32(ep->clamp.hi);
        v0 = vminq_f32(vmaxq_f32(v0, lo), hi);
        v1 = vminq_f32(vmaxq_f32(v1, lo), hi);
      }
      vst1q_f32(row, v0);
      vst1q_f32(row + 4, v1);
      continue;
    }
    for (int j = 0; j < nr; ++j) {
      float v = t[j];
      if (!first)
        v += row[j * ldj];
      if (ep) {
        if (ep->scale)
          v *= scale;
        v += bias;
        if (rrow)
          v += rrow[j * ldj];
        v = DLC_MIN(DLC_MAX(v, ep->clamp.lo), ep->clamp.hi);
      }
      row[j * ldj] = v;
    }
  }
}

/* One GEMM: C = A B (+ epilogue) for M x N x K, C(i, j) at
 * c[i*ldi + j*ldj]; A's panels start at `as`'s data (K steps per panel). */
typedef struct {
  int M, N, K;
  const dlc_asource *as;
  const dlc_bsource *bs;
  float *c;
  int64_t ldi, ldj;
  const dlc_epilogue_f32 *ep;
  dlc_tiling t;
} dlc_gemm_f32_args;

/* Rows [i_begin, i_end) (a multiple of DLC_MR apart from the end) and
 * columns [j_begin, j_end) of a GEMM, with `scratch` for the packed B
 * block, a decoded A panel and the tile. */
DLC_INLINE void dlc_gemm_f32_range(const dlc_gemm_f32_args *g, int64_t i_begin,
                                   int64_t i_end, int64_t j_begin,
                                   int64_t j_end, float *scratch) {
  dlc_tiling t = g->t;
  const dlc_epilogue_f32 *ep = g->ep;
  float *bp = scratch;
  float *ap = bp + (int64_t)t.kc * DLC_ROUND_UP(t.nc, DLC_NR);
  float *tile = ap + (int64_t)t.kc * DLC_MR;
  for (int64_t j0 = j_begin; j0 < j_end; j0 += t.nc) {
    int nc = (int)DLC_MIN(t.nc, j_end - j0);
    for (int k0 = 0; k0 < g->K; k0 += t.kc) {
      int kc = DLC_MIN(t.kc, g->K - k0);
      int last = k0 + kc >= g->K;
      dlc_pack_b_f32(g->bs, k0, kc, (int)j0, nc, bp);
      for (int64_t i0 = i_begin; i0 < i_end; i0 += DLC_MR) {
        int mr = (int)DLC_MIN(DLC_MR, i_end - i0);
        const float *a = ap;
        const uint8_t *nf4 = 0;
        if (g->as->kind == DLC_A_F32)
          a = (const float *)g->as->data + ((i0 / DLC_MR) * g->K + k0) * DLC_MR;
        else if (g->as->kind == DLC_A_NF4)
          nf4 = (const uint8_t *)g->as->data +
                ((i0 / DLC_MR) * g->K + k0) * (DLC_MR / 2);
        else
          dlc_decode_fp8_panel(g->as, g->K, (int)i0, k0, kc, ap);
        for (int jp = 0; jp < nc; jp += DLC_NR) {
          int nr = DLC_MIN(DLC_NR, nc - jp);
          const float *bpanel = bp + (int64_t)(jp / DLC_NR) * kc * DLC_NR;
          if (nf4)
            dlc_ukernel_nf4(kc, nf4, g->as, g->M, g->K, i0, k0, bpanel, tile);
          else
            dlc_ukernel_f32(kc, a, bpanel, tile);
          int64_t at = i0 * g->ldi + (j0 + jp) * g->ldj;
          const float *res = last && ep && ep->residual ? ep->residual + at : 0;
          dlc_store_tile_f32(tile, g->c + at, res, g->ldi, g->ldj, mr, nr,
                             k0 == 0, last ? ep : 0, (int)i0);
        }
      }
    }
  }
}

/* A part of a GEMM: columns when there are enough of them, else rows. */
DLC_INLINE void dlc_gemm_f32_part(void *ctx, int part, int parts,
                                  uint8_t *scratch) {
  const dlc_gemm_f32_args *g = (const dlc_gemm_f32_args *)ctx;
  int64_t i0, i1, j0, j1;
  if (dlc_split_gemm(g->M, g->N, part, parts, &i0, &i1, &j0, &j1))
    dlc_gemm_f32_range(g, i0, i1, j0, j1, (float *)scratch);
}

DLC_INLINE void dlc_gemm_f32(const dlc_gemm_f32_args *g, const dlc_exec *ex) {
  dlc_parallel(ex, dlc_gemm_f32_part, (void *)g);
}

/* Convolution of n NCHW images by packed weights (per group: panels of
 * M/groups rows over K = C/groups*KH*KW steps, groups one after another). */
DLC_INLINE void dlc_conv2d_f32(int n, const dlc_conv_geom *g, const float *in,
                               const dlc_asource *w, float *out,
                               const dlc_epilogue_f32 *ep, dlc_tiling t,
                               const dlc_exec *ex) {
  int cg = g->c / g->groups, mg = g->m / g->groups;
  int K = cg * g->kh * g->kw, P = g->oh * g->ow;
  int pointwise = dlc_conv_is_pointwise(g);
  int64_t panelElems = (int64_t)DLC_ROUND_UP(mg, DLC_MR) * K;
  for (int img = 0; img < n; ++img)
    for (int grp = 0; grp < g->groups; ++grp) {
      const float *image = in + (int64_t)img * g->c * g->h * g->w;
      dlc_bsource bs = {image, P, 1, g, grp * cg};
      if (pointwise) {
        bs.data = image + (int64_t)grp * cg * P;
        bs.geom = 0;
      }
      dlc_asource a = *w;
      int64_t offset = (int64_t)grp * panelElems;
      a.data = (const uint8_t *)w->data + (w->kind == DLC_A_F32   ? offset * 4
                                           : w->kind == DLC_A_NF4 ? offset / 2
                                                                  : offset);
      a.first = w->first + (int64_t)grp * mg * K;
      dlc_epilogue_f32 e = *ep;
      int64_t base = ((int64_t)img * g->m + grp * mg) * P;
      if (e.scale)
        e.scale += grp * mg;
      if (e.bias)
        e.bias += grp * mg;
      if (e.residual)
        e.residual += base;
      dlc_gemm_f32_args args = {mg, P, K, &a, &bs, out + base, P, 1, &e, t};
      dlc_gemm_f32(&args, ex);
    }
}

/* A fully connected layer: out[r][i] = sum_k in[r][k] W[i][k] (+ ep). */
DLC_INLINE void dlc_linear_f32(int rows, int K, int M, const float *in,
                               const dlc_asource *w, float *out,
                               const dlc_epilogue_f32 *ep, dlc_tiling t,
                               const dlc_exec *ex) {
  dlc_bsource bs = {in, 1, K, 0, 0};
  dlc_gemm_f32_args args = {M, rows, K, w, &bs, out, 1, M, ep, t};
  dlc_gemm_f32(&args, ex);
}

/* Packs rows i of a strided M x K matrix (element (i, k) at
 * src[i*rs + k*cs]) into DLC_MR-row panels, zero rows past M. */
DLC_INLINE void dlc_pack_a_f32(int M, int K, const float *src, int64_t rs,
                               int64_t cs, float *dst) {
  for (int i0 = 0; i0 < M; i0 += DLC_MR)
    for (int k = 0; k < K; ++k)
      for (int r = 0; r < DLC_MR; ++r)
        *dst++ = i0 + r < M ? src[(i0 + r) * rs + k * cs] : 0.0f;
}

/* Batched lhs[b] (M x K) times rhs[b] (K x N), batch strides in elements
 * (0 broadcasts one matrix to every batch); `packed` holds lhs's panels. */
DLC_INLINE void dlc_matmul_f32(int batch, int M, int N, int K, const float *lhs,
                               int64_t lhs_stride, const float *rhs,
                               int64_t rhs_stride, float *out, float *packed,
                               dlc_tiling t, const dlc_exec *ex) {
  dlc_epilogue_f32 ep = {0, 0, 0, {-INFINITY, INFINITY}};
  for (int b = 0; b < batch; ++b) {
    dlc_pack_a_f32(M, K, lhs + b * lhs_stride, K, 1, packed);
    dlc_asource as = {DLC_A_F32, packed, 0, 0, 0, 0, 0, 0};
    dlc_bsource bs = {rhs + b * rhs_stride, N, 1, 0, 0};
    dlc_gemm_f32_args args = {M, N, K,   &as, &bs, out + (int64_t)b * M * N,
                              N, 1, &ep, t};
    dlc_gemm_f32(&args, ex);
  }
}
