namespace PolicyLab.Algorithms.OnPolicy;

/// <summary>
/// Storage for one on-policy rollout: T steps × N environments, row t·N + i for step t of copy i.
/// <see cref="Dones"/>[t·N + i] is 1 when copy i's episode ended with step t (terminated or
/// truncated); a truncated step's reward already includes γ·V(final observation), so the return
/// computation treats both kinds of end alike and bootstraps only on truncation.
/// </summary>
public sealed class RolloutBuffer
{
    /// <summary>Allocates the buffer.</summary>
    /// <param name="steps">Steps per environment (T).</param>
    /// <param name="environments">Number of environments (N).</param>
    /// <param name="observationSize">Floats per observation.</param>
    /// <param name="actionSize">Floats per action.</param>
    /// <param name="headSize">When positive, also keep the policy's outputs (logits or means) of every step, for KL terms.</param>
    /// <param name="maskSize">When positive, also keep the action mask every action was taken under.</param>
    public RolloutBuffer(int steps, int environments, int observationSize, int actionSize, int headSize = 0, int maskSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(environments);
        (Steps, Environments, ObservationSize, ActionSize) = (steps, environments, observationSize, actionSize);
        int n = steps * environments;
        Observations = new float[n * observationSize];
        Actions = new float[n * actionSize];
        Rewards = new float[n];
        Dones = new float[n];
        Values = new float[n];
        LogProbs = new float[n];
        Advantages = new float[n];
        Returns = new float[n];
        LastValues = new float[environments];
        HeadSize = headSize;
        Heads = new float[n * Math.Max(headSize, 0)];
        MaskSize = Math.Max(maskSize, 0);
        ActionMasks = new float[n * MaskSize];
    }

    /// <summary>Flags per action mask kept (0 when masks are not kept).</summary>
    public int MaskSize { get; }

    /// <summary>The masks the actions were taken under, [T·N, mask], 1 allowed and 0 forbidden (empty without masks).</summary>
    public float[] ActionMasks { get; }

    /// <summary>Floats of policy output kept per step (0 when not kept).</summary>
    public int HeadSize { get; }

    /// <summary>The old policy's outputs (logits or means), [T·N, head], when <see cref="HeadSize"/> &gt; 0.</summary>
    public float[] Heads { get; }

    /// <summary>Steps per environment (T).</summary>
    public int Steps { get; }

    /// <summary>Environments (N).</summary>
    public int Environments { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>T·N.</summary>
    public int Count => Steps * Environments;

    /// <summary>Observations, [T·N, obs].</summary>
    public float[] Observations { get; }

    /// <summary>Actions as the policy produced them, [T·N, act].</summary>
    public float[] Actions { get; }

    /// <summary>Rewards (plus γ·V(final observation) on truncated steps), [T·N].</summary>
    public float[] Rewards { get; }

    /// <summary>1 where the episode ended with this step, [T·N].</summary>
    public float[] Dones { get; }

    /// <summary>V(s_t) predicted while collecting, [T·N].</summary>
    public float[] Values { get; }

    /// <summary>log π_old(a_t|s_t), [T·N].</summary>
    public float[] LogProbs { get; }

    /// <summary>GAE advantages, [T·N].</summary>
    public float[] Advantages { get; }

    /// <summary>Advantages + values (the value targets), [T·N].</summary>
    public float[] Returns { get; }

    /// <summary>V of the observation after the last step, per environment.</summary>
    public float[] LastValues { get; }

    /// <summary>
    /// Generalized advantage estimation (Schulman et al. 2016): δ_t = r_t + γ·V(s_{t+1})·(1 − d_t) − V(s_t),
    /// Â_t = δ_t + γλ·(1 − d_t)·Â_{t+1}; returns R_t = Â_t + V(s_t). λ = 1 gives Monte-Carlo returns
    /// (bootstrapped at the rollout's end), λ = 0 one-step TD.
    /// </summary>
    public void ComputeAdvantages(float gamma, float lambda)
    {
        int n = Environments;
        for (int i = 0; i < n; i++)
        {
            float next = LastValues[i], gae = 0f;
            for (int t = Steps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                float notDone = 1f - Dones[k];
                float delta = Rewards[k] + gamma * next * notDone - Values[k];
                gae = delta + gamma * lambda * notDone * gae;
                Advantages[k] = gae;
                Returns[k] = gae + Values[k];
                next = Values[k];
            }
        }
    }

    /// <summary>Discounted reward-to-go within each episode, Σ_{k≥t} γ^{k−t} r_k, cut at episode ends
    /// (no bootstrap at the rollout's end), written to <see cref="Returns"/>.</summary>
    public void ComputeRewardToGo(float gamma)
    {
        int n = Environments;
        for (int i = 0; i < n; i++)
        {
            float g = 0f;
            for (int t = Steps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                g = Rewards[k] + gamma * (1f - Dones[k]) * g;
                Returns[k] = g;
            }
        }
    }

    /// <summary>1 − Var(returns − values) / Var(returns): how much of the return's variance the
    /// value function explains (1 perfect, 0 no better than a constant; NaN when returns are constant).</summary>
    public double ExplainedVariance()
    {
        int n = Count;
        double meanR = 0, meanD = 0;
        for (int i = 0; i < n; i++) { meanR += Returns[i]; meanD += Returns[i] - Values[i]; }
        meanR /= n;
        meanD /= n;
        double varR = 0, varD = 0;
        for (int i = 0; i < n; i++)
        {
            double r = Returns[i] - meanR, d = Returns[i] - Values[i] - meanD;
            varR += r * r;
            varD += d * d;
        }
        return varR == 0 ? double.NaN : 1 - varD / varR;
    }

    /// <summary>Copy 0's steps from the start of the rollout to the end of its first episode (or of the rollout).</summary>
    public ValueTrace FirstEpisodeTrace(bool continuous)
    {
        int n = Environments, length = Steps;
        bool ended = false;
        for (int t = 0; t < Steps; t++)
        {
            if (Dones[t * n] != 0)
            {
                (length, ended) = (t + 1, true);
                break;
            }
        }
        var values = new float[length];
        var targets = new float[length];
        var rewards = new float[length];
        var probabilities = new float[length];
        for (int t = 0; t < length; t++)
        {
            values[t] = Values[t * n];
            targets[t] = Returns[t * n];
            rewards[t] = Rewards[t * n];
            probabilities[t] = MathF.Exp(LogProbs[t * n]);
        }
        return new ValueTrace(values, targets, rewards, probabilities, continuous, ended);
    }
}
