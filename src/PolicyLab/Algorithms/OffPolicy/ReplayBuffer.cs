using System.Runtime.InteropServices;
using PolicyLab.Numerics;
using PolicyLab.Numerics.Serialization;

namespace PolicyLab.Algorithms.OffPolicy;

/// <summary>
/// A preallocated ring buffer of transitions (s, a, r, s′, terminated, truncated) from N environment
/// copies, stored row by row (row t holds copy i's transition at <c>t·N + i</c>), as float32 arrays
/// allocated once. Terminated and truncated are kept apart: a target bootstraps from s′ after a
/// truncation (time limit) and never after a termination. Sampling is uniform, with replacement, over
/// the stored transitions, and can form n-step returns by following a copy's later rows.
/// <para>The arrays start small and double as rows arrive, up to the capacity (no allocation per step: O(log capacity)
/// growths in all), so a 10⁶-transition buffer costs memory only as it fills, and its capacity never depends on the
/// run's step budget (a run resumed with another budget loads its buffer unchanged).</para>
/// <para>With <see cref="CompactObservations"/> (uint8 observation spaces such as image frames) observations are stored
/// as one byte per element, a quarter of the float32 memory, and turned back into floats only when sampled.</para>
/// </summary>
public sealed class ReplayBuffer
{
    private const int InitialRows = 1024;
    private float[] _observations, _nextObservations, _actions, _rewards, _terminated, _truncated;
    private bool[] _nextMasks = [];
    private byte[] _observationBytes = [], _nextObservationBytes = [];
    private int _allocatedRows;
    private long _rowsWritten;

