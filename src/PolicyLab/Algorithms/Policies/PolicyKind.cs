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
    /// The feature extractor for <paramref name="observationSpace"/> under <paramref name="kind"/> (parameters named
    /// <c>{name}.*</c> in <paramref name="store"/>), or null when the networks read the flat observation: a CNN for an
    /// image observation; for a Dict or Tuple with image entries, a <see cref="CombinedExtractor"/> with one CNN per
    /// image entry (named <c>{name}.{entry}.*</c>) and the vector entries passed as they are.
    /// </summary>
    /// <exception cref="PolicyLabException">A CNN was asked for observations that are not (or hold no) channels-last image.</exception>
    public static IFeatureExtractor? For(Space observationSpace, PolicyKind kind, ParameterStore store, string name)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        if (observationSpace is CompositeSpace composite)
            return ForEntries(composite, kind, store, name);
        bool image = observationSpace is Box { IsImage: true };
        if (kind == PolicyKind.Mlp || (kind == PolicyKind.Auto && !image)) return null;
        if (observationSpace is not Box box || box.Shape.Length != 3)
            throw new PolicyLabException($"policy=cnn needs image observations: a Box of shape (height, width, channels); this environment observes {observationSpace}. Use policy=mlp (or auto) for vector observations.");
        return Encoder(box, store, name, "this environment observes");
    }

    /// <summary>True when <paramref name="kind"/> reads the Dict or Tuple entry <paramref name="entry"/> with a CNN.</summary>
    public static bool ReadsWithCnn(Space entry, PolicyKind kind) =>
        entry is Box box && kind != PolicyKind.Mlp && (box.IsImage || (kind == PolicyKind.Cnn && box.Shape.Length == 3));

    private static CombinedExtractor? ForEntries(CompositeSpace composite, PolicyKind kind, ParameterStore store, string name)
    {
        var parts = new List<ObservationPart>();
        (string Name, int Offset, int Length)? vectors = null; // the run of vector entries not yet closed
        foreach ((string path, Space entry, int offset) in composite.Leaves())
        {
            if (ReadsWithCnn(entry, kind))
            {
                if (vectors is { } run) parts.Add(new ObservationPart(run.Name, run.Offset, run.Length, null));
                vectors = null;
                parts.Add(new ObservationPart(path, offset, entry.FlatSize, Encoder((Box)entry, store, $"{name}.{path}", $"the observation entry '{path}' is")));
            }
            else
            {
                vectors = vectors is { } run ? ($"{run.Name}, {path}", run.Offset, run.Length + entry.FlatSize) : (path, offset, entry.FlatSize);
            }
        }
        if (!parts.Any(p => p.Extractor is not null))
        {
            if (kind == PolicyKind.Cnn)
                throw new PolicyLabException($"policy=cnn needs an image entry (a Box of shape (height, width, channels)) in the observation; this environment observes {composite}. Use policy=mlp (or auto).");
            return null; // vector entries only: the networks read the flat observation
        }
        if (vectors is { } last) parts.Add(new ObservationPart(last.Name, last.Offset, last.Length, null));
        return new CombinedExtractor(parts);
    }

    private static CnnEncoder Encoder(Box box, ParameterStore store, string name, string what)
    {
        CheckLayout(box);
        float scale = box.High.Max();
        if (!(scale > 0) || !float.IsFinite(scale) || box.Low.Any(v => v != 0f))
            throw new PolicyLabException($"policy=cnn divides pixels by the space's upper bound, so it needs bounds [0, high] with a finite high > 0; {what} {box}. Declare the image as Box.Image(height, width, channels) (uint8 in [0, 255]).");
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
