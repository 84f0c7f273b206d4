//===- ResizeKernel.cpp - nearest, bilinear and bicubic resize ------------===//
//
// The backends compute the same positions and weights per output
// (lib/Target/Codegen/Kernels/shared.h, dlc_resize_axis); here they depend
// only on the output row or column and are computed once per op.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include <algorithm>
#include <cmath>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;
using Spec = ResizeSpec;

namespace {
/// The input indices one output index reads along an axis, and their
/// weights.
struct Taps {
  int count = 0;
  int64_t index[4] = {};
  float weight[4] = {};
};
} // namespace

/// The input position output index `o` samples (ONNX's
/// coordinate_transformation_mode, `length` the resized length; align_corners
/// as PyTorch computes it).
static float sourcePosition(Spec::Coordinates mode, int64_t o, int64_t in,
                            float length, float scale) {
  float at = static_cast<float>(o);
  switch (mode) {
  case Spec::Coordinates::HalfPixel:
    return (at + 0.5f) / scale - 0.5f;
  case Spec::Coordinates::PyTorchHalfPixel:
    return length > 1.0f ? (at + 0.5f) / scale - 0.5f : 0.0f;
  case Spec::Coordinates::AlignCorners:
    return length > 1.0f ? static_cast<float>(in - 1) / (length - 1.0f) * at
                         : 0.0f;
  case Spec::Coordinates::Asymmetric:
    return at / scale;
  case Spec::Coordinates::TfHalfPixelForNN:
    return (at + 0.5f) / scale;
  }
  return at;
}

static int64_t clampIndex(int64_t i, int64_t in) {
  return std::clamp<int64_t>(i, 0, in - 1);
}

/// Keys' cubic kernel at distance `d` (PyTorch's two pieces).
static float cubicNear(float d, float a) {
  return ((a + 2.0f) * d - (a + 3.0f)) * d * d + 1.0f;
}
static float cubicFar(float d, float a) {
  return ((a * d - 5.0f * a) * d + 8.0f * a) * d - 4.0f * a;
}

static Taps tapsAt(const Spec &spec, int axis, int64_t o, int64_t in) {
  float x = sourcePosition(spec.coordinates, o, in, spec.lengths[axis],
                           spec.scales[axis]);
  Taps taps;
  switch (spec.mode) {
  case Spec::Mode::Nearest: {
    float f = std::floor(x);
    float r = x - f == 0.5f ? f : std::round(x);
    switch (spec.rounding) {
    case Spec::Rounding::RoundPreferFloor:
      break;
    case Spec::Rounding::RoundPreferCeil:
      r = x - f == 0.5f ? f + 1.0f : r;
      break;
    case Spec::Rounding::Floor:
      r = f;
      break;
    case Spec::Rounding::Ceil:
      r = std::ceil(x);
      break;
    }
    taps.count = 1;
    taps.index[0] = clampIndex(static_cast<int64_t>(r), in);
    taps.weight[0] = 1.0f;
    return taps;
  }
  case Spec::Mode::Linear: {
    x = std::max(x, 0.0f);
    float f = std::floor(x), t = x - f;
    taps.count = 2;
    taps.index[0] = clampIndex(static_cast<int64_t>(f), in);
    taps.index[1] = clampIndex(static_cast<int64_t>(f) + 1, in);
    taps.weight[0] = 1.0f - t;
    taps.weight[1] = t;
    return taps;
  }
  case Spec::Mode::Cubic: {
    float f = std::floor(x), t = x - f, a = spec.cubicA;
    taps.count = 4;
    taps.weight[0] = cubicFar(t + 1.0f, a);
    taps.weight[1] = cubicNear(t, a);
    taps.weight[2] = cubicNear(1.0f - t, a);
    taps.weight[3] = cubicFar(2.0f - t, a);
    float kept = 0.0f;
    for (int k = 0; k < 4; ++k) {
      int64_t i = static_cast<int64_t>(f) - 1 + k;
      if (spec.excludeOutside && (i < 0 || i >= in))
        taps.weight[k] = 0.0f;
      kept += taps.weight[k];
      taps.index[k] = clampIndex(i, in);
    }
    if (spec.excludeOutside)
      for (float &w : taps.weight)
        w /= kept;
    return taps;
  }
  }
  return taps;
}

Tensor kernels::resize(const Tensor &input, const ResizeSpec &spec) {
  int64_t n = input.dim(0), c = input.dim(1), h = input.dim(2),
          w = input.dim(3);
  int64_t oh = spec.sizes[0], ow = spec.sizes[1];
  Tensor output = Tensor::uninitialized({n, c, oh, ow});
  std::vector<Taps> rows, cols;
  for (int64_t oy = 0; oy < oh; ++oy)
    rows.push_back(tapsAt(spec, 0, oy, h));
  for (int64_t ox = 0; ox < ow; ++ox)
    cols.push_back(tapsAt(spec, 1, ox, w));
  bool nearest = spec.mode == Spec::Mode::Nearest;
  // The input rows some output row reads.
  std::vector<char> rowRead(h, 0);
  for (const Taps &row : rows)
    for (int r = 0; r < row.count; ++r)
      rowRead[row.index[r]] = 1;
  parallelFor(0, n * c, [&](int64_t plane) {
    const float *src = input.data() + plane * h * w;
    float *dst = output.mutableData() + plane * oh * ow;
    if (nearest) {
      for (int64_t oy = 0; oy < oh; ++oy) {
        const float *line = src + rows[oy].index[0] * w;
        float *out = dst + oy * ow;
        for (int64_t ox = 0; ox < ow; ++ox)
          out[ox] = line[cols[ox].index[0]];
      }
      return;
    }
    // Each output is the weighted sum along the width of each sampled row,
    // then of the rows (PyTorch's order): the width sums of every input
    // row read, once, then each output row from them.
    float *across = scratchBuffer(kResizeRowsSlot, h * ow);
    for (int64_t y = 0; y < h; ++y) {
      if (!rowRead[y])
        continue;
      const float *line = src + y * w;
      float *sums = across + y * ow;
      for (int64_t ox = 0; ox < ow; ++ox) {
        const Taps &col = cols[ox];
        float sum = 0.0f;
        for (int k = 0; k < col.count; ++k)
          sum += col.weight[k] * line[col.index[k]];
        sums[ox] = sum;
      }
    }
    for (int64_t oy = 0; oy < oh; ++oy) {
      const Taps &row = rows[oy];
      float *out = dst + oy * ow;
      std::fill(out, out + ow, 0.0f);
      for (int r = 0; r < row.count; ++r) {
        const float *sums = across + row.index[r] * ow;
        float weight = row.weight[r];
        for (int64_t ox = 0; ox < ow; ++ox)
          out[ox] += weight * sums[ox];
      }
    }
  });
  return output;
}
