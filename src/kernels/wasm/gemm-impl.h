/*
 * One precision of the packed GEMM, instantiated twice by gemm.c (f32 and f64) through macros:
 *   T            element type (float / double)
 *   LANES        elements per v128 (4 / 2)
 *   SPLAT_LOAD   v128 from one element in memory, broadcast
 *   VADD, VMUL   lane-wise add / multiply
 *   MR, NV       micro-tile: MR rows × NV vectors (NR = NV·LANES columns) of accumulators
 *   KC, MC, NC   cache blocking: depth, rows of op(A), columns of op(B) per packed block
 *   FN(name)     name with the precision suffix
 *
 * Goto/BLIS scheme: for each NC-wide column block and KC-deep slice, op(B) is packed into
 * NR-wide micro-panels, then each MC-tall block of op(A) into MR-tall micro-panels (zero-padded at
 * the edges), and the MR×NR register tile streams through both. Every C entry is the sum over
 * KC-blocks (stored for the first, added after) of an in-order sum over p in a fresh accumulator,
 * so the result depends only on k, never on m, n, batch, the position of the tile or transposes.
 */

#define NR (NV * LANES)

/* Packed panels, reused across calls (static, so they live in the module's zeroed memory). */
static T FN(packA)[MC * KC] __attribute__((aligned(64)));
static T FN(packB)[NC * KC] __attribute__((aligned(64)));

/*
 * Packs `len` lines × `depth` into micro-panels `w` lines wide: panel q holds, for each depth step
 * p, the w values of lines q·w … q·w+w−1 (zero past len). Line l, depth p is src[l·ls + p·ps].
 */
static void FN(pack)(const T *src, int ls, int ps, int len, int depth, int w, T *restrict dst) {
  for (int l0 = 0; l0 < len; l0 += w) {
    int lines = len - l0 < w ? len - l0 : w;
    const T *base = src + (long)l0 * ls;
    if (lines == w && ls == 1) {
      /* Lines contiguous (rows of B, or columns of Aᵀ): copy w at a time. */
      for (int p = 0; p < depth; p++) {
        const T *s = base + (long)p * ps;
        for (int l = 0; l < w; l++) dst[l] = s[l];
        dst += w;
      }
    } else if (lines == w && ps == 1) {
      /* Depth contiguous (rows of A, columns of Bᵀ): read each line forward, scatter into panel. */
      for (int l = 0; l < w; l++) {
        const T *s = base + (long)l * ls;
        T *d = dst + l;
        for (int p = 0; p < depth; p++) d[p * w] = s[p];
      }
      dst += depth * w;
    } else {
      for (int p = 0; p < depth; p++) {
        for (int l = 0; l < w; l++) dst[l] = l < lines ? base[(long)l * ls + (long)p * ps] : (T)0;
        dst += w;
      }
    }
  }
}

/* C tile (mr×nr valid corner, leading dimension ldc) = or += (MR×kc panel) · (kc×NR panel). */
static inline void FN(micro)(int kc, const T *restrict ap, const T *restrict bp, T *restrict c, int ldc,
                             int first, int mr, int nr) {
  v128_t acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = wasm_i32x4_splat(0);
  for (int p = 0; p < kc; p++) {
    v128_t b[NV];
    for (int v = 0; v < NV; v++) b[v] = wasm_v128_load(bp + v * LANES);
    for (int i = 0; i < MR; i++) {
      v128_t a = SPLAT_LOAD(ap + i);
      for (int v = 0; v < NV; v++) acc[i][v] = VADD(acc[i][v], VMUL(a, b[v]));
    }
    ap += MR;
    bp += NR;
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      T *row = c + (long)i * ldc;
      for (int v = 0; v < NV; v++) {
        v128_t x = acc[i][v];
        if (!first) x = VADD(wasm_v128_load(row + v * LANES), x);
        wasm_v128_store(row + v * LANES, x);
      }
    }
  } else {
    T tile[MR * NR] __attribute__((aligned(16)));
    for (int i = 0; i < MR; i++)
      for (int v = 0; v < NV; v++) wasm_v128_store(tile + i * NR + v * LANES, acc[i][v]);
    for (int i = 0; i < mr; i++) {
      T *row = c + (long)i * ldc;
      if (first) for (int j = 0; j < nr; j++) row[j] = tile[i * NR + j];
      else for (int j = 0; j < nr; j++) row[j] += tile[i * NR + j];
    }
  }
}

/*
 * Small products without packing (op(B) = B, row-major, so its rows are contiguous vectors):
 * for R rows of op(A) and NB vectors of columns, C tile = Σ_p a(r, p) · B[p, cols]. Packing
 * B costs as much as the product itself when m is a handful of rows (a tiny MLP's batch of 8).
 * Same summation as the packed path — in increasing p, KC-deep blocks each in a fresh
 * accumulator, stored then added — so both paths give bit-identical C.
 */
