/*===- pipeline.cuh - staging: cp.async pipelines -------------------------===*
 *
 * The copies from global to shared memory every GEMM kernel stages its
 * chunks with (cp.async on sm_80+, ordinary copies before), the loop that
 * keeps DLC_STAGES chunks in flight, and the fp32 and NF4 staging helpers.
 *
 *===----------------------------------------------------------------------===*/

/* cp.async: a copy of BYTES (4 or 16) from global to shared memory that
 * completes in the background, zeros when !valid (`at` is then any
 * readable address); committed in groups and waited for with
 * dlc_cp_async_wait. Before sm_80, an ordinary copy. */
template <int BYTES>
DLC_DEVICE void dlc_cp_async(void *to, const void *at, bool valid) {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async(to, at, BYTES, valid ? BYTES : 0);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  unsigned shared = (unsigned)__cvta_generic_to_shared(to);
  if constexpr (BYTES == 16)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(shared),
                 "l"(at), "r"(valid ? 16 : 0));
  else
    asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;" ::"r"(shared),
                 "l"(at), "n"(BYTES), "r"(valid ? BYTES : 0));
#else
  if constexpr (BYTES == 16)
    *(float4 *)to = valid ? *(const float4 *)at : make_float4(0, 0, 0, 0);
  else
    *(float *)to = valid ? *(const float *)at : 0.0f;
#endif
}
DLC_DEVICE void dlc_cp_async_commit() {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async_commit();
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;");
#endif
}
/* Waits until at most PENDING committed groups are still in flight. */
template <int PENDING> DLC_DEVICE void dlc_cp_async_wait() {
#ifdef DLC_CUDA_EMULATOR
  dlc_emu::cp_async_wait(PENDING);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_group %0;" ::"n"(PENDING));
#endif
}

#ifndef DLC_STAGES
#define DLC_STAGES 3
#endif
static_assert(DLC_STAGES >= 2, "a pipeline needs at least 2 stages");

/* The reduction's chunks through the pipeline: `stage(s, c)` issues the
 * copies of chunk c into stage s, `compute(s)` multiplies the chunk in
 * stage s, through STAGES stages (DLC_STAGES unless a kernel's chunks need
 * fewer). Chunk c goes to stage c % STAGES; every iteration commits one
 * group (empty past the last chunk), so waiting until STAGES - 2 are in
 * flight means chunk c has landed, and the barrier also tells the
 * threads that every warp is done with the stage refilled next. */
template <int STAGES = DLC_STAGES, typename Stage, typename Compute>
DLC_DEVICE void dlc_pipeline(int chunks, Stage stage, Compute compute) {
  for (int c = 0; c < STAGES - 1; ++c) {
    if (c < chunks)
      stage(c, c);
    dlc_cp_async_commit();
  }
  for (int c = 0; c < chunks; ++c) {
    dlc_cp_async_wait<STAGES - 2>();
    __syncthreads();
    int next = c + STAGES - 1;
    if (next < chunks)
      stage(next % STAGES, next);
    dlc_cp_async_commit();
    compute(c % STAGES);
  }
}

/* Staged fp32 rows: one reduction step of the block tile's A rows or B
 * columns each, padded by 4 words (16-byte aligned, and a fragment load of
 * steps 2t, 2t + 1 hits 32 different banks). */
#define DLC_AROW_F32 (DLC_BM + 4)
#define DLC_BROW_F32 (DLC_BN + 4)

/* Issues the copies of B's steps k0 .. k0 + STEPS - 1 (fp32) into rows of
 * one stage, one element at a time (a convolution's implicit im2col
 * gathers); padding and steps past K are zeros. */
template <int STEPS>
DLC_DEVICE void dlc_stage_b_f32(const dlc_gemm_params &p, const float *b,
                                int j0, int k0, float (*Bs)[DLC_BROW_F32]) {
  for (int e = threadIdx.x; e < STEPS * DLC_BN; e += blockDim.x) {
    int t, s;
    dlc_b_element<STEPS>(p, e, &t, &s);
    int k = k0 + t, j = j0 + s;
    const float *at = k < p.K && j < p.N ? dlc_b_ptr(p, b, k, j) : nullptr;
    dlc_cp_async<4>(&Bs[t][s], at ? at : b, at != nullptr);
  }
}

/* Issues the copies of A's steps k0 .. k0 + STEPS - 1 into rows of one
 * stage: fp32 panels 16 bytes (4 rows of a step) at a time, NF4 weights
 * decoded here; steps past K are zeros. */
template <int STEPS>
DLC_DEVICE void dlc_stage_a_f32(const dlc_gemm_params &p, const dlc_asource &a,
                                int64_t ag, int i0, int k0,
                                float (*As)[DLC_AROW_F32]) {
  const float *weights = (const float *)a.data;
  /* Consecutive threads: the 2 quads of a panel row, then its steps. */
  for (int e = threadIdx.x; e < STEPS * DLC_BM / 4; e += blockDim.x) {
    int r = e / (2 * STEPS) * DLC_MR + e % 2 * 4, t = e / 2 % STEPS;
    int row = i0 + r, k = k0 + t;
    if (a.kind == DLC_A_F32) {
      bool valid = row < p.M && k < p.K;
      dlc_cp_async<16>(
          &As[t][r], valid ? weights + ag + dlc_panel_at(row, k, p.K) : weights,
          valid);
    } else {
      for (int q = 0; q < 4; ++q)
        As[t][r + q] = k < p.K ? dlc_a_f32(a, ag, p.M, p.K, row + q, k) : 0.0f;
    }
  }
}

/* N consecutive staged floats (16-byte aligned where N is a multiple of 4)
 * into registers. */
template <int N> DLC_DEVICE void dlc_load_f32(const float *at, float *v) {
  if constexpr (N % 4 == 0) {
#pragma unroll
    for (int i = 0; i < N / 4; ++i) {
      float4 q = ((const float4 *)at)[i];
      v[4 * i] = q.x;
      v[4 * i + 1] = q.y;
      v[4 * i + 2] = q.z;
      v[4 * i + 3] = q.w;
    }
  } else {
#pragma unroll
    for (int i = 0; i < N; ++i)
      v[i] = at[i];
  }
}

#if defined(DLC_WANT_NF4_SIMT) || defined(DLC_WANT_NF4_TC)
/* NF4 weights staged as codes (the fp32 and the tensor-core kernels): the
 * 16 codebook values, as bits, into `book` in shared memory (the
 * pipeline's first barrier comes before they are read). */
DLC_DEVICE void dlc_nf4_load_book(const dlc_asource &a, uint32_t *book) {
  if (threadIdx.x < 16)
    book[threadIdx.x] = __float_as_uint(a.codebook[threadIdx.x]);
}

/* Issues the copies of the block scales of the tile's DLC_BM rows at step
 * k0 (a chunk lies in one block) into `to`; rows past M get zeros. */
DLC_DEVICE void dlc_stage_nf4_scales(const dlc_gemm_params &p,
                                     const dlc_asource &a, int i0, int k0,
                                     uint32_t *to) {
  for (int r = threadIdx.x; r < DLC_BM; r += blockDim.x) {
    int row = i0 + r;
    bool valid = row < p.M;
    dlc_cp_async<4>(to + r,
                    valid ? a.scales +
                                (a.first + (int64_t)row * p.K + k0) / a.block
                          : a.scales,
                    valid);
  }
}
#endif
