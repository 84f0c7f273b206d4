//===- RuntimeKernelsTest.cpp - the executor's matrix products ------------===//
//
// linear and matmul take BLAS paths that depend on the shape (one row runs
// as GEMV, more rows as SGEMM split by columns or rows across threads);
// each must give the plain triple loop's result on any thread count.
//
//===----------------------------------------------------------------------===//

#include "../../lib/Runtime/Kernels.h"
#include <gtest/gtest.h>
#include <random>

using namespace mlir::dlc::runtime;

namespace {

Tensor randomTensor(llvm::ArrayRef<int64_t> shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  std::vector<float> values(count);
  for (float &v : values)
    v = dist(rng);
  return Tensor(shape, std::move(values));
}

void expectNear(const Tensor &actual, const std::vector<double> &expected) {
  ASSERT_EQ(actual.numElements(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(actual.data()[i], expected[i],
                1e-4 * (1 + std::abs(expected[i])))
        << "element " << i;
}

class ProductTest : public ::testing::TestWithParam<unsigned> {
protected:
  void SetUp() override { kernels::setThreadCount(GetParam()); }
  void TearDown() override { kernels::setThreadCount(1); }
};

TEST_P(ProductTest, LinearMatchesLoops) {
  // rows 1 (GEMV), 3 (SGEMM split by columns), 700 (split by rows).
  for (int64_t rows : {1, 3, 700}) {
    int64_t k = 320, n = rows == 700 ? 24 : 1000;
    Tensor x = randomTensor({rows, k}, 1), w = randomTensor({n, k}, 2),
           bias = randomTensor({n}, 3);
    for (const Tensor *b : {static_cast<const Tensor *>(nullptr),
                            static_cast<const Tensor *>(&bias)}) {
      std::vector<double> expected(rows * n);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) {
          double sum = b ? b->data()[j] : 0.0;
          for (int64_t i = 0; i < k; ++i)
            sum += double(x.data()[r * k + i]) * w.data()[j * k + i];
          expected[r * n + j] = sum;
        }
      SCOPED_TRACE("rows " + std::to_string(rows) + (b ? " with" : " without") +
                   " bias");
      expectNear(kernels::linear(x, w, b), expected);
    }
  }
}

TEST_P(ProductTest, MatMulMatchesLoops) {
  for (int64_t m : {1, 5}) {
    int64_t k = 300, n = 900;
    Tensor a = randomTensor({m, k}, 4), b = randomTensor({k, n}, 5);
    std::vector<double> expected(m * n);
    for (int64_t r = 0; r < m; ++r)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t i = 0; i < k; ++i)
          expected[r * n + j] +=
              double(a.data()[r * k + i]) * b.data()[i * n + j];
    SCOPED_TRACE("rows " + std::to_string(m));
    expectNear(kernels::matmul(a, b), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, ProductTest, ::testing::Values(1u, 2u, 3u));

} // namespace
