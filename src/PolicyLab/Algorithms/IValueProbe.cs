namespace PolicyLab.Algorithms;

/// <summary>The first episode (or its part inside the batch) of copy 0 in an algorithm's latest batch, step by step.</summary>
/// <param name="Values">V(s_t) predicted when the step was collected.</param>
/// <param name="Targets">The value targets the critic was trained towards (e.g. GAE λ-returns).</param>
/// <param name="Rewards">The rewards (as the algorithm saw them, i.e. after any reward normalization).</param>
/// <param name="ActionProbabilities">π(a_t|s_t) of the chosen action (a density for continuous actions).</param>
/// <param name="Continuous">Whether actions are continuous (probabilities are densities).</param>
/// <param name="EpisodeEnded">Whether the episode ended inside the batch (else it was cut at the batch's end).</param>
public sealed record ValueTrace(float[] Values, float[] Targets, float[] Rewards, float[] ActionProbabilities, bool Continuous, bool EpisodeEnded);

/// <summary>
/// Implemented by algorithms with a learned value function, so that tracking code can plot what the critic
/// predicted for the first observation of each batch without the algorithm knowing about plots.
/// </summary>
public interface IValueProbe
{
    /// <summary>The trace of the latest batch (null before the first).</summary>
    ValueTrace? LatestTrace();
}
