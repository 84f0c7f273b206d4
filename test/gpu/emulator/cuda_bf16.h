/*===- cuda_bf16.h - CUDA's bfloat16 type, emulated on the CPU -------------===*
 *
 * __nv_bfloat16 as the upper 16 bits of an fp32, rounded to nearest even
 * (NaNs stay quiet NaNs), which is what the GPU's cvt.rn.bf16 does.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_EMULATED_CUDA_BF16_H
#define DLC_EMULATED_CUDA_BF16_H

#include <cstdint>
#include <cstring>

struct __nv_bfloat16 {
  uint16_t __x;
};

inline __nv_bfloat16 __float2bfloat16_rn(float v) {
  uint32_t bits;
  memcpy(&bits, &v, 4);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
    return __nv_bfloat16{(uint16_t)(bits >> 16 | 0x40)};
  bits += 0x7FFFu + (bits >> 16 & 1);
  return __nv_bfloat16{(uint16_t)(bits >> 16)};
}
inline __nv_bfloat16 __float2bfloat16(float v) {
  return __float2bfloat16_rn(v);
}
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 v) { return v.__x; }
inline float __bfloat162float(__nv_bfloat16 v) {
  uint32_t bits = (uint32_t)v.__x << 16;
  float f;
  memcpy(&f, &bits, 4);
  return f;
}

#endif
