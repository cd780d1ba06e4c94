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
    /// <exception cref="InvalidDataException">A buffer holds NaN or an infinity, the step count is negative or the learning
    /// rate is not a finite number ≥ 0 (the message names the entry).</exception>
    public static void ReadOptimizer(this StateDictionary state, string prefix, Optimizer optimizer)
    {
        var buffers = optimizer.StateBuffers().ToDictionary(b => b.Name, b => state.ReadFloats($"{prefix}.{b.Name}"));
        foreach ((string name, float[] values) in buffers)
        {
            int bad = Array.FindIndex(values, v => !float.IsFinite(v));
            if (bad >= 0) throw new InvalidDataException($"its entry '{prefix}.{name}' holds {values[bad]} at index {bad}");
        }
        long step = state.ReadScalarInt64($"{prefix}.step");
        if (step < 0) throw new InvalidDataException($"its entry '{prefix}.step' is {step}, a negative step count");
        double rate = state.ReadScalarDouble($"{prefix}.lr");
        if (!(rate >= 0) || rate > float.MaxValue)
            throw new InvalidDataException($"its entry '{prefix}.lr' is {rate}, not a finite learning rate ≥ 0");
        optimizer.LoadState(buffers, step);
        optimizer.LearningRate = (float)rate;
    }

    /// <summary>Stores a random stream's state.</summary>
    public static void SetRng(this StateDictionary state, string name, Rng rng) => state.Set(name, rng.GetState());

    /// <summary>Restores a random stream's state.</summary>
    /// <exception cref="InvalidDataException">The state is not a valid one (e.g. all zero); the message names the entry.</exception>
    public static void ReadRng(this StateDictionary state, string name, Rng rng)
    {
        ulong[] words = state.ReadWords(name);
        try
        {
            rng.SetState(words);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"its random-stream entry '{name}' is not a valid state ({e.Message.Split(" (Parameter", 2)[0].TrimEnd('.')})", e);
        }
    }
}
