/* Exercises the C API of an emitted model (prefix "model", one fp32 input,
 * one fp32 output): loading, error codes for bad weights and arguments,
 * thread counts, and that a run depends on nothing but its inputs (not on
 * the workspace's previous contents or the thread count). Prints "api: ok" when every check
 * holds. */
#include "model.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "api: check failed at line %d: %s\n", __LINE__, #cond);  \
      return 1;                                                                \
    }                                                                          \
  } while (0)

static size_t elements(const model_tensor_desc *d) {
  size_t n = 1;
  for (int i = 0; i < d->rank; ++i)
    n *= (size_t)d->shape[i];
  return n;
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  model *m = 0;
  CHECK(model_create(&m, "/nonexistent/model.bin") == MODEL_ERROR_IO);
  CHECK(model_create(0, argv[1]) == MODEL_ERROR_ARGUMENT);

  /* The weight file in memory: corrupt, truncated and misaligned copies
   * are refused. */
  FILE *f = fopen(argv[1], "rb");
  CHECK(f);
  fseek(f, 0, SEEK_END);
  size_t size = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *blob = aligned_alloc(64, (size + 64 + 63) / 64 * 64);
  CHECK(blob && fread(blob, 1, size, f) == size);
  fclose(f);
  CHECK(model_create_from_memory(&m, blob, size - 1) == MODEL_ERROR_WEIGHTS);
  blob[size - 1] ^= 0x40;
  CHECK(model_create_from_memory(&m, blob, size) == MODEL_ERROR_WEIGHTS);
  blob[size - 1] ^= 0x40;
  memmove(blob + 1, blob, size);
  CHECK(model_create_from_memory(&m, blob + 1, size) == MODEL_ERROR_ARGUMENT);
  memmove(blob, blob + 1, size);
  CHECK(model_create_from_memory(&m, blob, size) == MODEL_OK);
  model_destroy(m);

  CHECK(model_create(&m, argv[1]) == MODEL_OK);
  CHECK(model_input_desc(0) && model_input_desc(1) == 0);
  CHECK(model_output_desc(0) && model_output_desc(-1) == 0);
  size_t in_n = elements(model_input_desc(0));
  size_t out_n = elements(model_output_desc(0));
  float *x = malloc(in_n * 4), *y1 = malloc(out_n * 4), *y2 = malloc(out_n * 4);
  for (size_t i = 0; i < in_n; ++i)
    x[i] = sinf((float)i * 0.37f);
  /* Thread counts: invalid ones are refused; the workspace grows with
   * the count; 3 threads compute the same bits as 1. */
  CHECK(model_set_num_threads(m, 0) == MODEL_ERROR_ARGUMENT);
  CHECK(model_set_num_threads(m, 100000) == MODEL_ERROR_ARGUMENT);
  size_t one = model_workspace_size(m);
  CHECK(one == MODEL_WORKSPACE_SIZE(1));
  CHECK(model_set_num_threads(m, 3) == MODEL_OK);
  size_t three = model_workspace_size(m);
  CHECK(three == MODEL_WORKSPACE_SIZE(3) && three > one);
  unsigned char *ws = aligned_alloc(64, (three + 64) / 64 * 64);
  const void *inputs[1] = {x};
  void *out1[1] = {y1}, *out2[1] = {y2};
  CHECK(model_run(m, inputs, out1, 0) == MODEL_ERROR_ARGUMENT);
  CHECK(model_run(m, inputs, out1, ws + 1) == MODEL_ERROR_ARGUMENT);
  CHECK(model_run(m, inputs, out1, ws) == MODEL_OK);
  CHECK(model_set_num_threads(m, 1) == MODEL_OK);
  memset(ws, 0xFF, three); /* NaN patterns everywhere */
  CHECK(model_run(m, inputs, out2, ws) == MODEL_OK);
  CHECK(memcmp(y1, y2, out_n * 4) == 0);
  model_destroy(m);
  free(blob);
  free(ws);
  free(x);
  free(y1);
  free(y2);
  printf("api: ok\n");
  return 0;
}
