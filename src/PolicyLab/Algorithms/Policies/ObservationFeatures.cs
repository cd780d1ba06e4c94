using PolicyLab.Environments.Spaces;

namespace PolicyLab.Algorithms.Policies;

/// <summary>How one entry of an observation becomes features for the networks.</summary>
public enum EntryExtractor
{
    /// <summary>The entry's floats as they are (a vector Box; SB3's CombinedExtractor flattens vector entries too).</summary>
    Flatten,

    /// <summary>An image entry (a Box of rank 3): its own CNN in the policies that have one (PPO, A2C, VPG, TRPO, DQN, …,
    /// with policy=auto for uint8 images or policy=cnn), see <see cref="FeatureExtractors"/>; flattened elsewhere, as a
    /// whole image observation is.</summary>
    Cnn,
}

/// <summary>
/// The observation side of every network (on-policy, off-policy and black-box policies): which observation spaces
/// they accept and how each entry of a Dict or Tuple observation becomes features. Every leaf entry gets its own
/// extractor (<see cref="ExtractorFor"/>): vector entries pass as they are, image entries go through their own CNN
/// (<see cref="FeatureExtractors.For"/> builds the <see cref="Numerics.Modules.CombinedExtractor"/>), and the results
/// are concatenated in the space's flat order (sorted Dict keys) — SB3's CombinedExtractor.
/// </summary>
/// <remarks>
/// Discrete, MultiDiscrete and MultiBinary entries are refused: policies read Box observations (wrap such an entry
/// into a Box, e.g. a one-hot vector).
/// </remarks>
public static class ObservationFeatures
{
    /// <summary>Checks that networks can read <paramref name="observationSpace"/> and returns the feature width.</summary>
    /// <param name="observationSpace">The environment's (single-copy) observation space.</param>
    /// <param name="who">The policy or algorithm, for the message.</param>
    /// <exception cref="PolicyLabException">The space, or an entry of it, is not supported (the message names the entry).</exception>
    public static int Check(Space observationSpace, string who)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        switch (observationSpace)
        {
            case Box box:
                return box.FlatSize;   // an image Box gets its CNN from FeatureExtractors (policy=auto|cnn)
            case CompositeSpace composite:
                foreach ((string path, Space space, _) in composite.Leaves()) ExtractorFor(path, space, who);
                return composite.FlatSize;
            default:
                throw new PolicyLabException($"{who} need a Box observation space, or a Dict/Tuple of Box entries; this environment observes {observationSpace}.");
        }
    }

    /// <summary>The extractor of one leaf entry of a Dict or Tuple observation.</summary>
    /// <exception cref="PolicyLabException">The entry is not supported.</exception>
    public static EntryExtractor ExtractorFor(string path, Space entry, string who)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry switch
        {
            Box { Shape.Length: 3 } => EntryExtractor.Cnn,
            Box => EntryExtractor.Flatten,
            _ => throw new PolicyLabException($"{who} read Box entries of a Dict or Tuple observation, but the entry '{path}' is {entry}. " +
                "Give the environment a Box entry instead (e.g. the one-hot vector of a discrete value)."),
        };
    }
}
