// npy_compare GOT.npy WANT.npy TOL: prints the relative error max|got -
// want| / max|want| and exits 0 when it is within TOL (0: identical bits).
// Reads little-endian <f4 and |i1 arrays in C order.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static bool load(const char *path, std::vector<double> &values, char &kind) {
  FILE *f = std::fopen(path, "rb");
  if (!f)
    return false;
  unsigned char head[10];
  if (std::fread(head, 1, 10, f) != 10 || std::memcmp(head, "\x93NUMPY", 6)) {
    std::fclose(f);
    return false;
  }
  size_t length = head[8] | head[9] << 8;
  std::string dict(length, '\0');
  if (std::fread(&dict[0], 1, length, f) != length) {
    std::fclose(f);
    return false;
  }
  kind = dict.find("'<f4'") != std::string::npos   ? 'f'
         : dict.find("'|i1'") != std::string::npos ? 'i'
                                                   : '?';
  size_t width = kind == 'f' ? 4 : 1;
  std::vector<unsigned char> bytes;
  unsigned char buffer[65536];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, f)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + got);
  std::fclose(f);
  for (size_t i = 0; i + width <= bytes.size(); i += width) {
    if (kind == 'f') {
      float v;
      std::memcpy(&v, &bytes[i], 4);
      values.push_back(v);
    } else {
      values.push_back(static_cast<signed char>(bytes[i]));
    }
  }
  return kind != '?';
}

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: npy_compare GOT.npy WANT.npy TOL\n");
    return 2;
  }
  std::vector<double> got, want;
  char gk, wk;
  if (!load(argv[1], got, gk) || !load(argv[2], want, wk) || gk != wk ||
      got.size() != want.size()) {
    std::fprintf(stderr, "npy_compare: unreadable or mismatched arrays\n");
    return 1;
  }
  double diff = 0, scale = 1e-30;
  size_t differ = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double d = std::fabs(got[i] - want[i]);
    if (!(d <= diff))
      diff = d; // NaN propagates
    differ += d != 0;
    scale = std::fmax(scale, std::fabs(want[i]));
  }
  double error = diff / scale, tol = std::atof(argv[3]);
  std::printf("relative error %.3e (tolerance %g), %zu of %zu values differ\n",
              error, tol, differ, got.size());
  return error <= tol ? 0 : 1;
}
