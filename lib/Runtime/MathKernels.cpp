//===- MathKernels.cpp - matrix products, elementwise ops, normalization --===//

#include "Kernels.h"
#include "llvm/Support/Parallel.h"
#include "llvm/Support/Threading.h"
#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <memory>

using namespace mlir::dlc::runtime;
using namespace mlir::dlc::runtime::kernels;

static unsigned threadCount = 1;

float *kernels::scratchBuffer(int slot, size_t count) {
  thread_local std::vector<std::unique_ptr<float[]>> buffers;
  thread_local std::vector<size_t> sizes;
  if (buffers.size() <= static_cast<size_t>(slot)) {
    buffers.resize(slot + 1);
    sizes.resize(slot + 1, 0);
  }
  if (sizes[slot] < count) {
    buffers[slot].reset(new float[count]);
    sizes[slot] = count;
  }
  return buffers[slot].get();
}

void kernels::setThreadCount(unsigned threads) {
  if (threads == 0)
    threads = llvm::hardware_concurrency().compute_thread_count();
  threadCount = std::max(1u, threads);
  // Each GEMM call runs on its caller's thread; gemm() splits the work
  // across our threads itself, so OpenBLAS's own pool never competes with
  // the parallel loops for the cores.
  openblas_set_num_threads(1);
  llvm::parallel::strategy = llvm::hardware_concurrency(threadCount);
}

void kernels::parallelFor(int64_t begin, int64_t end,
                          llvm::function_ref<void(int64_t)> body) {
  if (threadCount == 1 || end - begin < 2) {
    for (int64_t i = begin; i < end; ++i)
      body(i);
    return;
  }
  // One contiguous range per thread: LLVM's parallelFor would make a task
  // per index below 1024 indices, and the queueing costs more than small
  // bodies do.
  int64_t count = end - begin;
  int64_t parts = std::min<int64_t>(threadCount, count);
  llvm::parallelFor(0, parts, [&](size_t part) {
    int64_t first = begin + count * static_cast<int64_t>(part) / parts;
    int64_t last = begin + count * (static_cast<int64_t>(part) + 1) / parts;
    for (int64_t i = first; i < last; ++i)
      body(i);
  });
}

void kernels::gemmSingleThread(int64_t m, int64_t n, int64_t k, const float *a,
                               int64_t lda, const float *b, int64_t ldb,
                               float *c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda,
              b, ldb, 0.0f, c, ldc);
}

void kernels::gemm(bool transB, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta,
                   float *c, int64_t ldc) {
  // Split the larger output dimension into one slice per thread (in
  // multiples of 16 so each slice keeps whole vector tiles).
  int64_t parts = threadCount;
  if (m * n * k < (1 << 18))
    parts = 1;
  bool splitColumns = n >= m;
  int64_t extent = splitColumns ? n : m;
  int64_t chunk = ((extent + parts - 1) / parts + 15) / 16 * 16;
  parts = std::max<int64_t>(1, (extent + chunk - 1) / chunk);
  auto run = [&](int64_t part) {
    int64_t begin = part * chunk, size = std::min(chunk, extent - begin);
    if (size <= 0)
      return;
    // One row (a batch-1 linear layer): SGEMM would pack all of B on every
    // call; GEMV streams it once. (Some OpenBLAS versions scale y by beta
    // even when it is 0, so stale NaNs in a recycled buffer would survive.)
    if (m == 1 && beta == 0.0f)
      std::fill(c + begin, c + begin + size, 0.0f);
    if (m == 1 && transB)
      cblas_sgemv(CblasRowMajor, CblasNoTrans, size, k, 1.0f, b + begin * ldb,
                  ldb, a, 1, beta, c + begin, 1);
    else if (m == 1)
      cblas_sgemv(CblasRowMajor, CblasTrans, k, size, 1.0f, b + begin, ldb, a,
                  1, beta, c + begin, 1);
    else if (splitColumns)
      cblas_sgemm(CblasRowMajor, CblasNoTrans,
                  transB ? CblasTrans : CblasNoTrans, m, size, k, 1.0f, a, lda,
                  transB ? b + begin * ldb : b + begin, ldb, beta, c + begin,
                  ldc);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans,
                  transB ? CblasTrans : CblasNoTrans, size, n, k, 1.0f,
                  a + begin * lda, lda, b, ldb, beta, c + begin * ldc, ldc);
  };
  if (parts == 1)
    run(0);
  else
    llvm::parallelFor(0, parts, [&](size_t part) { run(part); });
}

