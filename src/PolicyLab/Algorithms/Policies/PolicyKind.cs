using PolicyLab.Environments.Spaces;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Modules;

namespace PolicyLab.Algorithms.Policies;

/// <summary>Which torso reads the observations (the <c>policy</c> setting; SB3's MlpPolicy / CnnPolicy).</summary>
public enum PolicyKind
{
    /// <summary>A CNN for image observations (rank-3 uint8 Box spaces), else the MLP alone.</summary>
    Auto,
    /// <summary>The MLP over the flattened observation.</summary>
    Mlp,
    /// <summary>A CNN feature extractor first (<see cref="CnnArchitecture.For"/>: the Nature CNN from 36×36 up, the small MinAtar one below).</summary>
    Cnn,
}

/// <summary>Builds the feature extractor a <see cref="PolicyKind"/> asks for.</summary>
public static class FeatureExtractors
{
    /// <summary>
    /// The CNN encoder for <paramref name="observationSpace"/> under <paramref name="kind"/> (parameters named
    /// <c>{name}.*</c> in <paramref name="store"/>), or null when the networks read the flat observation.
    /// </summary>
    /// <exception cref="PolicyLabException">A CNN was asked for observations that are not a channels-last image.</exception>
    public static IFeatureExtractor? For(Space observationSpace, PolicyKind kind, ParameterStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        bool image = observationSpace is Box { IsImage: true };
        if (kind == PolicyKind.Mlp || (kind == PolicyKind.Auto && !image)) return null;
        if (observationSpace is not Box box || box.Shape.Length != 3)
            throw new PolicyLabException($"policy=cnn needs image observations: a Box of shape (height, width, channels); this environment observes {observationSpace}. Use policy=mlp (or auto) for vector observations.");
        CheckLayout(box);
        float scale = box.High.Max();
        if (!(scale > 0) || !float.IsFinite(scale) || box.Low.Any(v => v != 0f))
            throw new PolicyLabException($"policy=cnn divides pixels by the space's upper bound, so it needs bounds [0, high] with a finite high > 0; this environment observes {box}. Declare the image as Box.Image(height, width, channels) (uint8 in [0, 255]).");
        int height = box.Shape[0], width = box.Shape[1], channels = box.Shape[2];
        return new CnnEncoder(store, name, height, width, channels, scale, CnnArchitecture.For(height, width));
    }

    /// <summary>Rejects images that look channels-first (C, H, W): a leading dimension of at most 4 before two larger ones.</summary>
    public static void CheckLayout(Box box)
    {
        ArgumentNullException.ThrowIfNull(box);
        int[] s = box.Shape;
        if (s.Length == 3 && s[0] <= 4 && s[1] > 4 && s[2] > 4)
            throw new PolicyLabException($"The image observation has shape ({s[0]}, {s[1]}, {s[2]}), which looks channels-first (channels, height, width); PolicyLab's CNN takes channels-last images (height, width, channels) as Gymnasium's pixel observations are. Make the environment emit ({s[1]}, {s[2]}, {s[0]}) or use policy=mlp.");
    }
}
