using PolicyLab.Numerics.Modules;

namespace PolicyLab.Numerics.Curvature;

/// <summary>
/// Fisher-vector products F·v for natural-gradient methods (NPG, TRPO), in the Gauss–Newton form
/// F = E_s[Jᵀ M J]: J is the Jacobian of the distribution's parameters (network outputs) with respect
/// to θ, and M the Fisher information of the distribution with respect to its own parameters, which is
/// known in closed form. J·v comes from a forward-mode pass, M·(J·v) is a few elementwise operations,
/// and Jᵀ·(…) is an ordinary backward pass. No second derivatives are needed.
/// </summary>
public static class FisherVectorProduct
{
    /// <summary>
    /// F·v for a categorical policy whose logits are <paramref name="network"/>(obs). For logits the
    /// Fisher is M = diag(p) − p·pᵀ, so M·u = p ⊙ u − p·(pᵀu). The result is written into
    /// <paramref name="result"/>, laid out like the store's flat buffer (zero for parameters the
    /// network does not use). The store's gradients are overwritten.
    /// </summary>
    public static void Categorical(Mlp network, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(network);
        MultiCategorical(network, [network.Outputs], store, observations, batch, vector, result, tape);
    }

    /// <summary>
    /// F·v for independent categoricals over consecutive blocks of <paramref name="sizes"/> logits (a
    /// MultiDiscrete policy). The Fisher of independent variables is block diagonal, one
    /// diag(pᵢ) − pᵢ·pᵢᵀ block per variable.
    /// </summary>
    public static void MultiCategorical(Mlp network, ReadOnlySpan<int> sizes, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(network);
        int[] blocks = sizes.ToArray();
        var p = new float[network.Outputs];
        ThroughHead(network, store, observations, batch, vector, result, tape, (logits, jv, u) =>
        {
            for (int start = 0; start < logits.Length;)
            {
                foreach (int k in blocks)
                {
                    Span<float> pk = p.AsSpan(0, k);
                    Tape.LogSoftmaxRow(logits.Slice(start, k), pk);
                    double dot = 0;
                    for (int i = 0; i < k; i++) { pk[i] = MathF.Exp(pk[i]); dot += pk[i] * jv[start + i]; }
                    for (int i = 0; i < k; i++) u[start + i] = (float)(pk[i] * (jv[start + i] - dot) / batch);
                    start += k;
                }
            }
        });
    }

    /// <summary>
    /// F·v for independent Bernoulli variables with logits <paramref name="network"/>(obs) (a MultiBinary
    /// policy): in the logits the Fisher is diagonal, M = diag(p(1 − p)) with p = σ(logit).
    /// </summary>
    public static void Bernoulli(Mlp network, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape) =>
        ThroughHead(network, store, observations, batch, vector, result, tape, (logits, jv, u) =>
        {
            for (int i = 0; i < u.Length; i++)
            {
                float p = 1f / (1f + MathF.Exp(-logits[i]));
                u[i] = p * (1f - p) * jv[i] / batch;
            }
        });

    /// <summary>
    /// F·v for a diagonal Gaussian whose network outputs both the mean (first D outputs) and log σ (last D):
    /// the Fisher in (μ, log σ) is diag(1/σ²) for the mean and 2·I for log σ.
    /// </summary>
    public static void StateDependentGaussian(Mlp network, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(network);
        int width = network.Outputs, d = width / 2;
        ThroughHead(network, store, observations, batch, vector, result, tape, (head, jv, u) =>
        {
            for (int row = 0; row < head.Length; row += width)
            {
                for (int i = 0; i < d; i++)
                {
                    u[row + i] = jv[row + i] * MathF.Exp(-2f * head[row + d + i]) / batch;
                    u[row + d + i] = 2f * jv[row + d + i] / batch;
                }
            }
        });
    }

    /// <summary>
    /// F·v for a diagonal Gaussian policy with mean <paramref name="meanNetwork"/>(obs) and a
    /// state-independent log standard deviation <paramref name="logStd"/>. The Fisher is block
    /// diagonal: diag(1/σ²) for the mean and 2·I for the log standard deviation.
    /// </summary>
    public static void DiagonalGaussian(Mlp meanNetwork, Parameter logStd, ParameterStore store,
        ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(meanNetwork);
        ArgumentNullException.ThrowIfNull(logStd);
        int d = meanNetwork.Outputs;
        if (logStd.Length != d)
            throw new ArgumentException($"log-std has {logStd.Length} entries; the mean has {d}.");
        float[] precision = new float[d];
        for (int i = 0; i < d; i++) precision[i] = MathF.Exp(-2f * logStd.Value[i]);
        ThroughHead(meanNetwork, store, observations, batch, vector, result, tape, (_, jv, u) =>
        {
            for (int k = 0; k < u.Length; k++) u[k] = jv[k] * precision[k % d] / batch;
        });
        // The log-std block: the Jacobian is the identity for every state, so the average is 2·v.
        for (int i = 0; i < d; i++)
            result[logStd.Offset + i] = 2f * vector[logStd.Offset + i];
    }

    /// <summary>Computes u = M·(J·v) / B from the head, J·v (both [B, outputs]) into u.</summary>
    private delegate void HeadFisher(ReadOnlySpan<float> head, ReadOnlySpan<float> jv, Span<float> u);

    // J·v by a forward-mode pass, M·(J·v) by the family's closed form, Jᵀ·(…) by a backward pass.
    private static void ThroughHead(Mlp network, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> vector, Span<float> result, Tape tape, HeadFisher fisher)
    {
        int width = network.Outputs;
        var head = new float[batch * width];
        var jv = new float[batch * width];
        network.JacobianVectorProduct(observations, batch, vector, head, jv);
        var u = new float[batch * width];
        fisher(head, jv, u);
        BackwardInto(network, store, observations, batch, u, result, tape);
    }

    private static void BackwardInto(Mlp network, ParameterStore store, ReadOnlySpan<float> observations, int batch,
        ReadOnlySpan<float> outputGradient, Span<float> result, Tape tape)
    {
        tape.Reset();
        store.ZeroGradients();
        Tensor output = network.Forward(tape, tape.Constant(observations[..(batch * network.Inputs)], new Shape(batch, network.Inputs)));
        tape.Backward(output, outputGradient);
        store.Gradients.CopyTo(result);
        tape.Reset();
    }
}
