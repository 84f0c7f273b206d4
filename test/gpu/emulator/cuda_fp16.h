/*===- cuda_fp16.h - CUDA's half type, emulated on the CPU -----------------===*
 *
 * __half as its 16 bits, converted with the compiler's _Float16 (IEEE
 * binary16, round to nearest even), which is what the GPU's cvt.rn does.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DLC_EMULATED_CUDA_FP16_H
#define DLC_EMULATED_CUDA_FP16_H

#include <cstdint>
#include <cstring>

struct __half {
  uint16_t __x;
};
struct __half2_raw {
  unsigned short x, y;
};

inline __half __float2half_rn(float v) {
  _Float16 h = (_Float16)v;
  __half r;
  memcpy(&r.__x, &h, 2);
  return r;
}
inline __half __float2half(float v) { return __float2half_rn(v); }
/* Through a table of all 65536 values: the compiler's own conversion is
 * a library call per element, which the emulated tensor cores would spend
 * most of their time in. */
inline float __half2float(__half v) {
  static const float *table = [] {
    static float values[65536];
    for (uint32_t bits = 0; bits < 65536; ++bits) {
      uint16_t b = (uint16_t)bits;
      _Float16 h;
      memcpy(&h, &b, 2);
      values[bits] = (float)h;
    }
    return values;
  }();
  return table[v.__x];
}
inline __half __ushort_as_half(unsigned short bits) { return __half{bits}; }
inline unsigned short __half_as_ushort(__half v) { return v.__x; }

#endif
