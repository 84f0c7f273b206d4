/*===- cuda_fp8.h - CUDA's fp8 conversions, emulated on the CPU ------------===*
 *
 * The one conversion dlc's kernels use: two fp8 codes (E4M3 or E5M2) to
 * two fp16 values, exact (every fp8 value is an fp16 value).
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_EMULATED_CUDA_FP8_H
#define DLC_EMULATED_CUDA_FP8_H

#include "cuda_fp16.h"
#include "dlc_cuda_emulator.h"

typedef unsigned short __nv_fp8x2_storage_t;
typedef unsigned char __nv_fp8_storage_t;
typedef enum __nv_fp8_interpretation_t {
  __NV_E4M3,
  __NV_E5M2
} __nv_fp8_interpretation_t;

inline __half2_raw __nv_cvt_fp8x2_to_halfraw2(__nv_fp8x2_storage_t codes,
                                              __nv_fp8_interpretation_t f) {
  bool e5m2 = f == __NV_E5M2;
  return __half2_raw{__float2half_rn(dlc_emu::fp8Value(codes & 0xFF, e5m2)).__x,
                     __float2half_rn(dlc_emu::fp8Value(codes >> 8, e5m2)).__x};
}

#endif