#define DIRECT_TILE(R, NB)                                                                         \
  static void FN(direct_##R##_##NB)(int kc, const T *a, int ars, int acs, const T *b, int brs,      \
                                     T *c, int ldc, int first) {                                   \
    v128_t acc[R][NB];                                                                             \
    for (int r = 0; r < R; r++)                                                                    \
      for (int v = 0; v < NB; v++) acc[r][v] = wasm_i32x4_splat(0);                                \
    for (int p = 0; p < kc; p++) {                                                                 \
      const T *bp = b + (long)p * brs;                                                             \
      v128_t bv[NB];                                                                               \
      for (int v = 0; v < NB; v++) bv[v] = wasm_v128_load(bp + v * LANES);                         \
      for (int r = 0; r < R; r++) {                                                                \
        v128_t av = SPLAT_LOAD(a + (long)r * ars + (long)p * acs);                                 \
        for (int v = 0; v < NB; v++) acc[r][v] = VADD(acc[r][v], VMUL(av, bv[v]));                 \
      }                                                                                            \
    }                                                                                              \
    for (int r = 0; r < R; r++)                                                                    \
      for (int v = 0; v < NB; v++) {                                                               \
        T *dst = c + (long)r * ldc + v * LANES;                                                    \
        v128_t x = acc[r][v];                                                                      \
        if (!first) x = VADD(wasm_v128_load(dst), x);                                              \
        wasm_v128_store(dst, x);                                                                   \
      }                                                                                            \
  }
DIRECT_TILE(1, 1)
DIRECT_TILE(1, 2)
DIRECT_TILE(1, 3)
DIRECT_TILE(1, 4)
DIRECT_TILE(2, 1)
DIRECT_TILE(2, 2)
DIRECT_TILE(2, 3)
DIRECT_TILE(2, 4)
#undef DIRECT_TILE

static void FN(direct)(int m, int n, int k, const T *a, int ars, int acs, const T *b, int brs, T *c) {
  const int full = n - n % LANES;
  for (int pc = 0; pc < k; pc += KC) {
    int kc = k - pc < KC ? k - pc : KC;
    int first = pc == 0;
    const T *ak = a + (long)pc * acs;
    const T *bk = b + (long)pc * brs;
    for (int i = 0; i < m; i += 2) {
      int two = m - i >= 2;
      const T *ai = ak + (long)i * ars;
      T *ci = c + (long)i * n;
      for (int j = 0; j < full; j += 4 * LANES) {
        int nb = (full - j) / LANES < 4 ? (full - j) / LANES : 4;
        const T *bj = bk + j;
        T *cj = ci + j;
        switch (two * 4 + nb) {
          case 1: FN(direct_1_1)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 2: FN(direct_1_2)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 3: FN(direct_1_3)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 4: FN(direct_1_4)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 5: FN(direct_2_1)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 6: FN(direct_2_2)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          case 7: FN(direct_2_3)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
          default: FN(direct_2_4)(kc, ai, ars, acs, bj, brs, cj, n, first); break;
        }
      }
      /* The last n % LANES columns, one by one, in the same order. */
      for (int r = 0; r < (two ? 2 : 1); r++)
        for (int j = full; j < n; j++) {
          T acc = (T)0;
          for (int p = 0; p < kc; p++) acc = acc + ai[(long)r * ars + (long)p * acs] * bk[(long)p * brs + j];
          T *dst = ci + (long)r * n + j;
          *dst = first ? acc : *dst + acc;
        }
    }
  }
}

/* One product: C (m×n, ldc = n) = op(A) · op(B), op(A)(r, p) = a[r·ars + p·acs], op(B)(p, j) = b[p·brs + j·bcs]. */
static void FN(gemm1)(int m, int n, int k, const T *a, int ars, int acs, const T *b, int brs, int bcs, T *c) {
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      int first = pc == 0;
      FN(pack)(b + (long)pc * brs + (long)jc * bcs, bcs, brs, nc, kc, NR, FN(packB));
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        FN(pack)(a + (long)ic * ars + (long)pc * acs, ars, acs, mc, kc, MR, FN(packA));
        for (int jr = 0; jr < nc; jr += NR) {
          int nr = nc - jr < NR ? nc - jr : NR;
          const T *bp = FN(packB) + (long)jr * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = mc - ir < MR ? mc - ir : MR;
            FN(micro)(kc, FN(packA) + (long)ir * kc, bp, c + (long)(ic + ir) * n + jc + jr, n, first, mr, nr);
          }
        }
      }
    }
  }
}

/*
 * C[bi] = op(A[bi]) · op(B[bi]) for bi < batch; A[bi] starts at a + bi·aStride (0 = broadcast), same
 * for B; C is batch×m×n contiguous and fully overwritten. A is m×k (k×m when transA), B is k×n
 * (n×k when transB), row-major.
 */
__attribute__((export_name(EXPORT_NAME)))
void FN(gemm)(int batch, int m, int n, int k, int transA, int transB,
              const T *a, int aStride, const T *b, int bStride, T *c) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (k <= 0) {
    long total = (long)batch * m * n;
    for (long i = 0; i < total; i++) c[i] = (T)0;
    return;
  }
  /* A stack of plain A's times one shared B is one (batch·m)×k product with the same C layout. */
  if (batch > 1 && bStride == 0 && !transA && aStride == m * k) {
    m *= batch;
    batch = 1;
  }
  int ars = transA ? 1 : k, acs = transA ? m : 1;
  int brs = transB ? 1 : n, bcs = transB ? k : 1;
  /* Unpacked when op(B) has contiguous rows and is narrow, or the product is small. */
  int direct = !transB && (n <= 4 * NR || (long)m * n * k <= 32768);
  for (int bi = 0; bi < batch; bi++)
    if (direct)
      FN(direct)(m, n, k, a + (long)bi * aStride, ars, acs, b + (long)bi * bStride, brs, c + (long)bi * m * n);
    else
      FN(gemm1)(m, n, k, a + (long)bi * aStride, ars, acs, b + (long)bi * bStride, brs, bcs, c + (long)bi * m * n);
}

#undef NR
