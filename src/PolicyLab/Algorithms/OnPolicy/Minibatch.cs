namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>Contiguous copies of selected rows of a <see cref="RolloutBuffer"/>, reused across minibatches.</summary>
public sealed class Minibatch
{
    /// <summary>Allocates room for <paramref name="capacity"/> rows of <paramref name="buffer"/>'s layout.</summary>
    public Minibatch(RolloutBuffer buffer, int capacity)
    {
        Observations = new float[capacity * buffer.ObservationSize];
        Actions = new float[capacity * buffer.ActionSize];
        LogProbs = new float[capacity];
        Advantages = new float[capacity];
        Returns = new float[capacity];
        Values = new float[capacity];
        Heads = new float[capacity * buffer.HeadSize];
        ActionMasks = new float[capacity * buffer.MaskSize];
    }

    /// <summary>The action masks acted under, when the buffer keeps them ([Count, mask]; empty otherwise).</summary>
    public float[] ActionMasks { get; }

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Observations, [Count, obs].</summary>
    public float[] Observations { get; }

    /// <summary>Actions, [Count, act].</summary>
    public float[] Actions { get; }

    /// <summary>Old log-probabilities.</summary>
    public float[] LogProbs { get; }

    /// <summary>Advantages (normalized by <see cref="Fill"/> when asked).</summary>
    public float[] Advantages { get; }

    /// <summary>Value targets.</summary>
    public float[] Returns { get; }

    /// <summary>Old value predictions.</summary>
    public float[] Values { get; }

    /// <summary>Old policy outputs, when the buffer keeps them.</summary>
    public float[] Heads { get; }

    /// <summary>Copies the rows <paramref name="indices"/> of <paramref name="buffer"/>; normalizes the
    /// advantages when asked (<see cref="AdvantageNormalization"/>).</summary>
    public void Fill(RolloutBuffer buffer, ReadOnlySpan<int> indices, bool normalizeAdvantages)
    {
        Count = indices.Length;
        int obs = buffer.ObservationSize, act = buffer.ActionSize, head = buffer.HeadSize, mask = buffer.MaskSize;
        for (int j = 0; j < indices.Length; j++)
        {
            int k = indices[j];
            buffer.Observations.AsSpan(k * obs, obs).CopyTo(Observations.AsSpan(j * obs, obs));
            buffer.Actions.AsSpan(k * act, act).CopyTo(Actions.AsSpan(j * act, act));
            if (head > 0) buffer.Heads.AsSpan(k * head, head).CopyTo(Heads.AsSpan(j * head, head));
            if (mask > 0) buffer.ActionMasks.AsSpan(k * mask, mask).CopyTo(ActionMasks.AsSpan(j * mask, mask));
            LogProbs[j] = buffer.LogProbs[k];
            Advantages[j] = buffer.Advantages[k];
            Returns[j] = buffer.Returns[k];
            Values[j] = buffer.Values[k];
        }
        if (normalizeAdvantages) AdvantageNormalization.Normalize(Advantages.AsSpan(0, Count));
    }
}
