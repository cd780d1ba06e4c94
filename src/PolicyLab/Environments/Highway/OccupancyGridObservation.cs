namespace PolicyLab.Environments.Highway;

/// <summary>
/// highway-env's OccupancyGrid observation: feature maps (features × cells along x × cells along y) over a window around
/// the observer, in its heading frame when <c>align_to_vehicle_axes</c>. A vehicle marks the cell of its centre with
/// its feature (presence 1, vx and vy relative to the observer and normalised by ±80 m/s); <c>on_road</c> marks the cells
/// of lane-centre waypoints (spaced by the smaller cell side, within 100 m of the observer along each lane). Values are
/// clipped to [−1, 1]; empty cells are 0. Earlier vehicles in the list win a shared cell, as highway-env's reverse fill.
/// </summary>
public sealed class OccupancyGridObservation
{
    /// <summary>The supported feature names.</summary>
    public static readonly IReadOnlyList<string> KnownFeatures = ["presence", "vx", "vy", "on_road"];

    private const double LanePerceptionDistance = 100;
    private readonly DrivingObservationConfig _config;
    private readonly int[] _features;
    private readonly int _nx, _ny;

    /// <summary>Creates the observation for a configuration.</summary>
    public OccupancyGridObservation(DrivingObservationConfig config)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _features = [.. config.EffectiveFeatures.Select(f => ((List<string>)[.. KnownFeatures]).IndexOf(f))];
        _nx = (int)((config.GridSize[1] - config.GridSize[0]) / config.GridStep[0]);
        _ny = (int)((config.GridSize[3] - config.GridSize[2]) / config.GridStep[1]);
        if (_nx < 1 || _ny < 1)
            throw new PolicyLabException("OccupancyGrid: grid_size and grid_step give no cells; make the grid larger than one step.");
        Space = new Spaces.Box(-1f, 1f, _features.Length, _nx, _ny);
    }

    /// <summary>Box(−1, 1, (features, cells x, cells y)).</summary>
    public Spaces.Box Space { get; }

    /// <summary>Writes the grid for the observer in <paramref name="slot"/>.</summary>
    public void Write(Road road, int slot, Span<float> observation)
    {
        observation.Clear();
        Vehicle ego = road.Bodies[slot];
        int cells = _nx * _ny;
        for (int layer = 0; layer < _features.Length; layer++)
        {
            Span<float> map = observation.Slice(layer * cells, cells);
            int feature = _features[layer];
            if (feature == 3)
            {
                FillRoad(road, ego, map);
                continue;
            }
            for (int i = road.VehicleCount - 1; i >= 0; i--)
            {
                Vehicle v = road.VehicleAt(i);
                if (!Cell(ego, v.X - ego.X, v.Y - ego.Y, out int cx, out int cy))
                    continue;
                double value = feature switch
                {
                    0 => 1,
                    1 => (v.VelocityX - ego.VelocityX) / (2 * Vehicle.MaxSpeed),
                    _ => (v.VelocityY - ego.VelocityY) / (2 * Vehicle.MaxSpeed),
                };
                if (!_config.Normalize && feature != 0)
                    value *= 2 * Vehicle.MaxSpeed;
                map[cx * _ny + cy] = (float)Math.Clamp(value, -1, 1);
            }
        }
    }

    private bool Cell(Vehicle ego, double dx, double dy, out int cx, out int cy)
    {
        if (_config.AlignToVehicleAxes)
        {
            (double s, double c) = Math.SinCos(ego.Heading);
            (dx, dy) = (c * dx + s * dy, -s * dx + c * dy);
        }
        cx = (int)Math.Floor((dx - _config.GridSize[0]) / _config.GridStep[0]);
        cy = (int)Math.Floor((dy - _config.GridSize[2]) / _config.GridStep[1]);
        return cx >= 0 && cx < _nx && cy >= 0 && cy < _ny;
    }

    private void FillRoad(Road road, Vehicle ego, Span<float> map)
    {
        double spacing = Math.Min(_config.GridStep[0], _config.GridStep[1]);
        foreach (Lane lane in road.Network.Lanes)
        {
            var (origin, _) = lane.LocalCoordinates(ego.X, ego.Y);
            double start = origin - LanePerceptionDistance;
            int count = (int)Math.Ceiling(2 * LanePerceptionDistance / spacing);
            for (int k = 0; k < count; k++)
            {
                double s = Math.Clamp(start + k * spacing, 0, lane.Length);
                var (x, y) = lane.Position(s, 0);
                if (Cell(ego, x - ego.X, y - ego.Y, out int cx, out int cy))
                    map[cx * _ny + cy] = 1;
            }
        }
    }
}
