using PolicyLab.Numerics.Optimizers;

namespace PolicyLab.Numerics.Serialization;

/// <summary>Saving and restoring the numeric core's stateful pieces in a <see cref="StateDictionary"/>.</summary>
public static class StateDictionaryExtensions
{
    /// <summary>Stores every value of <paramref name="store"/> (flat, including alignment padding) under <paramref name="name"/>.</summary>
    public static void SetParameters(this StateDictionary state, string name, ParameterStore store) => state.Set(name, store.Values);

    /// <summary>Restores values saved by <see cref="SetParameters"/>.</summary>
    public static void ReadParameters(this StateDictionary state, string name, ParameterStore store) => state.Read(name, store.Values);

    /// <summary>Stores an optimizer's buffers, step count and learning rate under <paramref name="prefix"/>.</summary>
    public static void SetOptimizer(this StateDictionary state, string prefix, Optimizer optimizer)
    {
        foreach ((string buffer, float[] values) in optimizer.StateBuffers())
            state.Set($"{prefix}.{buffer}", values);
        state.SetScalar($"{prefix}.step", optimizer.StepCount);
        state.SetScalar($"{prefix}.lr", (double)optimizer.LearningRate);
    }

    /// <summary>Restores what <see cref="SetOptimizer"/> stored.</summary>
    public static void ReadOptimizer(this StateDictionary state, string prefix, Optimizer optimizer)
    {
        var buffers = optimizer.StateBuffers().ToDictionary(b => b.Name, b => state.ReadFloats($"{prefix}.{b.Name}"));
        optimizer.LoadState(buffers, state.ReadScalarInt64($"{prefix}.step"));
        optimizer.LearningRate = (float)state.ReadScalarDouble($"{prefix}.lr");
    }

    /// <summary>Stores a random stream's state.</summary>
    public static void SetRng(this StateDictionary state, string name, Rng rng) => state.Set(name, rng.GetState());

    /// <summary>Restores a random stream's state.</summary>
    public static void ReadRng(this StateDictionary state, string name, Rng rng) => rng.SetState(state.ReadWords(name));
}
