using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PolicyLab.Numerics.Kernels;

/// <summary>
/// Single-precision matrix multiply sized for reinforcement-learning networks: C = A·B (+ bias, or
/// accumulated into C). A is read through arbitrary row and column strides, so Aᵀ costs nothing;
/// B and C are row-major. A register-blocked kernel broadcasts elements of A and multiplies them into
/// rows of B held in SIMD registers (4 rows × 64 columns with AVX-512, 4 × 32 with AVX2); thin outputs
/// (fewer columns than one vector) are computed transposed or as dot products instead.
/// </summary>
/// <remarks>
/// Results are deterministic: the path taken depends only on the shapes, strides and the machine's
/// vector width, so the same inputs give the same bits on every run.
/// </remarks>
public static class Gemm
{
    [ThreadStatic] private static float[]? t_scratch;

    /// <summary>Whether the 512-bit path is used on this machine (false under DOTNET_EnableAVX512=0).</summary>
    public static bool Uses512 => Vector512.IsHardwareAccelerated;

    /// <summary>
    /// Computes C[m×n] = A[m×k]·B[k×n] (+ C when <paramref name="accumulate"/>, + <paramref name="bias"/>
    /// broadcast over rows when given).
    /// </summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Columns of A, rows of B.</param>
    /// <param name="a">A's storage; element (i, p) is at <c>i·aRow + p·aCol</c>.</param>
    /// <param name="aRow">Stride between rows of A.</param>
    /// <param name="aCol">Stride between columns of A.</param>
    /// <param name="b">B's storage, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">Stride between rows of B.</param>
    /// <param name="c">C's storage, row-major with leading dimension <paramref name="ldc"/>.</param>
    /// <param name="ldc">Stride between rows of C.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <param name="bias">Optional length-n row added to every row of C.</param>
    public static void Multiply(int m, int n, int k,
        ReadOnlySpan<float> a, int aRow, int aCol,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate = false, ReadOnlySpan<float> bias = default)
    {
        if (m == 0 || n == 0) return;
        CheckBounds(m, n, k, a.Length, aRow, aCol, b.Length, ldb, c.Length, ldc, bias.Length);
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        ref float rbias = ref MemoryMarshal.GetReference(bias);
        bool hasBias = !bias.IsEmpty;
        int width = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;

        if (n >= width || k == 0)
        {
            if (Threads > 1 && (long)m * n * k >= ParallelThreshold && (m >= 12 * Threads || n >= 128 * Threads))
                BlockedParallel(m, n, k, a, aRow, aCol, b, ldb, c, ldc, accumulate, bias);
            else
                Blocked(m, n, k, ref ra, aRow, aCol, ref rb, ldb, ref rc, ldc, accumulate, hasBias, ref rbias);
        }
        else if (aRow == 1 && m >= width)
        {
            // Thin output, transposed A: compute Cᵀ[n×m] = Bᵀ·Aᵀ, where Aᵀ is row-major with stride aCol.
            float[] scratch = Scratch(n * m);
            ref float rs = ref MemoryMarshal.GetArrayDataReference(scratch);
            Blocked(n, m, k, ref rb, 1, ldb, ref ra, aCol, ref rs, m, false, false, ref rs);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float v = Unsafe.Add(ref rs, j * m + i);
                    if (hasBias) v += Unsafe.Add(ref rbias, j);
                    ref float dst = ref Unsafe.Add(ref rc, i * ldc + j);
                    dst = accumulate ? dst + v : v;
                }
            }
        }
        else
        {
            ThinDot(m, n, k, ref ra, aRow, aCol, ref rb, ldb, ref rc, ldc, accumulate, hasBias, ref rbias);
        }
    }

    /// <summary>Writes the transpose of the row-major rows×cols matrix <paramref name="source"/> into <paramref name="destination"/> (cols×rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(int rows, int cols, ReadOnlySpan<float> source, Span<float> destination)
    {
        if (rows < 0 || cols < 0 || source.Length < rows * cols || destination.Length < rows * cols)
            throw new ArgumentException("Transpose buffers are smaller than rows × cols.");
        ref float rs = ref MemoryMarshal.GetReference(source);
        ref float rd = ref MemoryMarshal.GetReference(destination);
        int i8 = 0, j8 = 0;
        if (Avx.IsSupported)
        {
            // Whole 8×8 tiles with AVX shuffles; the ragged right and bottom edges element by element.
            i8 = rows & ~7;
            j8 = cols & ~7;
            for (int i = 0; i < i8; i += 8)
                for (int j = 0; j < j8; j += 8)
                    Transpose8x8(ref Unsafe.Add(ref rs, i * cols + j), cols, ref Unsafe.Add(ref rd, j * rows + i), rows);
            for (int i = 0; i < i8; i++)
                for (int j = j8; j < cols; j++)
                    Unsafe.Add(ref rd, j * rows + i) = Unsafe.Add(ref rs, i * cols + j);
        }
        for (int i = i8; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Unsafe.Add(ref rd, j * rows + i) = Unsafe.Add(ref rs, i * cols + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float s, int lds, ref float d, int ldd)
    {
        Vector256<float> r0 = Vector256.LoadUnsafe(ref s), r1 = Vector256.LoadUnsafe(ref s, (nuint)lds),
            r2 = Vector256.LoadUnsafe(ref s, (nuint)(2 * lds)), r3 = Vector256.LoadUnsafe(ref s, (nuint)(3 * lds)),
            r4 = Vector256.LoadUnsafe(ref s, (nuint)(4 * lds)), r5 = Vector256.LoadUnsafe(ref s, (nuint)(5 * lds)),
            r6 = Vector256.LoadUnsafe(ref s, (nuint)(6 * lds)), r7 = Vector256.LoadUnsafe(ref s, (nuint)(7 * lds));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d, (nuint)ldd);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d, (nuint)(2 * ldd));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d, (nuint)(3 * ldd));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d, (nuint)(4 * ldd));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d, (nuint)(5 * ldd));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d, (nuint)(6 * ldd));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d, (nuint)(7 * ldd));
    }

    // ---------------------------------------------------------------- deterministic multi-threading

    /// <summary>Products with at least this many multiply-adds (m·n·k) are split between threads.</summary>
    public const long ParallelThreshold = 1L << 19;

    private static int s_threads = InitialThreads();

    /// <summary>
    /// Threads that large products use (1 by default; initial value from the environment variable
    /// <c>POLICYLAB_GEMM_THREADS</c>). C is cut into blocks of rows (or of 64 columns when rows are few)
    /// that the calling thread and persistent helper threads claim one at a time; every element is
    /// still summed by one thread in the same order, so results are bit-identical whatever the thread
    /// count, and a helper that is not scheduled in time only leaves more blocks to the caller. Algorithms
    /// whose steps split into independent parts (SAC's two critics) use the same count for those parts.
    /// </summary>
    public static int Threads
    {
        get => s_threads;
        set
        {
            if (value < 1 || value > 64)
                throw new ArgumentOutOfRangeException(nameof(value), $"The GEMM thread count must lie in [1, 64]; got {value}.");
            s_threads = value;
        }
    }

    private static int InitialThreads()
    {
        string? text = Environment.GetEnvironmentVariable("POLICYLAB_GEMM_THREADS");
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int t) && t is >= 1 and <= 64 ? t : 1;
    }

    /// <summary>Computes C in blocks shared with the helpers; falls back to one thread when another thread is using them.</summary>
    private static unsafe void BlockedParallel(int m, int n, int k, ReadOnlySpan<float> a, int aRow, int aCol,
        ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, ReadOnlySpan<float> bias)
    {
        int parts = Threads;
        bool byRows = m >= 12 * parts;
        int unit = byRows ? 12 : 64, total = byRows ? m : n;
        // About four blocks per thread, so a late helper costs little.
        int block = Math.Max(unit, ((total + 4 * parts - 1) / (4 * parts) + unit - 1) / unit * unit);
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            ProductBlocks work = t_work ??= new ProductBlocks();
            work.Set(m, n, k, pa, aRow, aCol, pb, ldb, pc, ldc, accumulate, pbias, !bias.IsEmpty, byRows, block, total);
            try
            {
                if (!HelperThreads.TryRun(work, parts - 1))
                    work.Run(0, total);
            }
            finally
            {
                work.Clear();
            }
        }
    }

    [ThreadStatic] private static ProductBlocks? t_work;

    /// <summary>One product cut into blocks of rows (or columns) of C; reused by its thread, so no allocation per product.</summary>
    private sealed unsafe class ProductBlocks : IBlockWork
    {
        private int _m, _n, _k, _aRow, _aCol, _ldb, _ldc, _block, _total;
        private float* _a, _b, _c, _bias;
        private bool _accumulate, _hasBias, _byRows;

        public int Blocks => (_total + _block - 1) / _block;

        public void Set(int m, int n, int k, float* a, int aRow, int aCol, float* b, int ldb, float* c, int ldc,
            bool accumulate, float* bias, bool hasBias, bool byRows, int block, int total)
        {
            (_m, _n, _k, _aRow, _aCol, _ldb, _ldc) = (m, n, k, aRow, aCol, ldb, ldc);
            (_accumulate, _hasBias, _byRows, _block, _total) = (accumulate, hasBias, byRows, block, total);
            _a = a;
            _b = b;
            _c = c;
            _bias = bias;
        }

        /// <summary>Forgets the pointers once the product is done (they are only valid inside it).</summary>
        public void Clear()
        {
            _a = _b = _c = _bias = null;
            _total = 0;
        }

        public void RunBlock(int index) => Run(index * _block, Math.Min(_total, (index + 1) * _block));

        /// <summary>Computes rows (or columns) [from, to) of C.</summary>
        public void Run(int from, int to)
        {
            if (from >= to) return;
            if (_byRows)
                Blocked(to - from, _n, _k, ref Unsafe.AsRef<float>(_a + (long)from * _aRow), _aRow, _aCol, ref Unsafe.AsRef<float>(_b), _ldb,
                    ref Unsafe.AsRef<float>(_c + (long)from * _ldc), _ldc, _accumulate, _hasBias, ref Unsafe.AsRef<float>(_bias));
            else
                Blocked(_m, to - from, _k, ref Unsafe.AsRef<float>(_a), _aRow, _aCol, ref Unsafe.AsRef<float>(_b + from), _ldb,
                    ref Unsafe.AsRef<float>(_c + from), _ldc, _accumulate, _hasBias, ref Unsafe.AsRef<float>(_hasBias ? _bias + from : _bias));
        }
    }

    private static void CheckBounds(int m, int n, int k, int aLength, int aRow, int aCol, int bLength, int ldb, int cLength, int ldc, int biasLength)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"Negative matrix size {m}×{k}·{k}×{n}.");
        long aLast = (long)(m - 1) * aRow + (long)Math.Max(k - 1, 0) * aCol;
        if (k > 0 && (aRow < 0 || aCol < 0 || aLast >= aLength))
            throw new ArgumentException($"A is too small for {m}×{k} with strides ({aRow}, {aCol}).");
        if (k > 0 && (ldb < n || (long)(k - 1) * ldb + n > bLength))
            throw new ArgumentException($"B is too small for {k}×{n} with leading dimension {ldb}.");
        if (ldc < n || (long)(m - 1) * ldc + n > cLength)
            throw new ArgumentException($"C is too small for {m}×{n} with leading dimension {ldc}.");
        if (biasLength != 0 && biasLength < n)
            throw new ArgumentException($"Bias has {biasLength} elements; {n} needed.");
    }

    private static float[] Scratch(int length)
    {
        float[]? s = t_scratch;
        if (s is null || s.Length < length)
            t_scratch = s = new float[Math.Max(length, 4096)];
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked(int m, int n, int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        if (Vector512.IsHardwareAccelerated)
            Blocked512(m, n, k, ref a, aRow, aCol, ref b, ldb, ref c, ldc, accumulate, hasBias, ref bias);
        else
            Blocked256(m, n, k, ref a, aRow, aCol, ref b, ldb, ref c, ldc, accumulate, hasBias, ref bias);
    }

    // ---------------------------------------------------------------- AVX-512 path (16 floats per vector)

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked512(int m, int n, int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 16;
        int j = 0;
        for (; j + 4 * W <= n; j += 4 * W)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
                Kernel512x4x4(k, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            for (; i < m; i++)
                Kernel512x1xV(k, 4, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), accumulate, hasBias, ref Unsafe.Add(ref bias, j));
        }
        int vectors = (n - j) / W;
        if (vectors > 0)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
                Kernel512x4x1(k, vectors, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            for (; i < m; i++)
                Kernel512x1xV(k, vectors, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            j += vectors * W;
        }
        if (j < n && n >= W)
        {
            // The last n − j (< W) columns: one vector ending at column n, overlapping columns already done; its
            // first W − (n − j) lanes are computed again (same bits) but not stored.
            int start = n - W, skip = j - start;
            int i = 0;
            for (; i + 4 <= m; i += 4)
                Kernel512x4x1(k, 1, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, start), ldb,
                    ref Unsafe.Add(ref c, i * ldc + start), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, start), skip);
            for (; i < m; i++)
                Kernel512x1x1(k, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, start), ldb,
                    ref Unsafe.Add(ref c, i * ldc + start), accumulate, hasBias, ref Unsafe.Add(ref bias, start), skip);
        }
        else if (j < n)
            ScalarColumns(m, j, n, k, ref a, aRow, aCol, ref b, ldb, ref c, ldc, accumulate, hasBias, ref bias);
    }

    /// <summary>Stores <paramref name="s"/> at <paramref name="c"/> except its first <paramref name="skip"/> lanes,
    /// which keep what <paramref name="c"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(Vector512<float> s, ref float c, int skip)
    {
        if (skip > 0)
            s = Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(skip)).AsSingle(),
                Vector512.LoadUnsafe(ref c), s);
        s.StoreUnsafe(ref c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Init512(ref float c, bool accumulate, bool hasBias, ref float bias)
    {
        Vector512<float> v = accumulate ? Vector512.LoadUnsafe(ref c) : Vector512<float>.Zero;
        return hasBias ? v + Vector512.LoadUnsafe(ref bias) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512x4x4(int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 16;
        ref float c1 = ref Unsafe.Add(ref c, ldc);
        ref float c2 = ref Unsafe.Add(ref c, 2 * ldc);
        ref float c3 = ref Unsafe.Add(ref c, 3 * ldc);
        Vector512<float> s00 = Init512(ref c, accumulate, hasBias, ref bias);
        Vector512<float> s01 = Init512(ref Unsafe.Add(ref c, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector512<float> s02 = Init512(ref Unsafe.Add(ref c, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector512<float> s03 = Init512(ref Unsafe.Add(ref c, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        Vector512<float> s10 = Init512(ref c1, accumulate, hasBias, ref bias);
        Vector512<float> s11 = Init512(ref Unsafe.Add(ref c1, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector512<float> s12 = Init512(ref Unsafe.Add(ref c1, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector512<float> s13 = Init512(ref Unsafe.Add(ref c1, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        Vector512<float> s20 = Init512(ref c2, accumulate, hasBias, ref bias);
        Vector512<float> s21 = Init512(ref Unsafe.Add(ref c2, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector512<float> s22 = Init512(ref Unsafe.Add(ref c2, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector512<float> s23 = Init512(ref Unsafe.Add(ref c2, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        Vector512<float> s30 = Init512(ref c3, accumulate, hasBias, ref bias);
        Vector512<float> s31 = Init512(ref Unsafe.Add(ref c3, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector512<float> s32 = Init512(ref Unsafe.Add(ref c3, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector512<float> s33 = Init512(ref Unsafe.Add(ref c3, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        ref float a1 = ref Unsafe.Add(ref a, aRow);
        ref float a2 = ref Unsafe.Add(ref a, 2 * aRow);
        ref float a3 = ref Unsafe.Add(ref a, 3 * aRow);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * ldb);
            Vector512<float> b0 = Vector512.LoadUnsafe(ref bp);
            Vector512<float> b1 = Vector512.LoadUnsafe(ref bp, W);
            Vector512<float> b2 = Vector512.LoadUnsafe(ref bp, 2 * W);
            Vector512<float> b3 = Vector512.LoadUnsafe(ref bp, 3 * W);
            int ap = p * aCol;
            Vector512<float> x = Vector512.Create(Unsafe.Add(ref a, ap));
            s00 = Vector512.FusedMultiplyAdd(x, b0, s00); s01 = Vector512.FusedMultiplyAdd(x, b1, s01);
            s02 = Vector512.FusedMultiplyAdd(x, b2, s02); s03 = Vector512.FusedMultiplyAdd(x, b3, s03);
            x = Vector512.Create(Unsafe.Add(ref a1, ap));
            s10 = Vector512.FusedMultiplyAdd(x, b0, s10); s11 = Vector512.FusedMultiplyAdd(x, b1, s11);
            s12 = Vector512.FusedMultiplyAdd(x, b2, s12); s13 = Vector512.FusedMultiplyAdd(x, b3, s13);
            x = Vector512.Create(Unsafe.Add(ref a2, ap));
            s20 = Vector512.FusedMultiplyAdd(x, b0, s20); s21 = Vector512.FusedMultiplyAdd(x, b1, s21);
            s22 = Vector512.FusedMultiplyAdd(x, b2, s22); s23 = Vector512.FusedMultiplyAdd(x, b3, s23);
            x = Vector512.Create(Unsafe.Add(ref a3, ap));
            s30 = Vector512.FusedMultiplyAdd(x, b0, s30); s31 = Vector512.FusedMultiplyAdd(x, b1, s31);
            s32 = Vector512.FusedMultiplyAdd(x, b2, s32); s33 = Vector512.FusedMultiplyAdd(x, b3, s33);
        }
        s00.StoreUnsafe(ref c); s01.StoreUnsafe(ref c, W); s02.StoreUnsafe(ref c, 2 * W); s03.StoreUnsafe(ref c, 3 * W);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, W); s12.StoreUnsafe(ref c1, 2 * W); s13.StoreUnsafe(ref c1, 3 * W);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, W); s22.StoreUnsafe(ref c2, 2 * W); s23.StoreUnsafe(ref c2, 3 * W);
        s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, W); s32.StoreUnsafe(ref c3, 2 * W); s33.StoreUnsafe(ref c3, 3 * W);
    }

    /// <summary>Four rows, <paramref name="vectors"/> (1–3) single vectors of columns, one at a time; the first
    /// <paramref name="skip"/> lanes of the first vector are computed but not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512x4x1(int k, int vectors, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias, int skip = 0)
    {
        const int W = 16;
        ref float a1 = ref Unsafe.Add(ref a, aRow);
        ref float a2 = ref Unsafe.Add(ref a, 2 * aRow);
        ref float a3 = ref Unsafe.Add(ref a, 3 * aRow);
        for (int v = 0; v < vectors; v++)
        {
            int off = v * W;
            ref float c0 = ref Unsafe.Add(ref c, off);
            ref float c1 = ref Unsafe.Add(ref c0, ldc);
            ref float c2 = ref Unsafe.Add(ref c0, 2 * ldc);
            ref float c3 = ref Unsafe.Add(ref c0, 3 * ldc);
            ref float bv = ref Unsafe.Add(ref bias, off);
            Vector512<float> s0 = Init512(ref c0, accumulate, hasBias, ref bv);
            Vector512<float> s1 = Init512(ref c1, accumulate, hasBias, ref bv);
            Vector512<float> s2 = Init512(ref c2, accumulate, hasBias, ref bv);
            Vector512<float> s3 = Init512(ref c3, accumulate, hasBias, ref bv);
            for (int p = 0; p < k; p++)
            {
                Vector512<float> bp = Vector512.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb + off));
                int ap = p * aCol;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, ap)), bp, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a1, ap)), bp, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a2, ap)), bp, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a3, ap)), bp, s3);
            }
            int keep = v == 0 ? skip : 0;
            Store512(s0, ref c0, keep); Store512(s1, ref c1, keep); Store512(s2, ref c2, keep); Store512(s3, ref c3, keep);
        }
    }

    /// <summary>One row, one vector of columns whose first <paramref name="skip"/> lanes are computed but not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512x1x1(int k, ref float a, int aCol, ref float b, int ldb,
        ref float c, bool accumulate, bool hasBias, ref float bias, int skip)
    {
        Vector512<float> s = Init512(ref c, accumulate, hasBias, ref bias);
        for (int p = 0; p < k; p++)
            s = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, p * aCol)), Vector512.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb)), s);
        Store512(s, ref c, skip);
    }

    /// <summary>One row, <paramref name="vectors"/> vectors of columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512x1xV(int k, int vectors, ref float a, int aCol, ref float b, int ldb,
        ref float c, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 16;
        int v = 0;
        for (; v + 4 <= vectors; v += 4)
        {
            int off = v * W;
            ref float cv = ref Unsafe.Add(ref c, off);
            ref float bv = ref Unsafe.Add(ref bias, off);
            Vector512<float> s0 = Init512(ref cv, accumulate, hasBias, ref bv);
            Vector512<float> s1 = Init512(ref Unsafe.Add(ref cv, W), accumulate, hasBias, ref Unsafe.Add(ref bv, W));
            Vector512<float> s2 = Init512(ref Unsafe.Add(ref cv, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bv, 2 * W));
            Vector512<float> s3 = Init512(ref Unsafe.Add(ref cv, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bv, 3 * W));
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, p * ldb + off);
                Vector512<float> x = Vector512.Create(Unsafe.Add(ref a, p * aCol));
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp), s0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, W), s1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 2 * W), s2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 3 * W), s3);
            }
            s0.StoreUnsafe(ref cv); s1.StoreUnsafe(ref cv, W); s2.StoreUnsafe(ref cv, 2 * W); s3.StoreUnsafe(ref cv, 3 * W);
        }
        for (; v < vectors; v++)
        {
            int off = v * W;
            ref float cv = ref Unsafe.Add(ref c, off);
            Vector512<float> s = Init512(ref cv, accumulate, hasBias, ref Unsafe.Add(ref bias, off));
            for (int p = 0; p < k; p++)
                s = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a, p * aCol)),
                    Vector512.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb + off)), s);
            s.StoreUnsafe(ref cv);
        }
    }

    // ---------------------------------------------------------------- AVX2 path (8 floats per vector)

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked256(int m, int n, int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 8;
        int j = 0;
        for (; j + 4 * W <= n; j += 4 * W)
        {
            int i = 0;
            for (; i + 3 <= m; i += 3)
                Kernel256x3x4(k, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            for (; i < m; i++)
                Kernel256x1xV(k, 4, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), accumulate, hasBias, ref Unsafe.Add(ref bias, j));
        }
        int vectors = (n - j) / W;
        if (vectors > 0)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
                Kernel256x4x1(k, vectors, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            for (; i < m; i++)
                Kernel256x1xV(k, vectors, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, j), ldb,
                    ref Unsafe.Add(ref c, i * ldc + j), accumulate, hasBias, ref Unsafe.Add(ref bias, j));
            j += vectors * W;
        }
        if (j < n && n >= W)
        {
            // The last n − j (< W) columns: one vector ending at column n, as in Blocked512.
            int start = n - W, skip = j - start;
            int i = 0;
            for (; i + 4 <= m; i += 4)
                Kernel256x4x1(k, 1, ref Unsafe.Add(ref a, i * aRow), aRow, aCol, ref Unsafe.Add(ref b, start), ldb,
                    ref Unsafe.Add(ref c, i * ldc + start), ldc, accumulate, hasBias, ref Unsafe.Add(ref bias, start), skip);
            for (; i < m; i++)
                Kernel256x1x1(k, ref Unsafe.Add(ref a, i * aRow), aCol, ref Unsafe.Add(ref b, start), ldb,
                    ref Unsafe.Add(ref c, i * ldc + start), accumulate, hasBias, ref Unsafe.Add(ref bias, start), skip);
        }
        else if (j < n)
            ScalarColumns(m, j, n, k, ref a, aRow, aCol, ref b, ldb, ref c, ldc, accumulate, hasBias, ref bias);
    }

    /// <summary>Stores <paramref name="s"/> at <paramref name="c"/> except its first <paramref name="skip"/> lanes,
    /// which keep what <paramref name="c"/> holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(Vector256<float> s, ref float c, int skip)
    {
        if (skip > 0)
            s = Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(skip)).AsSingle(),
                Vector256.LoadUnsafe(ref c), s);
        s.StoreUnsafe(ref c);
    }

    /// <summary>Four rows, <paramref name="vectors"/> (1–3) single vectors of columns, one at a time; the first
    /// <paramref name="skip"/> lanes of the first vector are computed but not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256x4x1(int k, int vectors, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias, int skip = 0)
    {
        const int W = 8;
        ref float a1 = ref Unsafe.Add(ref a, aRow);
        ref float a2 = ref Unsafe.Add(ref a, 2 * aRow);
        ref float a3 = ref Unsafe.Add(ref a, 3 * aRow);
        for (int v = 0; v < vectors; v++)
        {
            int off = v * W;
            ref float c0 = ref Unsafe.Add(ref c, off);
            ref float c1 = ref Unsafe.Add(ref c0, ldc);
            ref float c2 = ref Unsafe.Add(ref c0, 2 * ldc);
            ref float c3 = ref Unsafe.Add(ref c0, 3 * ldc);
            ref float bv = ref Unsafe.Add(ref bias, off);
            Vector256<float> s0 = Init256(ref c0, accumulate, hasBias, ref bv);
            Vector256<float> s1 = Init256(ref c1, accumulate, hasBias, ref bv);
            Vector256<float> s2 = Init256(ref c2, accumulate, hasBias, ref bv);
            Vector256<float> s3 = Init256(ref c3, accumulate, hasBias, ref bv);
            for (int p = 0; p < k; p++)
            {
                Vector256<float> bp = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb + off));
                int ap = p * aCol;
                s0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, ap)), bp, s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a1, ap)), bp, s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a2, ap)), bp, s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a3, ap)), bp, s3);
            }
            int keep = v == 0 ? skip : 0;
            Store256(s0, ref c0, keep); Store256(s1, ref c1, keep); Store256(s2, ref c2, keep); Store256(s3, ref c3, keep);
        }
    }

    /// <summary>One row, one vector of columns whose first <paramref name="skip"/> lanes are computed but not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256x1x1(int k, ref float a, int aCol, ref float b, int ldb,
        ref float c, bool accumulate, bool hasBias, ref float bias, int skip)
    {
        Vector256<float> s = Init256(ref c, accumulate, hasBias, ref bias);
        for (int p = 0; p < k; p++)
            s = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, p * aCol)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb)), s);
        Store256(s, ref c, skip);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Init256(ref float c, bool accumulate, bool hasBias, ref float bias)
    {
        Vector256<float> v = accumulate ? Vector256.LoadUnsafe(ref c) : Vector256<float>.Zero;
        return hasBias ? v + Vector256.LoadUnsafe(ref bias) : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256x3x4(int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 8;
        ref float c1 = ref Unsafe.Add(ref c, ldc);
        ref float c2 = ref Unsafe.Add(ref c, 2 * ldc);
        Vector256<float> s00 = Init256(ref c, accumulate, hasBias, ref bias);
        Vector256<float> s01 = Init256(ref Unsafe.Add(ref c, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector256<float> s02 = Init256(ref Unsafe.Add(ref c, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector256<float> s03 = Init256(ref Unsafe.Add(ref c, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        Vector256<float> s10 = Init256(ref c1, accumulate, hasBias, ref bias);
        Vector256<float> s11 = Init256(ref Unsafe.Add(ref c1, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector256<float> s12 = Init256(ref Unsafe.Add(ref c1, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector256<float> s13 = Init256(ref Unsafe.Add(ref c1, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        Vector256<float> s20 = Init256(ref c2, accumulate, hasBias, ref bias);
        Vector256<float> s21 = Init256(ref Unsafe.Add(ref c2, W), accumulate, hasBias, ref Unsafe.Add(ref bias, W));
        Vector256<float> s22 = Init256(ref Unsafe.Add(ref c2, 2 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 2 * W));
        Vector256<float> s23 = Init256(ref Unsafe.Add(ref c2, 3 * W), accumulate, hasBias, ref Unsafe.Add(ref bias, 3 * W));
        ref float a1 = ref Unsafe.Add(ref a, aRow);
        ref float a2 = ref Unsafe.Add(ref a, 2 * aRow);
        for (int p = 0; p < k; p++)
        {
            ref float bp = ref Unsafe.Add(ref b, p * ldb);
            Vector256<float> b0 = Vector256.LoadUnsafe(ref bp);
            Vector256<float> b1 = Vector256.LoadUnsafe(ref bp, W);
            Vector256<float> b2 = Vector256.LoadUnsafe(ref bp, 2 * W);
            Vector256<float> b3 = Vector256.LoadUnsafe(ref bp, 3 * W);
            int ap = p * aCol;
            Vector256<float> x = Vector256.Create(Unsafe.Add(ref a, ap));
            s00 = Vector256.FusedMultiplyAdd(x, b0, s00); s01 = Vector256.FusedMultiplyAdd(x, b1, s01);
            s02 = Vector256.FusedMultiplyAdd(x, b2, s02); s03 = Vector256.FusedMultiplyAdd(x, b3, s03);
            x = Vector256.Create(Unsafe.Add(ref a1, ap));
            s10 = Vector256.FusedMultiplyAdd(x, b0, s10); s11 = Vector256.FusedMultiplyAdd(x, b1, s11);
            s12 = Vector256.FusedMultiplyAdd(x, b2, s12); s13 = Vector256.FusedMultiplyAdd(x, b3, s13);
            x = Vector256.Create(Unsafe.Add(ref a2, ap));
            s20 = Vector256.FusedMultiplyAdd(x, b0, s20); s21 = Vector256.FusedMultiplyAdd(x, b1, s21);
            s22 = Vector256.FusedMultiplyAdd(x, b2, s22); s23 = Vector256.FusedMultiplyAdd(x, b3, s23);
        }
        s00.StoreUnsafe(ref c); s01.StoreUnsafe(ref c, W); s02.StoreUnsafe(ref c, 2 * W); s03.StoreUnsafe(ref c, 3 * W);
        s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, W); s12.StoreUnsafe(ref c1, 2 * W); s13.StoreUnsafe(ref c1, 3 * W);
        s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, W); s22.StoreUnsafe(ref c2, 2 * W); s23.StoreUnsafe(ref c2, 3 * W);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256x1xV(int k, int vectors, ref float a, int aCol, ref float b, int ldb,
        ref float c, bool accumulate, bool hasBias, ref float bias)
    {
        const int W = 8;
        for (int v = 0; v < vectors; v++)
        {
            int off = v * W;
            ref float cv = ref Unsafe.Add(ref c, off);
            Vector256<float> s = Init256(ref cv, accumulate, hasBias, ref Unsafe.Add(ref bias, off));
            for (int p = 0; p < k; p++)
                s = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref a, p * aCol)),
                    Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb + off)), s);
            s.StoreUnsafe(ref cv);
        }
    }

    // ---------------------------------------------------------------- thin outputs and tails

    /// <summary>Columns [j0, n) one at a time with scalar fused multiply-adds (same order over k as the vector paths).</summary>
    private static void ScalarColumns(int m, int j0, int n, int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        for (int i = 0; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref a, i * aRow);
            for (int j = j0; j < n; j++)
            {
                ref float dst = ref Unsafe.Add(ref c, i * ldc + j);
                float s = accumulate ? dst : 0f;
                if (hasBias) s += Unsafe.Add(ref bias, j);
                for (int p = 0; p < k; p++)
                    s = MathF.FusedMultiplyAdd(Unsafe.Add(ref ai, p * aCol), Unsafe.Add(ref b, p * ldb + j), s);
                dst = s;
            }
        }
    }

    /// <summary>Few output columns: each output is a dot product of a row of A with a column of B (gathered once).</summary>
    private static void ThinDot(int m, int n, int k, ref float a, int aRow, int aCol, ref float b, int ldb,
        ref float c, int ldc, bool accumulate, bool hasBias, ref float bias)
    {
        if (aCol != 1)
        {
            ScalarColumns(m, 0, n, k, ref a, aRow, aCol, ref b, ldb, ref c, ldc, accumulate, hasBias, ref bias);
            return;
        }
        float[] scratch = Scratch(n * k);
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++)
                scratch[j * k + p] = Unsafe.Add(ref b, p * ldb + j);
        ref float bt = ref MemoryMarshal.GetArrayDataReference(scratch);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float ai = ref Unsafe.Add(ref a, i * aRow);
            for (int j = 0; j < n; j++)
            {
                Vector128<float> s = Dot4(ref ai, aRow, ref Unsafe.Add(ref bt, j * k), k);
                float bj = hasBias ? Unsafe.Add(ref bias, j) : 0f;
                for (int r = 0; r < 4; r++)
                {
                    float v = s.GetElement(r);
                    if (hasBias) v += bj;
                    ref float dst = ref Unsafe.Add(ref c, (i + r) * ldc + j);
                    dst = accumulate ? dst + v : v;
                }
            }
        }
        for (; i < m; i++)
        {
            ReadOnlySpan<float> row = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref a, i * aRow), k);
            for (int j = 0; j < n; j++)
            {
                float s = Dot(row, scratch.AsSpan(j * k, k));
                if (hasBias) s += Unsafe.Add(ref bias, j);
                ref float dst = ref Unsafe.Add(ref c, i * ldc + j);
                dst = accumulate ? dst + s : s;
            }
        }
    }

    /// <summary>
    /// The dot products of four rows (<paramref name="x"/>, then every <paramref name="stride"/> elements) with
    /// <paramref name="y"/>, each summed in exactly <see cref="Dot"/>'s order (so with the same bits), but with four
    /// independent accumulators in flight instead of one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> Dot4(ref float x, int stride, ref float y, int n)
    {
        ref float x1 = ref Unsafe.Add(ref x, stride);
        ref float x2 = ref Unsafe.Add(ref x, 2 * stride);
        ref float x3 = ref Unsafe.Add(ref x, 3 * stride);
        int i = 0;
        float s0, s1, s2, s3;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> yv = Vector512.LoadUnsafe(ref y, (nuint)i);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, (nuint)i), yv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x1, (nuint)i), yv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x2, (nuint)i), yv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x3, (nuint)i), yv, a3);
            }
            (s0, s1, s2, s3) = (Vector512.Sum(a0), Vector512.Sum(a1), Vector512.Sum(a2), Vector512.Sum(a3));
        }
        else
        {
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i + 8 <= n; i += 8)
            {
                Vector256<float> yv = Vector256.LoadUnsafe(ref y, (nuint)i);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)i), yv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x1, (nuint)i), yv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x2, (nuint)i), yv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x3, (nuint)i), yv, a3);
            }
            (s0, s1, s2, s3) = (Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
        }
        for (; i < n; i++)
        {
            float yv = Unsafe.Add(ref y, i);
            s0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, i), yv, s0);
            s1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x1, i), yv, s1);
            s2 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x2, i), yv, s2);
            s3 = MathF.FusedMultiplyAdd(Unsafe.Add(ref x3, i), yv, s3);
        }
        return Vector128.Create(s0, s1, s2, s3);
    }

    /// <summary>Dot product with a fixed, deterministic summation order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = Math.Min(x.Length, y.Length);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        float s;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref rx, (nuint)i), Vector512.LoadUnsafe(ref ry, (nuint)i), acc);
            s = Vector512.Sum(acc);
        }
        else
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + 8 <= n; i += 8)
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rx, (nuint)i), Vector256.LoadUnsafe(ref ry, (nuint)i), acc);
            s = Vector256.Sum(acc);
        }
        for (; i < n; i++)
            s = MathF.FusedMultiplyAdd(Unsafe.Add(ref rx, i), Unsafe.Add(ref ry, i), s);
        return s;
    }
}
