using MathNet.Numerics.LinearAlgebra;

namespace PolicyLab.Numerics.Modules;

/// <summary>Weight initialization schemes.</summary>
public static class Initialization
{
    /// <summary>
    /// Fills a rows×cols matrix with a (semi-)orthogonal matrix times <paramref name="gain"/>: the Q
    /// factor of the QR decomposition of a standard normal matrix, with column signs fixed by R's
    /// diagonal so the result is uniformly distributed (Saxe et al. 2014). When rows &lt; cols the rows
    /// are orthonormal instead of the columns.
    /// </summary>
    public static void Orthogonal(Span<float> matrix, int rows, int cols, float gain, Rng rng)
    {
        if (matrix.Length != rows * cols)
            throw new ArgumentException($"Matrix buffer has {matrix.Length} elements, expected {rows}×{cols}.");
        bool transpose = rows < cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;
        var gaussian = Matrix<double>.Build.Dense(r, c);
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                gaussian[i, j] = rng.Normal();
        var qr = gaussian.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        Matrix<double> q = qr.Q, rMatrix = qr.R;
        for (int j = 0; j < c; j++)
        {
            double sign = rMatrix[j, j] < 0 ? -1.0 : 1.0;
            for (int i = 0; i < r; i++)
                q[i, j] *= sign;
        }
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                matrix[i * cols + j] = (float)(gain * (transpose ? q[j, i] : q[i, j]));
    }

    /// <summary>Uniform in [−bound, bound].</summary>
    public static void Uniform(Span<float> values, float bound, Rng rng) => rng.FillUniform(values, -bound, bound);
}
