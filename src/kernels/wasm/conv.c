/*
 * im2col / col2im for the wasm backend: the js kernels' traversal (src/kernels/js.ts,
 * forEachPatchRow) in C, so im2col is the same data movement and col2im sums overlapping
 * patches in the same order — bit-identical to js. Pure data movement, but V8 moves typed-array
 * elements one at a time at ~2 ns each where these loops run at memory speed, copies included.
 */

#define EXPORT(name) __attribute__((export_name(name)))

/* ceil(a / b) and floor(a / b) for b > 0 and any sign of a. */
static int ceil_div(int a, int b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
static int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* Output columns ox whose input column ox·stride + shift lies in [0, in): [*lo, *hi). */
static void valid_range(int shift, int in, int out, int stride, int *lo, int *hi) {
  int l = ceil_div(-shift, stride);
  if (l < 0) l = 0;
  if (l > out) l = out;
  int h = floor_div(in - 1 - shift, stride) + 1;
  if (h > out) h = out;
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

#define PATCH_LOOPS(T, SUFFIX)                                                                      \
  EXPORT("im2col_" #SUFFIX)                                                                         \
  void im2col_##SUFFIX(const T *x, T *out, int n, int c, int h, int w, int kh, int kw, int sh, int sw, \
                       int ph, int pw, int dh, int dw, int oh, int ow, T pad) {                      \
    int planes = n * c;                                                                             \
    for (int plane = 0; plane < planes; plane++) {                                                  \
      const T *xp = x + (long)plane * h * w;                                                        \
      for (int i = 0; i < kh; i++)                                                                  \
        for (int j = 0; j < kw; j++) {                                                              \
          int lo, hi;                                                                               \
          valid_range(j * dw - pw, w, ow, sw, &lo, &hi);                                            \
          int ix0 = lo * sw - pw + j * dw;                                                          \
          T *row = out + (((long)plane * kh + i) * kw + j) * oh * ow;                               \
          for (int oy = 0; oy < oh; oy++, row += ow) {                                              \
            int iy = oy * sh - ph + i * dh;                                                         \
            if (iy < 0 || iy >= h) {                                                                \
              for (int ox = 0; ox < ow; ox++) row[ox] = pad;                                        \
              continue;                                                                             \
            }                                                                                       \
            const T *src = xp + (long)iy * w + ix0;                                                 \
            for (int ox = 0; ox < lo; ox++) row[ox] = pad;                                          \
            if (sw == 1)                                                                            \
              for (int ox = lo; ox < hi; ox++) row[ox] = src[ox - lo];                              \
            else                                                                                    \
              for (int ox = lo; ox < hi; ox++) row[ox] = src[(long)(ox - lo) * sw];                 \
            for (int ox = hi; ox < ow; ox++) row[ox] = pad;                                         \
          }                                                                                         \
        }                                                                                           \
    }                                                                                               \
  }                                                                                                 \
                                                                                                    \
  EXPORT("col2im_" #SUFFIX)                                                                         \
  void col2im_##SUFFIX(const T *cols, T *out, int n, int c, int h, int w, int kh, int kw, int sh,    \
                       int sw, int ph, int pw, int dh, int dw, int oh, int ow) {                     \
    int planes = n * c;                                                                             \
    for (long k = 0; k < (long)planes * h * w; k++) out[k] = (T)0;                                  \
    for (int plane = 0; plane < planes; plane++) {                                                  \
      T *xp = out + (long)plane * h * w;                                                            \
      for (int i = 0; i < kh; i++)                                                                  \
        for (int j = 0; j < kw; j++) {                                                              \
          int lo, hi;                                                                               \
          valid_range(j * dw - pw, w, ow, sw, &lo, &hi);                                            \
          int ix0 = lo * sw - pw + j * dw;                                                          \
          const T *row = cols + (((long)plane * kh + i) * kw + j) * oh * ow;                        \
          for (int oy = 0; oy < oh; oy++, row += ow) {                                              \
            int iy = oy * sh - ph + i * dh;                                                         \
            if (iy < 0 || iy >= h) continue;                                                        \
            T *dst = xp + (long)iy * w + ix0;                                                       \
            for (int ox = lo; ox < hi; ox++) dst[(long)(ox - lo) * sw] += row[ox];                  \
          }                                                                                         \
        }                                                                                           \
    }                                                                                               \
  }

PATCH_LOOPS(float, f32)
PATCH_LOOPS(double, f64)
