// cublas_gemm N ITERATIONS: times C = A B for N x N fp32 matrices with
// cublasSgemm and fp16 inputs with fp32 accumulation (cublasGemmEx), and
// prints milliseconds per run for each (the peers of dlc's kernels).
#include <cstdio>
#include <cstdlib>
#include <cublas_v2.h>
#include <cuda_fp16.h>

#define CHECK(x)                                                               \
  do {                                                                         \
    if ((x) != 0) {                                                            \
      std::fprintf(stderr, "cublas_gemm: %s failed\n", #x);                    \
      return 1;                                                                \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2048;
  int iterations = argc > 2 ? std::atoi(argv[2]) : 20;
  size_t count = (size_t)n * n;
  float *a, *b, *c;
  __half *ha, *hb;
  CHECK(cudaMalloc(&a, count * 4));
  CHECK(cudaMalloc(&b, count * 4));
  CHECK(cudaMalloc(&c, count * 4));
  CHECK(cudaMalloc(&ha, count * 2));
  CHECK(cudaMalloc(&hb, count * 2));
  CHECK(cudaMemset(a, 0, count * 4));
  CHECK(cudaMemset(b, 0, count * 4));
  CHECK(cudaMemset(ha, 0, count * 2));
  CHECK(cudaMemset(hb, 0, count * 2));
  cublasHandle_t handle;
  CHECK(cublasCreate(&handle));
  const float one = 1.0f, zero = 0.0f;
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int mode = 0; mode < 2; ++mode) {
    for (int r = 0; r <= iterations; ++r) {
      if (r == 1)
        CHECK(cudaEventRecord(start));
      if (mode == 0)
        CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, n,
                          b, n, &zero, c, n));
      else
        CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, ha,
                           CUDA_R_16F, n, hb, CUDA_R_16F, n, &zero, c,
                           CUDA_R_32F, n, CUBLAS_COMPUTE_32F,
                           CUBLAS_GEMM_DEFAULT));
    }
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    std::printf("cublas %s %d^3: %.4f ms/run\n", mode == 0 ? "sgemm" : "hgemm",
                n, ms / iterations);
  }
  return 0;
}
