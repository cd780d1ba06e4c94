using PolicyLab.Environments;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Environments.Wrappers;
using PolicyLab.Numerics;

namespace PolicyLab.Tests.Environments;

public class CheckerTests
{
    /// <summary>A configurable environment that breaks one contract at a time.</summary>
    public sealed class Faulty : IEnvironment
    {
        public enum Fault { None, ObservationOutOfSpace, NaNObservation, IgnoresSeed, AcceptsStepAfterEnd, PartialObservation, AcceptsAnyAction, InfiniteReward }

        private readonly Fault _fault;
        private readonly Rng _rng = new(0UL);
        private ulong _counter;
        private int _t;
        private bool _active;
        private double _value;

        public Faulty(Fault fault) => _fault = fault;

        public Space ObservationSpace { get; } = new Box(-1f, 1f, 2);
        public Space ActionSpace { get; } = new Discrete(2);
        public EnvironmentSpec? Spec => null;
        public EnvironmentInfo Info { get; } = new();

        public void Reset(Span<float> observation, ulong? seed = null, ResetOptions? options = null)
        {
            if (observation.Length != 2)
                throw new ArgumentException("length");
            if (_fault == Fault.IgnoresSeed)
                _rng.Reseed(++_counter);
            else if (seed is ulong s)
                _rng.Reseed(s);
            _value = _rng.Uniform(-0.5, 0.5);
            _t = 0;
            _active = true;
            Write(observation);
        }

        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            if (_fault != Fault.AcceptsStepAfterEnd && !_active)
                throw new PolicyLabException("Faulty: reset first");
            if (_fault != Fault.AcceptsAnyAction && (action.Length != 1 || !(action[0] == 0f || action[0] == 1f)))
                throw new PolicyLabException("Faulty: bad action");
            if (observation.Length != 2)
                throw new PolicyLabException("Faulty: bad buffer");
            _t++;
            _value += 0.01;
            Write(observation);
            bool done = _t >= 10;
            _active = !done;
            return new StepResult(_fault == Fault.InfiniteReward ? double.PositiveInfinity : 1.0, done, false);
        }

        private void Write(Span<float> observation)
        {
            observation[0] = _fault switch
            {
                Fault.ObservationOutOfSpace when _t == 3 => 5f,
                Fault.NaNObservation when _t == 2 => float.NaN,
                _ => (float)_value,
            };
            if (_fault != Fault.PartialObservation)
                observation[1] = 0f;
        }

        public RgbFrame Render() => new(4, 4);

        public void Dispose() { }
    }

    [Fact]
    public void A_correct_environment_passes()
    {
        using var env = new Faulty(Faulty.Fault.None);
        Assert.Empty(EnvironmentChecker.Check(env));
    }

    [Theory]
    [InlineData(Faulty.Fault.ObservationOutOfSpace, "outside the observation space")]
    [InlineData(Faulty.Fault.NaNObservation, "NaN")]
    [InlineData(Faulty.Fault.IgnoresSeed, "does not honour the seed")]
    [InlineData(Faulty.Fault.AcceptsStepAfterEnd, "after the episode ended")]
    [InlineData(Faulty.Fault.PartialObservation, "never written")]
    [InlineData(Faulty.Fault.AcceptsAnyAction, "wrong-length actions must throw")]
    [InlineData(Faulty.Fault.InfiniteReward, "rewards must be finite")]
    public void Each_broken_contract_is_reported_in_plain_words(Faulty.Fault fault, string expected)
    {
        using var env = new Faulty(fault);
        IReadOnlyList<string> problems = EnvironmentChecker.Check(env);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Assert_throws_a_policylab_exception_listing_the_problems()
    {
        using var env = new Faulty(Faulty.Fault.IgnoresSeed);
        var ex = Assert.Throws<PolicyLabException>(() => EnvironmentChecker.Assert(env));
        Assert.Contains("seed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrapped_environments_are_checked_through_their_wrappers()
    {
        using var env = new TimeLimit(new Faulty(Faulty.Fault.None), 5);
        Assert.Empty(EnvironmentChecker.Check(env));
    }
}
