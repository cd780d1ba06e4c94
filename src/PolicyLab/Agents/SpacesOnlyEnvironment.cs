using PolicyLab.Environments;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Vector;

namespace PolicyLab.Agents;

/// <summary>
/// An environment that has only spaces: what an algorithm is built with when a saved policy is loaded to act, so that
/// its networks get the shapes they were trained with and nothing needs the real environment. Stepping it is an error.
/// </summary>
internal sealed class SpacesOnlyEnvironment : IVectorEnvironment, IEnvironment
{
    public SpacesOnlyEnvironment(Space observationSpace, Space actionSpace, int count)
    {
        (SingleObservationSpace, SingleActionSpace, Count) = (observationSpace, actionSpace, count);
        Observations = new float[count * ObservationSize];
        FinalObservations = new float[count * ObservationSize];
        Rewards = new double[count];
        Terminated = new bool[count];
        Truncated = new bool[count];
    }

    public int Count { get; }

    public Space SingleObservationSpace { get; }

    public Space SingleActionSpace { get; }

    public int ObservationSize => SingleObservationSpace.FlatSize;

    public int ActionSize => SingleActionSpace.FlatSize;

    public EnvironmentSpec? Spec => null;

    public float[] Observations { get; }

    public double[] Rewards { get; }

    public bool[] Terminated { get; }

    public bool[] Truncated { get; }

    public float[] FinalObservations { get; }

    Space IEnvironment.ObservationSpace => SingleObservationSpace;

    Space IEnvironment.ActionSpace => SingleActionSpace;

    public void Reset(ulong? seed = null) { }

    public void Step(ReadOnlySpan<float> actions) => throw NoEnvironment();

    public void Dispose() { }

    EnvironmentInfo IEnvironment.Info => throw NoEnvironment();

    void IEnvironment.Reset(Span<float> observation, ulong? seed, ResetOptions? options) => observation.Clear();

    StepResult IEnvironment.Step(ReadOnlySpan<float> action, Span<float> observation) => throw NoEnvironment();

    Environments.Rendering.RgbFrame IEnvironment.Render() => throw NoEnvironment();

    private static PolicyLabException NoEnvironment() => new(
        "This agent was loaded from a policy file, which carries what acting needs but no environment or optimizer state, so it cannot train. " +
        "Load the run folder instead (Agent.Load(runFolder)) to train on.");
}
