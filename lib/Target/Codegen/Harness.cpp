//===- Harness.cpp - shared text of generated model runners --------------===//

#include "dlc/Target/Codegen/Harness.h"
#include <cctype>

using namespace mlir::dlc::codegen;

std::string mlir::dlc::codegen::npyHelpers() {
  return R"c(static int fail(const char *what, const char *path) {
  fprintf(stderr, "PREFIX runner: %s: %s\n", path, what);
  return 1;
}

/* Reads an fp32 .npy of `count` elements and the expected shape. */
static int read_npy(const char *path, const PREFIX_tensor_desc *d,
                    float *data) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail("cannot open", path);
  unsigned char head[10];
  if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0) {
    fclose(f);
    return fail("not a .npy file", path);
  }
  size_t header = head[6] == 1 ? (size_t)(head[8] | head[9] << 8) : 0;
  if (head[6] != 1) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) {
      fclose(f);
      return fail("truncated header", path);
    }
    header = (size_t)(head[8] | head[9] << 8 | more[0] << 16 | more[1] << 24);
  }
  char *dict = (char *)calloc(header + 1, 1);
  if (!dict || fread(dict, 1, header, f) != header) {
    free(dict);
    fclose(f);
    return fail("truncated header", path);
  }
  int ok = strstr(dict, "'<f4'") && strstr(dict, "'fortran_order': False");
  const char *shape = strstr(dict, "'shape': (");
  long long count = 1;
  int rank = 0;
  if (ok && shape) {
    shape += 10;
    while (*shape && *shape != ')') {
      char *end;
      long long dim = strtoll(shape, &end, 10);
      if (end == shape)
        break;
      if (rank >= d->rank || dim != d->shape[rank])
        ok = 0;
      ++rank;
      count *= dim;
      shape = end;
      while (*shape == ',' || *shape == ' ')
        ++shape;
    }
  }
  free(dict);
  if (!ok || !shape || rank != d->rank) {
    fclose(f);
    return fail("expected little-endian float32 in C order of the model's "
                "input shape",
                path);
  }
  size_t got = fread(data, sizeof(float), (size_t)count, f);
  fclose(f);
  return got == (size_t)count ? 0 : fail("truncated data", path);
}

static int write_npy(const char *path, const PREFIX_tensor_desc *d,
                     const void *data) {
  char dict[256], shape[160] = "";
  long long count = 1;
  for (int i = 0; i < d->rank; ++i) {
    char dim[32];
    snprintf(dim, sizeof dim, "%lld,%s", (long long)d->shape[i],
             i + 1 < d->rank ? " " : "");
    strcat(shape, dim);
    count *= d->shape[i];
  }
  int n = snprintf(dict, sizeof dict,
                   "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                   d->dtype == PREFIX_F32 ? "<f4" : "|i1", shape);
  int total = 10 + n + 1;
  int pad = (64 - total % 64) % 64;
  FILE *f = fopen(path, "wb");
  if (!f)
    return fail("cannot write", path);
  unsigned short len = (unsigned short)(n + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(len & 0xFF, f);
  fputc(len >> 8, f);
  fwrite(dict, 1, (size_t)n, f);
  for (int i = 0; i < pad; ++i)
    fputc(' ', f);
  fputc('\n', f);
  size_t size = d->dtype == PREFIX_F32 ? 4 : 1;
  size_t wrote = fwrite(data, size, (size_t)count, f);
  return fclose(f) == 0 && wrote == (size_t)count ? 0
                                                    : fail("cannot write", path);
}

static size_t bytes_of(const PREFIX_tensor_desc *d) {
  size_t n = d->dtype == PREFIX_F32 ? 4 : 1;
  for (int i = 0; i < d->rank; ++i)
    n *= (size_t)d->shape[i];
  return n;
}

/* An input: a .npy file, or "random:SEED", the input's shape filled with
 * values uniform in [-1, 1) from SEED (splitmix64; the same on every
 * machine), to time a model without an input file. */
static int read_input(const char *spec, const PREFIX_tensor_desc *d,
                      float *data) {
  if (strncmp(spec, "random:", 7) != 0)
    return read_npy(spec, d, data);
  char *end;
  unsigned long long state = strtoull(spec + 7, &end, 10);
  if (end == spec + 7 || *end)
    return fail("expected random:SEED with a decimal SEED", spec);
  size_t count = bytes_of(d) / sizeof(float);
  for (size_t i = 0; i < count; ++i) {
    unsigned long long z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    data[i] = (float)(z >> 40) * (1.0f / 8388608.0f) - 1.0f;
  }
  return 0;
}

)c";
}

std::string mlir::dlc::codegen::substitutePrefix(llvm::StringRef text,
                                                 llvm::StringRef prefix) {
  std::string upper = prefix.upper(), out;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("PREFIX")) {
      size_t j = i + 6;
      bool macro = j + 1 < text.size() && text[j] == '_' &&
                   std::isupper(static_cast<unsigned char>(text[j + 1]));
      out += macro ? upper : prefix.str();
      i = j;
      continue;
    }
    out += text[i++];
  }
  return out;
}