/// Row-major strides of `shape`, with 0 for dimensions of size 1 so that a
/// broadcast operand re-reads them; aligned to `rank` from the right.
static llvm::SmallVector<int64_t>
broadcastStrides(llvm::ArrayRef<int64_t> shape, size_t rank) {
  llvm::SmallVector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    size_t d = shape.size() - 1 - i;
    strides[rank - 1 - i] = shape[d] == 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

static llvm::SmallVector<int64_t> broadcastShape(llvm::ArrayRef<int64_t> a,
                                                 llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> shape(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
    shape[rank - 1 - i] = da == 1 ? db : da;
  }
  return shape;
}

llvm::SmallVector<int64_t> kernels::forEachMatMulBatch(
    llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
    llvm::function_ref<void(int64_t, int64_t, int64_t)> body) {
  llvm::SmallVector<int64_t> batch =
      broadcastShape(a.drop_back(2), b.drop_back(2));
  auto aStrides = broadcastStrides(a.drop_back(2), batch.size());
  auto bStrides = broadcastStrides(b.drop_back(2), batch.size());
  int64_t batchCount = 1;
  for (int64_t d : batch)
    batchCount *= d;
  for (int64_t i = 0; body && i < batchCount; ++i) {
    int64_t aOffset = 0, bOffset = 0, rest = i;
    for (int64_t d = static_cast<int64_t>(batch.size()) - 1; d >= 0; --d) {
      int64_t index = rest % batch[d];
      rest /= batch[d];
      aOffset += index * aStrides[d];
      bOffset += index * bStrides[d];
    }
    body(i, aOffset, bOffset);
  }
  llvm::SmallVector<int64_t> shape(batch);
  shape.push_back(a[a.size() - 2]);
  shape.push_back(b.back());
  return shape;
}

Tensor kernels::matmul(const Tensor &lhs, const Tensor &rhs) {
  llvm::ArrayRef<int64_t> a = lhs.shape(), b = rhs.shape();
  int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  llvm::SmallVector<int64_t> shape = forEachMatMulBatch(a, b, {});
  Tensor output = Tensor::uninitialized(shape);
  forEachMatMulBatch(a, b, [&](int64_t i, int64_t aIndex, int64_t bIndex) {
    gemm(/*transB=*/false, m, n, k, lhs.data() + aIndex * m * k, k,
         rhs.data() + bIndex * k * n, n, 0.0f, output.mutableData() + i * m * n,
         n);
  });
  return output;
}

Tensor kernels::linear(const Tensor &input, const Tensor &weight,
                       const Tensor *bias) {
  int64_t k = input.shape().back(), n = weight.dim(0);
  int64_t rows = input.numElements() / k;
  llvm::SmallVector<int64_t> shape(input.shape());
  shape.back() = n;
  Tensor output = Tensor::uninitialized(shape);
  float *out = output.mutableData();
  if (bias)
    for (int64_t r = 0; r < rows; ++r)
      std::copy(bias->data(), bias->data() + n, out + r * n);
  gemm(/*transB=*/true, rows, n, k, input.data(), k, weight.data(), k,
       bias ? 1.0f : 0.0f, out, n);
  return output;
}

template <typename Fn>
static Tensor broadcastBinary(const Tensor &lhs, const Tensor &rhs, Fn fn) {
  llvm::SmallVector<int64_t> shape = broadcastShape(lhs.shape(), rhs.shape());
  Tensor output = Tensor::uninitialized(shape);
  float *out = output.mutableData();
  const float *a = lhs.data(), *b = rhs.data();
  int64_t count = output.numElements();
  if (lhs.shape() == rhs.shape()) {
    parallelFor(0, (count + 4095) / 4096, [&](int64_t block) {
      for (int64_t i = block * 4096; i < std::min(count, (block + 1) * 4096);
           ++i)
        out[i] = fn(a[i], b[i]);
    });
    return output;
  }
  auto aStrides = broadcastStrides(lhs.shape(), shape.size());
  auto bStrides = broadcastStrides(rhs.shape(), shape.size());
  // Iterate rows of the innermost dimension; each row is a contiguous or
  // constant stride walk in each operand.
  int64_t inner = shape.back();
  int64_t rows = count / std::max<int64_t>(inner, 1);
  size_t rank = shape.size();
  parallelFor(0, rows, [&](int64_t row) {
    int64_t aOffset = 0, bOffset = 0, rest = row;
    for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
      int64_t index = rest % shape[d];
      rest /= shape[d];
      aOffset += index * aStrides[d];
      bOffset += index * bStrides[d];
    }
    int64_t aStep = aStrides[rank - 1], bStep = bStrides[rank - 1];
    float *dst = out + row * inner;
    for (int64_t i = 0; i < inner; ++i)
      dst[i] = fn(a[aOffset + i * aStep], b[bOffset + i * bStep]);
  });
  return output;
}

