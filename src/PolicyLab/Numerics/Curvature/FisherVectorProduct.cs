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
        int k = network.Outputs;
        var logits = new float[batch * k];
        var jv = new float[batch * k];
        network.JacobianVectorProduct(observations, batch, vector, logits, jv);
        var u = new float[batch * k];
        var p = new float[k];
        for (int s = 0; s < batch; s++)
        {
            Tape.LogSoftmaxRow(logits.AsSpan(s * k, k), p);
            double dot = 0;
            for (int i = 0; i < k; i++) { p[i] = MathF.Exp(p[i]); dot += p[i] * jv[s * k + i]; }
            for (int i = 0; i < k; i++) u[s * k + i] = (float)(p[i] * (jv[s * k + i] - dot) / batch);
        }
        BackwardInto(network, store, observations, batch, u, result, tape);
    }

    /// <summary>
    /// F·v for a diagonal Gaussian policy with mean <paramref name="meanNetwork"/>(obs) and a
    /// state-independent log standard deviation <paramref name="logStd"/>. The Fisher is block
    /// diagonal: diag(1/σ²) for the mean and 2·I for the log standard deviation.
    /// </summary>
    public static void DiagonalGaussian(Mlp meanNetwork, Parameter logStd, ParameterStore store,
        ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> vector, Span<float> result, Tape tape)
    {
        int d = meanNetwork.Outputs;
        if (logStd.Length != d)
            throw new ArgumentException($"log-std has {logStd.Length} entries; the mean has {d}.");
        var mean = new float[batch * d];
        var jv = new float[batch * d];
        meanNetwork.JacobianVectorProduct(observations, batch, vector, mean, jv);
        ReadOnlySpan<float> ls = logStd.Value;
        var u = new float[batch * d];
        for (int s = 0; s < batch; s++)
            for (int i = 0; i < d; i++)
                u[s * d + i] = jv[s * d + i] * MathF.Exp(-2f * ls[i]) / batch;
        BackwardInto(meanNetwork, store, observations, batch, u, result, tape);
        // The log-std block: the Jacobian is the identity for every state, so the average is 2·v.
        for (int i = 0; i < d; i++)
            result[logStd.Offset + i] = 2f * vector[logStd.Offset + i];
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
