using PolicyLab.Numerics;

namespace PolicyLab.Environments.Highway;

/// <summary>
/// highway-env's Kinematics observation: a (vehicles_count × features) table. Row 0 is the observer with absolute
/// features; the next rows are the closest other bodies within 200 m (Euclidean), without those more than two vehicle
/// lengths behind along the observer's lane unless <c>see_behind</c>, sorted by absolute lane distance, with x, y, vx, vy
/// relative to the observer unless <c>absolute</c>. With normalisation, x ∈ [−200, 200], y ∈ [±4·lanes of the observer's
/// road at reset], vx, vy ∈ [−80, 80] map to [−1, 1] (then clipped); missing rows are zeros.
/// </summary>
public sealed class KinematicsObservation
{
    /// <summary>The supported feature names.</summary>
    public static readonly IReadOnlyList<string> KnownFeatures =
        ["presence", "x", "y", "vx", "vy", "heading", "cos_h", "sin_h", "long_off", "lat_off", "ang_off"];

    /// <summary>Perception distance (m): 5 × the maximum speed.</summary>
    public const double PerceptionDistance = 5 * Vehicle.MaxSpeed;

    private enum Feature { Presence, X, Y, Vx, Vy, Heading, CosH, SinH, LongOff, LatOff, AngOff }

    private readonly DrivingObservationConfig _config;
    private readonly Feature[] _features;
    private readonly double[] _low, _high;
    private readonly bool[] _hasRange;
    private int[] _candidates = new int[64];
    private double[] _keys = new double[64];
    private readonly int[] _rowOrder;

    /// <summary>Creates the observation for a configuration.</summary>
    public KinematicsObservation(DrivingObservationConfig config)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _features = [.. config.EffectiveFeatures.Select(f => (Feature)((List<string>)[.. KnownFeatures]).IndexOf(f))];
        _low = new double[_features.Length];
        _high = new double[_features.Length];
        _hasRange = new bool[_features.Length];
        _rowOrder = new int[config.VehiclesCount];
        Space = new Spaces.Box(float.NegativeInfinity, float.PositiveInfinity, config.VehiclesCount, _features.Length);
    }

    /// <summary>Box(−∞, ∞, (vehicles_count, features)).</summary>
    public Spaces.Box Space { get; }

    /// <summary>Fixes the normalisation ranges for an episode (highway-env computes them from the observer's road at its first observation).</summary>
    public void BeginEpisode(Road road, Vehicle observer)
    {
        int sideLanes = road.Network.LanesOnEdge(observer.Lane);
        for (int k = 0; k < _features.Length; k++)
        {
            string name = KnownFeatures[(int)_features[k]];
            if (_config.FeaturesRange is { } ranges)
            {
                _hasRange[k] = ranges.TryGetValue(name, out var range);
                (_low[k], _high[k]) = range;
                continue;
            }
            (_hasRange[k], _low[k], _high[k]) = _features[k] switch
            {
                Feature.X => (true, -5 * Vehicle.MaxSpeed, 5 * Vehicle.MaxSpeed),
                Feature.Y => (true, -Lane.DefaultWidth * sideLanes, Lane.DefaultWidth * sideLanes),
                Feature.Vx or Feature.Vy => (true, -2 * Vehicle.MaxSpeed, 2 * Vehicle.MaxSpeed),
                _ => (false, 0.0, 0.0),
            };
        }
    }

    /// <summary>Writes the table for the observer in slot <paramref name="slot"/> into <paramref name="observation"/> (<paramref name="random"/> shuffles rows when the order is shuffled).</summary>
    public void Write(Road road, int slot, Span<float> observation, Rng random)
    {
        observation.Clear();
        ReadOnlySpan<Vehicle> bodies = road.Bodies;
        Vehicle ego = bodies[slot];
        int featureCount = _features.Length;
        WriteRow(road, ego, null, observation[..featureCount]);
        int total = road.VehicleCount + road.ObjectCount;
        if (_candidates.Length < total)
        {
            _candidates = new int[total * 2];
            _keys = new double[total * 2];
        }
        int found = 0;
        for (int i = 0; i < total; i++)
        {
            if (i == slot)
                continue;
            Vehicle v = bodies[i];
            bool isObject = i >= road.VehicleCount;
            if (isObject && !_config.IncludeObstacles)
                continue;
            double dx = v.X - ego.X, dy = v.Y - ego.Y;
            if (!(Math.Sqrt(dx * dx + dy * dy) < PerceptionDistance))
                continue;
            double laneDistance = road.LaneDistance(slot, i);
            if ((isObject || !_config.SeeBehind) && !(-2 * Vehicle.DefaultLength < laneDistance))
                continue;
            // Stable insertion by |lane distance|.
            double key = Math.Abs(laneDistance);
            int at = found++;
            while (at > 0 && _keys[at - 1] > key)
            {
                _keys[at] = _keys[at - 1];
                _candidates[at] = _candidates[at - 1];
                at--;
            }
            _keys[at] = key;
            _candidates[at] = i;
        }
        int rows = Math.Min(found, _config.VehiclesCount - 1);
        for (int r = 0; r < rows; r++)
            WriteRow(road, bodies[_candidates[r]], _config.Absolute ? null : ego, observation.Slice((r + 1) * featureCount, featureCount));
        if (_config.Order == KinematicsOrder.Shuffled && _config.VehiclesCount > 2)
            ShuffleRows(observation, featureCount, random);
    }

    private void WriteRow(Road road, Vehicle v, Vehicle? origin, Span<float> row)
    {
        for (int k = 0; k < _features.Length; k++)
        {
            double value = _features[k] switch
            {
                Feature.Presence => 1,
                Feature.X => v.X - (origin?.X ?? 0),
                Feature.Y => v.Y - (origin?.Y ?? 0),
                Feature.Vx => v.VelocityX - (origin?.VelocityX ?? 0),
                Feature.Vy => v.VelocityY - (origin?.VelocityY ?? 0),
                Feature.Heading => v.Heading,
                Feature.CosH => Math.Cos(v.Heading),
                Feature.SinH => Math.Sin(v.Heading),
                _ => LaneOffset(road, v, _features[k]),
            };
            if (_config.Normalize && _hasRange[k])
            {
                value = Angles.Map(value, _low[k], _high[k], -1, 1);
                if (_config.Clip)
                    value = Math.Clamp(value, -1, 1);
            }
            row[k] = (float)value;
        }
    }

    private static double LaneOffset(Road road, Vehicle v, Feature feature)
    {
        Lane lane = road.Network.Lanes[v.Lane];
        var (s, r) = lane.LocalCoordinates(v.X, v.Y);
        return feature switch
        {
            Feature.LongOff => s,
            Feature.LatOff => r,
            _ => Angles.Wrap(v.Heading - lane.HeadingAt(s)),
        };
    }

    private void ShuffleRows(Span<float> observation, int featureCount, Rng random)
    {
        int others = _config.VehiclesCount - 1;
        Span<float> row = stackalloc float[featureCount];
        for (int i = others - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            if (i == j)
                continue;
            Span<float> a = observation.Slice((i + 1) * featureCount, featureCount);
            Span<float> b = observation.Slice((j + 1) * featureCount, featureCount);
            a.CopyTo(row);
            b.CopyTo(a);
            row.CopyTo(b);
        }
    }
}
