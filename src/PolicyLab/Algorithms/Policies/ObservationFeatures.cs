using PolicyLab.Environments.Spaces;

namespace PolicyLab.Algorithms.Policies;

/// <summary>How one entry of an observation becomes features for the networks.</summary>
public enum EntryExtractor
{
    /// <summary>The entry's floats as they are (a vector Box; SB3's CombinedExtractor flattens vector entries too).</summary>
    Flatten,
}

/// <summary>
/// The observation side of every network (on-policy, off-policy and black-box policies): which observation spaces
/// they accept and how each entry of a Dict or Tuple observation becomes features. The combined extractor gives every
/// leaf entry its own extractor (<see cref="ExtractorFor"/>) and concatenates the results in the space's flat order
/// (sorted Dict keys), which is exactly the flat observation for <see cref="EntryExtractor.Flatten"/> entries, so the
/// policy MLPs read the flat value directly.
/// </summary>
/// <remarks>
/// A whole-image observation (a Box of rank 3) gets its CNN from <see cref="FeatureExtractors"/>; image entries of a
/// Dict or Tuple are where a per-entry CNN would plug in, and are refused by name until then. Discrete, MultiDiscrete and MultiBinary entries are refused too: policies read Box
/// observations (wrap such an entry into a Box, e.g. a one-hot vector).
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
            Box { Shape.Length: >= 3 } image => throw ImageNotSupported(who, $"the observation entry '{path}'", image),
            Box => EntryExtractor.Flatten,
            _ => throw new PolicyLabException($"{who} read Box entries of a Dict or Tuple observation, but the entry '{path}' is {entry}. " +
                "Give the environment a Box entry instead (e.g. the one-hot vector of a discrete value)."),
        };
    }

    private static PolicyLabException ImageNotSupported(string who, string what, Box image) =>
        new($"{who}: {what} is an image ({image}, shape ({string.Join(", ", image.Shape)})), and PolicyLab's CNN feature extractor reads a whole image observation, not yet an image entry of a Dict or Tuple. " +
            "Make the image the whole observation (policy=cnn), or flatten or downsample the entry into a Box of rank 1 or 2.");
}
