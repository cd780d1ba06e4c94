using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;

namespace PolicyLab.Environments.Diagnostics;

/// <summary>
/// A task where most actions are invalid at every step (<c>MaskedChoice-v0</c>): in each of c components only
/// <c>valid</c> of the n values are allowed, drawn afresh every step, and the smallest allowed value is the good one.
/// The observation shows, per component, the n allowed flags (n·c floats); the reward is the fraction of components
/// whose chosen value is the good one. Within the mask the agent only has to prefer small values (a fixed order);
/// without it, it must find the allowed values from the flags. A forbidden choice ends the episode (terminated, the
/// step earns nothing), as an illegal move ends a game; with <c>strict</c> it is an error instead (the check that an
/// agent never takes a forbidden action).
/// </summary>
/// <remarks>
/// With c = 1 the actions are Discrete(n), otherwise MultiDiscrete([n … n]). <see cref="MaskedChoiceWithMask"/>
/// exposes the allowed values as an action mask (<see cref="IActionMaskProvider"/>); this class does not, so the same
/// task can be learnt with and without masks. Within the mask a random policy earns 1/valid per step; the optimum is 1
/// per step.
/// </remarks>
public class MaskedChoice : EnvironmentBase
{
    private readonly int _values, _valid, _components;
    private readonly bool[] _allowed;
    private readonly int[] _good;
    private readonly int[] _order;

    /// <summary>Creates the task.</summary>
    /// <param name="values">Values per component n (≥ 2).</param>
    /// <param name="valid">Allowed values per component and step (1 ≤ valid ≤ n).</param>
    /// <param name="components">Components c (≥ 1); 1 gives a Discrete action space.</param>
    /// <param name="strict">Throw when an action takes a forbidden value.</param>
    /// <exception cref="PolicyLabException">The sizes are invalid.</exception>
    public MaskedChoice(int values = 8, int valid = 2, int components = 1, bool strict = false)
        : base(new Box(0f, 1f, Check(values, valid, components) * components),
            components == 1 ? new Discrete(values) : new MultiDiscrete([.. Enumerable.Repeat(values, components)]))
    {
        (_values, _valid, _components, Strict) = (values, valid, components, strict);
        _allowed = new bool[values * components];
        _good = new int[components];
        _order = new int[values];
    }

    private static int Check(int values, int valid, int components)
    {
        if (values < 2 || valid < 1 || valid > values || components < 1)
            throw new PolicyLabException($"MaskedChoice needs values ≥ 2, 1 ≤ valid ≤ values and components ≥ 1; got values={values}, valid={valid}, components={components}.");
        return values;
    }

    /// <summary>True when a forbidden value is an error rather than a wasted choice.</summary>
    public bool Strict { get; }

    /// <summary>The allowed values of the current state, component after component (the action mask's layout).</summary>
    protected ReadOnlySpan<bool> Allowed => _allowed;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options) => Draw();

    /// <inheritdoc />
    public override bool CanSaveState => true;

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        state.Set($"{prefix}.allowed", _allowed.Select(a => a ? 1L : 0L).ToArray());
        state.Set($"{prefix}.good", _good.Select(g => (long)g).ToArray());
    }

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        var allowed = new long[_allowed.Length];
        state.Read($"{prefix}.allowed", allowed);
        for (int i = 0; i < allowed.Length; i++) _allowed[i] = allowed[i] != 0;
        var good = new long[_good.Length];
        state.Read($"{prefix}.good", good);
        for (int c = 0; c < good.Length; c++) _good[c] = (int)good[c];
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        int good = 0;
        bool forbidden = false;
        for (int c = 0; c < _components; c++)
        {
            float a = action[c];
            int value = (int)a;
            if (value != a || (uint)value >= (uint)_values) ThrowInvalidDiscreteAction(a, _values);
            if (!_allowed[c * _values + value])
            {
                if (Strict)
                    throw new PolicyLabException($"{Id}: the action takes value {value} in component {c}, which the action mask forbids in this state (strict=true).");
                forbidden = true;
                continue;
            }
            if (value == _good[c]) good++;
        }
        if (forbidden) return new StepResult(0, true, false);
        Draw();
        return new StepResult((double)good / _components, false, false);
    }

    // A fresh set of `valid` allowed values per component (a partial Fisher–Yates shuffle), the smallest of them good.
    private void Draw()
    {
        Array.Clear(_allowed);
        for (int c = 0; c < _components; c++)
        {
            for (int v = 0; v < _values; v++) _order[v] = v;
            for (int k = 0; k < _valid; k++)
            {
                int j = k + Random.NextInt(_values - k);
                (_order[k], _order[j]) = (_order[j], _order[k]);
                _allowed[c * _values + _order[k]] = true;
            }
            _good[c] = _values;
            for (int k = 0; k < _valid; k++) _good[c] = Math.Min(_good[c], _order[k]);
        }
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        observation.Clear();
        for (int c = 0; c < _components; c++)
        {
            Span<float> block = observation.Slice(c * _values, _values);
            for (int v = 0; v < _values; v++) block[v] = _allowed[c * _values + v] ? 1f : 0f;
        }
    }

    /// <summary>Draws one row per component: grey forbidden cells, light allowed ones, the good one dark.</summary>
    public override RgbFrame Render()
    {
        const int cell = 40;
        var canvas = new Canvas(_values * cell, _components * cell);
        canvas.Clear(RgbColor.White);
        for (int c = 0; c < _components; c++)
            for (int v = 0; v < _values; v++)
            {
                RgbColor color = v == _good[c] ? new RgbColor(50, 90, 200) : _allowed[c * _values + v] ? new RgbColor(170, 200, 240) : new RgbColor(220, 220, 220);
                canvas.FillRectangle(v * cell + 3, c * cell + 3, (v + 1) * cell - 3, (c + 1) * cell - 3, color);
            }
        return canvas.Frame;
    }
}

/// <summary><see cref="MaskedChoice"/> with its allowed values exposed as the action mask.</summary>
public sealed class MaskedChoiceWithMask(int values = 8, int valid = 2, int components = 1, bool strict = false)
    : MaskedChoice(values, valid, components, strict), IActionMaskProvider
{
    /// <inheritdoc />
    public ReadOnlySpan<bool> ActionMask => Allowed;
}