    /// <summary>Creates a buffer holding at least <paramref name="capacity"/> transitions of <paramref name="copies"/> environments.</summary>
    /// <param name="capacity">Transitions kept (rounded up to whole rows).</param>
    /// <param name="copies">Environment copies per row.</param>
    /// <param name="observationSize">Floats per observation.</param>
    /// <param name="actionSize">Floats per action.</param>
    /// <param name="maskSize">Flags per action mask; &gt; 0 keeps the action mask of every s′ (for targets over the valid actions).</param>
    /// <param name="compactObservations">Store observations as bytes: every element must be a whole number in [0, 255]
    /// (a uint8 observation space).</param>
    public ReplayBuffer(int capacity, int copies, int observationSize, int actionSize, int maskSize = 0, bool compactObservations = false)
    {
        MaskSize = Math.Max(maskSize, 0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        Copies = copies;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        CompactObservations = compactObservations;
        Rows = (capacity + copies - 1) / copies;
        _observations = _nextObservations = _actions = _rewards = _terminated = _truncated = [];
        EnsureRows(Math.Min(Rows, InitialRows));
    }

    /// <summary>Grows the arrays to hold at least <paramref name="rows"/> rows (at most <see cref="Rows"/>), keeping their contents.</summary>
    private void EnsureRows(long rows)
    {
        if (rows <= _allocatedRows) return;
        int target = (int)Math.Min(Rows, Math.Max(rows, Math.Min((long)_allocatedRows * 2, Rows)));
        long slots = (long)target * Copies;
        static float[] Grow(float[] old, long length)
        {
            var grown = new float[length];
            old.CopyTo(grown, 0);
            return grown;
        }
        if (CompactObservations)
        {
            // Rounded up to whole 8-byte words, the unit the checkpoint stores them in.
            long bytes = (slots * ObservationSize + 7) & ~7L;
            _observationBytes = GrowBytes(_observationBytes, bytes);
            _nextObservationBytes = GrowBytes(_nextObservationBytes, bytes);
        }
        else
        {
            _observations = Grow(_observations, slots * ObservationSize);
            _nextObservations = Grow(_nextObservations, slots * ObservationSize);
        }
        _actions = Grow(_actions, slots * ActionSize);
        _rewards = Grow(_rewards, slots);
        _terminated = Grow(_terminated, slots);
        _truncated = Grow(_truncated, slots);
        if (MaskSize > 0)
        {
            var masks = new bool[slots * MaskSize];
            _nextMasks.CopyTo(masks, 0);
            _nextMasks = masks;
        }
        _allocatedRows = target;
    }

    private static byte[] GrowBytes(byte[] old, long length)
    {
        var grown = new byte[length];
        old.CopyTo(grown, 0);
        return grown;
    }

    /// <summary>Observations are stored as bytes (uint8 observation spaces).</summary>
    public bool CompactObservations { get; }

    /// <summary>Bytes the observation arrays take now (both s and s′).</summary>
    public long ObservationBytes => CompactObservations ? 2L * _observationBytes.Length : 2L * _observations.Length * sizeof(float);

    private static void ToBytes(ReadOnlySpan<float> source, Span<byte> destination)
    {
        for (int i = 0; i < source.Length; i++)
        {
            float v = source[i];
            if (!(v >= 0f && v <= 255f) || v != MathF.Floor(v))
                throw new PolicyLabException($"A uint8 observation element is {v}; a compact replay buffer stores whole numbers in [0, 255] only. The environment's observation space declares uint8 but produced another value.");
            destination[i] = (byte)v;
        }
    }

    private static void ToFloats(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = source[i];
    }

    /// <summary>Environment copies per row.</summary>
    public int Copies { get; }

    /// <summary>Rows in the ring (capacity = rows × copies).</summary>
    public int Rows { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Flags per action mask of s′ (0 when masks are not kept).</summary>
    public int MaskSize { get; }

    /// <summary>Transitions currently stored.</summary>
    public long Count => Math.Min(_rowsWritten, Rows) * Copies;

    /// <summary>Rows ever written (the ring's logical write position).</summary>
    public long RowsWritten => _rowsWritten;

    /// <summary>
    /// Appends one row: for every copy, its observation, the action taken (in the network's [−1, 1]
    /// units), the reward, the next observation (the episode's final observation when it ended) and the
    /// two episode-end flags.
    /// </summary>
    public void Add(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<double> rewards,
        ReadOnlySpan<float> nextObservations, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<bool> nextMasks = default)
    {
        int n = Copies, o = ObservationSize, a = ActionSize;
        if (_rowsWritten >= _allocatedRows && _allocatedRows < Rows) EnsureRows(_rowsWritten + 1);
        int slot = (int)(_rowsWritten % Rows) * n;
        if (CompactObservations)
        {
            ToBytes(observations[..(n * o)], _observationBytes.AsSpan(slot * o, n * o));
            ToBytes(nextObservations[..(n * o)], _nextObservationBytes.AsSpan(slot * o, n * o));
        }
        else
        {
            observations[..(n * o)].CopyTo(_observations.AsSpan(slot * o, n * o));
            nextObservations[..(n * o)].CopyTo(_nextObservations.AsSpan(slot * o, n * o));
        }
        actions[..(n * a)].CopyTo(_actions.AsSpan(slot * a, n * a));
        if (MaskSize > 0) nextMasks[..(n * MaskSize)].CopyTo(_nextMasks.AsSpan(slot * MaskSize, n * MaskSize));
        for (int i = 0; i < n; i++)
        {
            _rewards[slot + i] = (float)rewards[i];
            _terminated[slot + i] = terminated[i] ? 1f : 0f;
            _truncated[slot + i] = truncated[i] && !terminated[i] ? 1f : 0f;
        }
        _rowsWritten++;
    }

    /// <summary>
    /// Samples <paramref name="batch"/>.Size transitions uniformly with replacement into <paramref name="batch"/>.
    /// With <paramref name="nSteps"/> &gt; 1 the reward is the discounted sum of up to n rewards of the same
    /// copy, stopping at the end of an episode or at the newest stored row; the next observation and the
    /// bootstrap discount are those of the last transition used. <see cref="TransitionBatch.Discounts"/>
    /// holds γᵏ (k rewards summed) or 0 when the last transition terminated.
    /// </summary>
    public void Sample(Rng rng, TransitionBatch batch, float gamma, int nSteps = 1)
    {
        if (_rowsWritten == 0) throw new InvalidOperationException("The replay buffer is empty.");
        int n = Copies, o = ObservationSize, a = ActionSize;
        long stored = Math.Min(_rowsWritten, Rows);
        long firstRow = _rowsWritten - stored;
        int count = (int)(stored * n);
        for (int b = 0; b < batch.Size; b++)
        {
            int flat = rng.NextInt(count);
            long row = firstRow + flat / n;
            int copy = flat % n;
            int index = (int)(row % Rows) * n + copy;
            if (CompactObservations) ToFloats(_observationBytes.AsSpan(index * o, o), batch.Observations.AsSpan(b * o, o));
            else _observations.AsSpan(index * o, o).CopyTo(batch.Observations.AsSpan(b * o, o));
            _actions.AsSpan(index * a, a).CopyTo(batch.Actions.AsSpan(b * a, a));
            // R = Σ_{j<k} γʲ r_{t+j}, stopping after an episode end or at the newest row.
            double reward = _rewards[index], discount = gamma;
            int last = index;
            for (int j = 1; j < nSteps && _terminated[last] == 0f && _truncated[last] == 0f && row + j < _rowsWritten; j++)
            {
                last = (int)((row + j) % Rows) * n + copy;
                reward += discount * _rewards[last];
                discount *= gamma;
            }
            batch.Rewards[b] = (float)reward;
            batch.Discounts[b] = _terminated[last] != 0f ? 0f : (float)discount;
            if (CompactObservations) ToFloats(_nextObservationBytes.AsSpan(last * o, o), batch.NextObservations.AsSpan(b * o, o));
            else _nextObservations.AsSpan(last * o, o).CopyTo(batch.NextObservations.AsSpan(b * o, o));
            if (MaskSize > 0) _nextMasks.AsSpan(last * MaskSize, MaskSize).CopyTo(batch.NextActionMasks.AsSpan(b * MaskSize, MaskSize));
        }
    }

    /// <summary>Stores the filled part of the buffer and its position under <paramref name="prefix"/>.</summary>
    public void SaveState(StateDictionary state, string prefix)
    {
        int used = (int)Math.Min(_rowsWritten, Rows) * Copies;
        state.SetScalar($"{prefix}.rows_written", _rowsWritten);
        if (CompactObservations)
        {
            int words = (used * ObservationSize + 7) / 8;
            state.Set($"{prefix}.observation_bytes", MemoryMarshal.Cast<byte, ulong>(_observationBytes.AsSpan())[..words]);
            state.Set($"{prefix}.next_observation_bytes", MemoryMarshal.Cast<byte, ulong>(_nextObservationBytes.AsSpan())[..words]);
        }
        else
        {
            state.Set($"{prefix}.observations", _observations.AsSpan(0, used * ObservationSize));
            state.Set($"{prefix}.next_observations", _nextObservations.AsSpan(0, used * ObservationSize));
        }
        state.Set($"{prefix}.actions", _actions.AsSpan(0, used * ActionSize));
        state.Set($"{prefix}.rewards", _rewards.AsSpan(0, used));
        state.Set($"{prefix}.terminated", _terminated.AsSpan(0, used));
        state.Set($"{prefix}.truncated", _truncated.AsSpan(0, used));
        if (MaskSize > 0)
            state.Set($"{prefix}.next_action_masks", _nextMasks.AsSpan(0, used * MaskSize).ToArray().Select(m => m ? 1f : 0f).ToArray());
    }

    /// <summary>Restores what <see cref="SaveState"/> stored.</summary>
    public void LoadState(StateDictionary state, string prefix)
    {
        long rows = state.ReadScalarInt64($"{prefix}.rows_written");
        if (rows < 0) throw new PolicyLabException($"The saved replay buffer has a negative row count ({rows}); the checkpoint is damaged.");
        EnsureRows(Math.Min(rows, Rows));
        int used = (int)Math.Min(rows, Rows) * Copies;
        _rowsWritten = rows;
        if (CompactObservations)
        {
            int words = (used * ObservationSize + 7) / 8;
            ReadBytes(state, $"{prefix}.observation_bytes", words, _observationBytes);
            ReadBytes(state, $"{prefix}.next_observation_bytes", words, _nextObservationBytes);
        }
        else
        {
            state.Read($"{prefix}.observations", _observations.AsSpan(0, used * ObservationSize));
            state.Read($"{prefix}.next_observations", _nextObservations.AsSpan(0, used * ObservationSize));
        }
        state.Read($"{prefix}.actions", _actions.AsSpan(0, used * ActionSize));
        state.Read($"{prefix}.rewards", _rewards.AsSpan(0, used));
        state.Read($"{prefix}.terminated", _terminated.AsSpan(0, used));
        state.Read($"{prefix}.truncated", _truncated.AsSpan(0, used));
        if (MaskSize > 0)
        {
            var masks = new float[used * MaskSize];
            state.Read($"{prefix}.next_action_masks", masks);
            for (int i = 0; i < masks.Length; i++) _nextMasks[i] = masks[i] != 0f;
        }
    }

    private static void ReadBytes(StateDictionary state, string name, int words, byte[] destination)
    {
        ulong[] stored = state.ReadWords(name);
        if (stored.Length != words)
            throw new PolicyLabException($"The saved replay buffer's '{name}' has {stored.Length} words; {words} expected. The checkpoint does not match this run's settings.");
        MemoryMarshal.Cast<ulong, byte>(stored.AsSpan()).CopyTo(destination);
    }
}

/// <summary>A sampled minibatch of transitions, preallocated and refilled by <see cref="ReplayBuffer.Sample"/>.</summary>
public sealed class TransitionBatch
{
    /// <summary>Allocates room for <paramref name="size"/> transitions.</summary>
    public TransitionBatch(int size, int observationSize, int actionSize, int maskSize = 0)
    {
        NextActionMasks = new bool[size * Math.Max(maskSize, 0)];
        Size = size;
        Observations = new float[size * observationSize];
        NextObservations = new float[size * observationSize];
        Actions = new float[size * actionSize];
        Rewards = new float[size];
        Discounts = new float[size];
    }

    /// <summary>Transitions per batch.</summary>
    public int Size { get; }

    /// <summary>s, [size × observation].</summary>
    public float[] Observations { get; }

    /// <summary>a in [−1, 1] units, [size × action].</summary>
    public float[] Actions { get; }

    /// <summary>(n-step) rewards.</summary>
    public float[] Rewards { get; }

    /// <summary>s′ to bootstrap from.</summary>
    public float[] NextObservations { get; }

    /// <summary>The action masks of s′, [size × mask] (empty when the buffer keeps none).</summary>
    public bool[] NextActionMasks { get; }

    /// <summary>γᵏ, or 0 when the episode terminated (no bootstrap).</summary>
    public float[] Discounts { get; }
}