Tensor kernels::binary(BinaryKind kind, const Tensor &lhs, const Tensor &rhs) {
  switch (kind) {
  case BinaryKind::Add:
    return broadcastBinary(lhs, rhs, [](float a, float b) { return a + b; });
  case BinaryKind::Sub:
    return broadcastBinary(lhs, rhs, [](float a, float b) { return a - b; });
  case BinaryKind::Mul:
    return broadcastBinary(lhs, rhs, [](float a, float b) { return a * b; });
  case BinaryKind::Div:
    return broadcastBinary(lhs, rhs, [](float a, float b) { return a / b; });
  case BinaryKind::Max:
    return broadcastBinary(
        lhs, rhs, [](float a, float b) { return a > b || a != a ? a : b; });
  case BinaryKind::Min:
    return broadcastBinary(
        lhs, rhs, [](float a, float b) { return a < b || a != a ? a : b; });
  }
  llvm_unreachable("unknown binary kind");
}

template <typename Fn> static Tensor map(const Tensor &input, Fn fn) {
  Tensor output = Tensor::uninitialized(input.shape());
  const float *in = input.data();
  float *out = output.mutableData();
  int64_t count = input.numElements();
  parallelFor(0, (count + 4095) / 4096, [&](int64_t block) {
    for (int64_t i = block * 4096; i < std::min(count, (block + 1) * 4096); ++i)
      out[i] = fn(in[i]);
  });
  return output;
}

