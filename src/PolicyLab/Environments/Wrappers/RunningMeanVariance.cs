namespace PolicyLab.Environments.Wrappers;

/// <summary>
/// Running per-element mean and (population) variance, merged batch by batch with the parallel-variance formula
/// (Chan et al.). Starts, as in SB3 and Gymnasium, at mean 0, variance 1 and a pseudo-count of 1e-4.
/// </summary>
public sealed class RunningMeanVariance
{
    /// <summary>Creates statistics for vectors of <paramref name="size"/> elements.</summary>
    public RunningMeanVariance(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Mean = new double[size];
        Variance = new double[size];
        Array.Fill(Variance, 1.0);
        Count = 1e-4;
    }

    /// <summary>Per-element mean.</summary>
    public double[] Mean { get; }

    /// <summary>Per-element population variance.</summary>
    public double[] Variance { get; }

    /// <summary>Number of samples merged so far (plus the initial pseudo-count).</summary>
    public double Count { get; private set; }

    /// <summary>Number of elements per sample.</summary>
    public int Size => Mean.Length;

    /// <summary>Merges one sample.</summary>
    public void Update(ReadOnlySpan<float> sample) => Update(sample, 1);

    /// <summary>Merges a batch of samples stored row by row (<c>rows × Size</c> floats).</summary>
    public void Update(ReadOnlySpan<float> batch, int rows)
    {
        if (rows <= 0 || batch.Length != rows * Size)
            throw new ArgumentException($"Expected {rows} rows of {Size} values ({rows * Size} floats) but got {batch.Length}.", nameof(batch));
        double total = Count + rows;
        for (int j = 0; j < Size; j++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++)
                sum += batch[r * Size + j];
            double batchMean = sum / rows;
            double squares = 0;
            for (int r = 0; r < rows; r++)
            {
                double d = batch[r * Size + j] - batchMean;
                squares += d * d;
            }
            Merge(j, batchMean, squares / rows, rows, total);
        }
        Count = total;
    }

    /// <summary>Merges a batch of scalar samples (for a one-element statistic, e.g. discounted returns).</summary>
    public void Update(ReadOnlySpan<double> samples)
    {
        if (Size != 1)
            throw new InvalidOperationException($"Scalar updates need a one-element statistic; this one has {Size} elements.");
        if (samples.IsEmpty)
            return;
        double sum = 0;
        foreach (double s in samples)
            sum += s;
        double batchMean = sum / samples.Length;
        double squares = 0;
        foreach (double s in samples)
            squares += (s - batchMean) * (s - batchMean);
        double total = Count + samples.Length;
        Merge(0, batchMean, squares / samples.Length, samples.Length, total);
        Count = total;
    }

    /// <summary>Copies the statistics into a snapshot that can be saved with a model.</summary>
    public RunningMeanVarianceState Export() => new((double[])Mean.Clone(), (double[])Variance.Clone(), Count);

    /// <summary>Replaces the statistics with a snapshot from <see cref="Export"/>.</summary>
    public void Import(RunningMeanVarianceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Mean.Length != Size || state.Variance.Length != Size)
            throw new PolicyLabException($"The saved normalization statistics describe {state.Mean.Length} values but this normalizer has {Size}. Load statistics saved from an environment with the same observation size.");
        if (!(state.Count > 0) || state.Variance.Any(v => !(v >= 0)) || state.Mean.Any(m => !double.IsFinite(m)))
            throw new PolicyLabException("The saved normalization statistics are damaged (non-positive count, negative or NaN variance, or non-finite mean). Re-export them from a trained normalizer.");
        state.Mean.CopyTo(Mean, 0);
        state.Variance.CopyTo(Variance, 0);
        Count = state.Count;
    }

    private void Merge(int j, double batchMean, double batchVariance, double batchCount, double total)
    {
        double delta = batchMean - Mean[j];
        Mean[j] += delta * batchCount / total;
        double m2 = Variance[j] * Count + batchVariance * batchCount + delta * delta * Count * batchCount / total;
        Variance[j] = m2 / total;
    }
}

/// <summary>A saved snapshot of <see cref="RunningMeanVariance"/>.</summary>
/// <param name="Mean">Per-element mean.</param>
/// <param name="Variance">Per-element population variance.</param>
/// <param name="Count">Sample count including the initial pseudo-count.</param>
public sealed record RunningMeanVarianceState(double[] Mean, double[] Variance, double Count);
