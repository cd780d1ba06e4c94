using PolicyLab.Environments.Rendering;

namespace PolicyLab.Environments.Vector;

/// <summary>A vector environment that can draw any one of its copies (for videos of parallel training).</summary>
public interface IRenderableVectorEnvironment
{
    /// <summary>Draws copy <paramref name="copy"/> in its current state. Call only between steps.</summary>
    RgbFrame Render(int copy);
}
