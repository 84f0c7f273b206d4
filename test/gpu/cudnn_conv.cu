// cudnn_conv N C K H W R ITERATIONS: times a 3x3-style convolution (R x R
// window, stride 1, padding R/2) of an N x C x H x W NCHW input into K
// channels with cuDNN, fp32 and fp16 inputs with fp32 accumulation on tensor
// cores, each with the fastest algorithm cuDNN finds for the shape, and
// prints milliseconds per run for each (the peers of dlc's convolution
// kernels).
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>
#include <cudnn.h>

#define CHECK(x)                                                               \
  do {                                                                         \
    if ((x) != 0) {                                                            \
      std::fprintf(stderr, "cudnn_conv: %s failed\n", #x);                     \
      return 1;                                                                \
    }                                                                          \
  } while (0)

namespace {
struct Shape {
  int n, c, k, h, w, r;
};

/// Times `iterations` runs of the convolution with inputs and weights of
/// `type`; prints the result under `label`.
int timeConvolution(cudnnHandle_t handle, const Shape &s, cudnnDataType_t type,
                    const char *label, int iterations) {
  size_t elementBytes = type == CUDNN_DATA_HALF ? 2 : 4;
  cudnnTensorDescriptor_t x, y;
  cudnnFilterDescriptor_t f;
  cudnnConvolutionDescriptor_t conv;
  CHECK(cudnnCreateTensorDescriptor(&x));
  CHECK(cudnnCreateTensorDescriptor(&y));
  CHECK(cudnnCreateFilterDescriptor(&f));
  CHECK(cudnnCreateConvolutionDescriptor(&conv));
  CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, type, s.n, s.c, s.h,
                                   s.w));
  CHECK(cudnnSetFilter4dDescriptor(f, type, CUDNN_TENSOR_NCHW, s.k, s.c, s.r,
                                   s.r));
  CHECK(cudnnSetConvolution2dDescriptor(conv, s.r / 2, s.r / 2, 1, 1, 1, 1,
                                        CUDNN_CROSS_CORRELATION,
                                        CUDNN_DATA_FLOAT));
  CHECK(cudnnSetConvolutionMathType(conv, type == CUDNN_DATA_HALF
                                              ? CUDNN_TENSOR_OP_MATH
                                              : CUDNN_DEFAULT_MATH));
  int n, c, h, w;
  CHECK(cudnnGetConvolution2dForwardOutputDim(conv, x, f, &n, &c, &h, &w));
  CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, type, n, c, h, w));
  void *in, *weights, *out;
  size_t inBytes = (size_t)s.n * s.c * s.h * s.w * elementBytes;
  size_t weightBytes = (size_t)s.k * s.c * s.r * s.r * elementBytes;
  size_t outBytes = (size_t)n * c * h * w * elementBytes;
  CHECK(cudaMalloc(&in, inBytes));
  CHECK(cudaMalloc(&weights, weightBytes));
  CHECK(cudaMalloc(&out, outBytes));
  CHECK(cudaMemset(in, 0, inBytes));
  CHECK(cudaMemset(weights, 0, weightBytes));
  // The fastest algorithm cuDNN measures for this shape, as a framework
  // with benchmark mode on would pick.
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int found = 0;
  CHECK(cudnnFindConvolutionForwardAlgorithm(
      handle, x, f, conv, y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &found, perf));
  int best = -1;
  for (int i = 0; i < found && best < 0; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS)
      best = i;
  if (best < 0) {
    std::fprintf(stderr, "cudnn_conv: no %s algorithm for the shape\n", label);
    return 1;
  }
  void *workspace = nullptr;
  if (perf[best].memory)
    CHECK(cudaMalloc(&workspace, perf[best].memory));
  const float one = 1.0f, zero = 0.0f;
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int run = 0; run <= iterations; ++run) {
    if (run == 1)
      CHECK(cudaEventRecord(start));
    CHECK(cudnnConvolutionForward(handle, &one, x, in, f, weights, conv,
                                  perf[best].algo, workspace, perf[best].memory,
                                  &zero, y, out));
  }
  CHECK(cudaEventRecord(stop));
  CHECK(cudaEventSynchronize(stop));
  float ms = 0;
  CHECK(cudaEventElapsedTime(&ms, start, stop));
  std::printf("cudnn %s conv %dx%dx%dx%d -> %d, %dx%d: %.4f ms/run (algo %d)\n",
              label, s.n, s.c, s.h, s.w, s.k, s.r, s.r, ms / iterations,
              (int)perf[best].algo);
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  CHECK(cudaFree(workspace));
  CHECK(cudaFree(in));
  CHECK(cudaFree(weights));
  CHECK(cudaFree(out));
  CHECK(cudnnDestroyConvolutionDescriptor(conv));
  CHECK(cudnnDestroyFilterDescriptor(f));
  CHECK(cudnnDestroyTensorDescriptor(y));
  CHECK(cudnnDestroyTensorDescriptor(x));
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: cudnn_conv N C K H W R ITERATIONS\n");
    return 2;
  }
  Shape s{std::atoi(argv[1]), std::atoi(argv[2]), std::atoi(argv[3]),
          std::atoi(argv[4]), std::atoi(argv[5]), std::atoi(argv[6])};
  int iterations = std::atoi(argv[7]);
  if (s.n <= 0 || s.c <= 0 || s.k <= 0 || s.h <= 0 || s.w <= 0 || s.r <= 0 ||
      iterations <= 0) {
    std::fprintf(stderr, "cudnn_conv: every argument must be positive\n");
    return 2;
  }
  cudnnHandle_t handle;
  CHECK(cudnnCreate(&handle));
  if (timeConvolution(handle, s, CUDNN_DATA_FLOAT, "fp32", iterations) ||
      timeConvolution(handle, s, CUDNN_DATA_HALF, "fp16", iterations))
    return 1;
  CHECK(cudnnDestroy(handle));
  return 0;
}