Tensor kernels::unary(UnaryKind kind, const Tensor &input) {
  switch (kind) {
  case UnaryKind::Relu:
    return map(input, [](float x) { return x > 0.0f ? x : 0.0f; });
  case UnaryKind::Sigmoid:
    return map(input, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  case UnaryKind::Silu:
    return map(input,
               [](float x) { return x * (1.0f / (1.0f + std::exp(-x))); });
  case UnaryKind::Sqrt:
    return map(input, [](float x) { return std::sqrt(x); });
  case UnaryKind::Exp:
    return map(input, [](float x) { return std::exp(x); });
  case UnaryKind::Log:
    return map(input, [](float x) { return std::log(x); });
  case UnaryKind::Erf:
    return map(input, [](float x) { return std::erf(x); });
  case UnaryKind::Neg:
    return map(input, [](float x) { return -x; });
  case UnaryKind::Abs:
    return map(input, [](float x) { return std::fabs(x); });
  case UnaryKind::Reciprocal:
    return map(input, [](float x) { return 1.0f / x; });
  case UnaryKind::Softplus:
    return map(input,
               [](float x) { return x > 20.0f ? x : std::log1p(std::exp(x)); });
  case UnaryKind::Tanh:
    return map(input, [](float x) { return std::tanh(x); });
  case UnaryKind::HardSwish:
    return map(input, [](float x) {
      return x * std::clamp(x / 6.0f + 0.5f, 0.0f, 1.0f);
    });
  case UnaryKind::Gelu:
    return map(input, [](float x) {
      return 0.5f * x * (1.0f + std::erf(x * static_cast<float>(M_SQRT1_2)));
    });
  case UnaryKind::GeluTanh:
    return map(input, [](float x) {
      const float c = std::sqrt(2.0f / static_cast<float>(M_PI));
      return 0.5f * x * (1.0f + std::tanh(c * (x + 0.044715f * x * x * x)));
    });
  }
  llvm_unreachable("unknown unary kind");
}

Tensor kernels::clip(const Tensor &input, float min, float max) {
  return map(input, [=](float x) { return std::min(std::max(x, min), max); });
}

Tensor kernels::leakyRelu(const Tensor &input, float alpha) {
  return map(input, [=](float x) { return x >= 0.0f ? x : alpha * x; });
}

Tensor kernels::elu(const Tensor &input, float alpha) {
  return map(input, [=](float x) {
    return x >= 0.0f ? x : alpha * (std::exp(x) - 1.0f);
  });
}

Tensor kernels::hardSigmoid(const Tensor &input, float alpha, float beta) {
  return map(input, [=](float x) {
    return std::min(std::max(alpha * x + beta, 0.0f), 1.0f);
  });
}

/// Splits `shape` around `axis` into (outer, size, inner) counts.
static void aroundAxis(llvm::ArrayRef<int64_t> shape, int64_t axis,
                       int64_t &outer, int64_t &size, int64_t &inner) {
  outer = inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  size = shape[axis];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
}

Tensor kernels::softmax(const Tensor &input, int64_t axis, bool log) {
  if (axis < 0)
    axis += input.rank();
  int64_t outer, size, inner;
  aroundAxis(input.shape(), axis, outer, size, inner);
  Tensor output = Tensor::uninitialized(input.shape());
  parallelFor(0, outer * inner, [&](int64_t line) {
    int64_t o = line / inner, i = line % inner;
    const float *src = input.data() + o * size * inner + i;
    float *dst = output.mutableData() + o * size * inner + i;
    float max = -INFINITY;
    for (int64_t j = 0; j < size; ++j)
      max = std::max(max, src[j * inner]);
    float sum = 0.0f;
    for (int64_t j = 0; j < size; ++j) {
      dst[j * inner] = std::exp(src[j * inner] - max);
      sum += dst[j * inner];
    }
    if (log) {
      float logSum = std::log(sum);
      for (int64_t j = 0; j < size; ++j)
        dst[j * inner] = (src[j * inner] - max) - logSum;
      return;
    }
    for (int64_t j = 0; j < size; ++j)
      dst[j * inner] /= sum;
  });
  return output;
}

Tensor kernels::batchNorm(const Tensor &input, const Tensor &scale,
                          const Tensor &bias, const Tensor &mean,
                          const Tensor &var, float epsilon) {
  int64_t n = input.dim(0), c = input.dim(1);
  int64_t spatial = input.numElements() / std::max<int64_t>(n * c, 1);
  // Per-channel affine coefficients, derived in double.
  std::vector<float> mul(c), add(c);
  for (int64_t i = 0; i < c; ++i) {
    double inv = 1.0 / std::sqrt(static_cast<double>(var.data()[i]) + epsilon);
    mul[i] = static_cast<float>(scale.data()[i] * inv);
    add[i] = static_cast<float>(bias.data()[i] -
                                mean.data()[i] * scale.data()[i] * inv);
  }
  Tensor output = Tensor::uninitialized(input.shape());
  parallelFor(0, n * c, [&](int64_t plane) {
    int64_t ch = plane % c;
    const float *src = input.data() + plane * spatial;
    float *dst = output.mutableData() + plane * spatial;
    for (int64_t i = 0; i < spatial; ++i)
      dst[i] = src[i] * mul[ch] + add[ch];
  });
  return output;
}

Tensor kernels::layerNorm(const Tensor &input, const Tensor &scale,
                          const Tensor *bias, int64_t axis, float epsilon) {
  if (axis < 0)
    axis += input.rank();
  int64_t size = 1;
  for (int64_t d = axis; d < input.rank(); ++d)
    size *= input.dim(d);
  int64_t rows = input.numElements() / std::max<int64_t>(size, 1);
  Tensor output = Tensor::uninitialized(input.shape());
  parallelFor(0, rows, [&](int64_t row) {
    const float *src = input.data() + row * size;
    float *dst = output.mutableData() + row * size;
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < size; ++i)
      sum += src[i];
    double mean = sum / size;
    for (int64_t i = 0; i < size; ++i)
      sq += (src[i] - mean) * (src[i] - mean);
    double inv = 1.0 / std::sqrt(sq / size + epsilon);
    for (int64_t i = 0; i < size; ++i) {
      float y = static_cast<float>((src[i] - mean) * inv) * scale.data()[i];
      dst[i] = bias ? y + bias->data()[i] : y;
    }
  });
  return output;
}
