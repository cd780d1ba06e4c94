using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>
/// CarRacing-v3 (Gymnasium 1.0; every rule restated in <c>docs/facts/carracing-v3.md</c>): drive a top-down car round a
/// random closed track seen as a 96×96 RGB image. Each road tile pays 1000/N the first time a wheel touches it and
/// every step costs 0.1; the episode ends once every tile has been visited (<c>lap_finished</c> = 1), or with −100 when
/// the car leaves the ±333 playfield (<c>lap_finished</c> = 0). The registry adds the 1000-step truncation.
/// Actions: Box([−1, 0, 0], [1, 1, 1]) = steer, gas, brake, or Discrete(5) = nothing, right, left, gas, brake.
/// </summary>
/// <remarks>
/// The observation is drawn by a managed rasterizer: Gymnasium's 1000×800 view (car at the bottom centre pointing up,
/// zooming in over the first second, then the HUD bars and the score) sampled 4×4 per output pixel and averaged, which
/// stands in for pygame's anti-aliasing and smooth down-scaling; pixels agree closely, not bit for bit. Physics runs
/// in double precision on PolicyLab's <see cref="World"/>, so trajectories agree with Box2D's in behaviour, not bit for
/// bit. Tiles are sensors; the car's wheels push it with their own slip forces (<see cref="RacingCar"/>).
/// </remarks>
public sealed class CarRacing : EnvironmentBase
{
    /// <summary>Physics steps per second.</summary>
    public const int Fps = 50;
    /// <summary>Observation width and height.</summary>
    public const int StateSize = 96;
    /// <summary>Half side of the square playfield; leaving it ends the episode with −100.</summary>
    public const double Playfield = 2000 / RaceTrack.Scale;
    /// <summary>Velocity iterations per world step (Gymnasium: 6·30).</summary>
    public const int VelocityIterations = 6 * 30;
    /// <summary>Position iterations per world step (Gymnasium: 2·30).</summary>
    public const int PositionIterations = 2 * 30;
    /// <summary>Info key: 1 when the episode ended by visiting every tile, 0 when it ended off the playfield.</summary>
    public const string LapFinishedKey = "lap_finished";

    internal static readonly double[] DefaultRoadColor = [102, 102, 102];
    internal static readonly double[] DefaultBackgroundColor = [102, 204, 102];
    internal static readonly double[] DefaultGrassColor = [102, 230, 102];

    private readonly EpisodeRecording _recording;
    private readonly Listener _listener;
    private readonly CarRacingView _view;
    private readonly byte[] _pixels = new byte[StateSize * StateSize * 3];
    private readonly List<RoadTile> _tiles = [];
    private World? _world;
    private RaceTrack? _track;
    private RacingCar? _car;
    private bool _newLap, _lastResetRandomized = true, _pixelsCurrent;

    /// <summary>Creates the environment.</summary>
    /// <param name="continuous">Box(3) steer/gas/brake actions instead of Discrete(5).</param>
    /// <param name="lapCompletePercent">Fraction of tiles (exclusive) that must be visited when tile 0 is touched for a lap to
    /// count; in v3 this check only runs on a tile's first visit, so in practice an episode finishes by visiting every tile.</param>
    /// <param name="domainRandomize">Draw random road, background and grass colours (at every reset unless the reset options say not to).</param>
    public CarRacing(bool continuous = true, double lapCompletePercent = 0.95, bool domainRandomize = false)
        : base(Box.Image(StateSize, StateSize, 3), continuous ? new Box([-1f, 0f, 0f], [1f, 1f, 1f]) : new Discrete(5))
    {
        if (!(lapCompletePercent >= 0 && lapCompletePercent <= 1))
            throw new PolicyLabException($"CarRacing-v3: lap_complete_percent must lie in [0, 1]; got {lapCompletePercent}.");
        Continuous = continuous;
        LapCompletePercent = lapCompletePercent;
        DomainRandomize = domainRandomize;
        _recording = new EpisodeRecording(continuous ? 3 : 1);
        _listener = new Listener(this);
        _view = new CarRacingView(this);
        if (domainRandomize)
            DrawColors();
    }

    /// <summary>True for Box(3) actions.</summary>
    public bool Continuous { get; }

    /// <summary>The lap-completion fraction.</summary>
    public double LapCompletePercent { get; }

    /// <summary>Whether colours are randomised.</summary>
    public bool DomainRandomize { get; }

    /// <summary>The current track (null before the first reset).</summary>
    public RaceTrack? Track => _track;

    /// <summary>The car (null before the first reset).</summary>
    public RacingCar? Car => _car;

    /// <summary>The physics world of the current episode.</summary>
    public World? World => _world;

    /// <summary>The road tiles, in track order.</summary>
    public IReadOnlyList<RoadTile> Tiles => _tiles;

    /// <summary>Tiles visited so far this episode.</summary>
    public int TilesVisited { get; private set; }

    /// <summary>The running total shown on screen: 1000/N per visited tile minus 0.1 per step.</summary>
    public double DisplayedReward { get; private set; }

    /// <summary>The total the observation shows: <see cref="DisplayedReward"/> as it was when the step drew its state, before the step's −0.1.</summary>
    public double ObservedScore { get; private set; }

    /// <summary>Simulated time since the reset (s), including the reset's own step.</summary>
    public double Time { get; private set; }

    /// <summary>Road colour (RGB, 0–255, possibly fractional).</summary>
    public double[] RoadColor { get; } = [.. DefaultRoadColor];

    /// <summary>Background colour.</summary>
    public double[] BackgroundColor { get; } = [.. DefaultBackgroundColor];

    /// <summary>Grass-square colour.</summary>
    public double[] GrassColor { get; } = [.. DefaultGrassColor];

    private double _prevReward;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        _recording.BeginEpisode(Random);
        if (_world is null)
            _world = new World(Vec2.Zero) { ContactListener = _listener };
        else
            _world.Recycle();
        _tiles.Clear();
        DisplayedReward = 0;
        ObservedScore = 0;
        _prevReward = 0;
        TilesVisited = 0;
        Time = 0;
        _newLap = false;
        _lastResetRandomized = options?.Randomize ?? true;
        if (DomainRandomize && _lastResetRandomized)
            DrawColors();

        _track = RaceTrack.Generate(Random);
        Span<Vec2> corners = stackalloc Vec2[4];
        for (int i = 0; i < _track.TileCount; i++)
        {
            _track.TileCorners(i, corners);
            Body body = _world.CreateBody(BodyType.Static, default);
            // A tile on a tight bend can be a self-crossing quad; Box2D keeps its hull, and so does this.
            body.CreateFixture(PolygonShape.ConvexHull(corners), new FixtureDefinition(IsSensor: true));
            double shade = 0.01 * (i % 3) * 255;
            var tile = new RoadTile(i, body, [RoadColor[0] + shade, RoadColor[1] + shade, RoadColor[2] + shade]);
            body.UserData = tile;
            _tiles.Add(tile);
        }
        TrackPoint start = _track.Points[0];
        _car = new RacingCar(_world, start.Beta, start.X, start.Y) { TrackSkids = _view.RenderedOnce };
        // Gymnasium returns the observation of one step without an action; its tile rewards count toward the first real step.
        Advance(withAction: false);
    }

    /// <inheritdoc />
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        RacingCar car = _car!;
        if (Continuous)
        {
            double steer = action[0], gas = action[1], brake = action[2];
            if (!double.IsFinite(steer) || !double.IsFinite(gas) || !double.IsFinite(brake))
                ThrowNonFiniteAction(!double.IsFinite(steer) ? steer : !double.IsFinite(gas) ? gas : brake);
            // As in Gymnasium, no clipping here: gas is clipped by the car, brake ≥ 0.9 locks, the joint limit caps steering.
            car.Steer(-steer);
            car.Gas(gas);
            car.Brake(brake);
        }
        else
        {
            float a = action[0];
            if (!(a is 0f or 1f or 2f or 3f or 4f))
                ThrowInvalidDiscreteAction(a, 5);
            car.Steer(a == 1f ? -0.6 : a == 2f ? 0.6 : 0.0);
            car.Gas(a == 3f ? 0.2 : 0.0);
            car.Brake(a == 4f ? 0.8 : 0.0);
        }
        _recording.Record(action);
        return Advance(withAction: true);
    }

    private StepResult Advance(bool withAction)
    {
        _car!.Step(1.0 / Fps);
        _world!.Step(1.0 / Fps, VelocityIterations, PositionIterations);
        Time += 1.0 / Fps;
        ObservedScore = DisplayedReward; // the observation is drawn here, before the step's −0.1 (§5.4)
        _pixelsCurrent = false;
        if (!withAction)
            return default;

        DisplayedReward -= 0.1;
        double stepReward = DisplayedReward - _prevReward;
        _prevReward = DisplayedReward;
        bool terminated = false;
        if (TilesVisited == _tiles.Count || _newLap)
        {
            terminated = true;
            Info.Set(LapFinishedKey, 1);
        }
        Vec2 p = _car.Hull.Position;
        if (Math.Abs(p.X) > Playfield || Math.Abs(p.Y) > Playfield)
        {
            terminated = true;
            Info.Set(LapFinishedKey, 0);
            stepReward = -100;
        }
        return new StepResult(stepReward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        ReadOnlySpan<byte> pixels = StatePixels();
        for (int i = 0; i < pixels.Length; i++)
            observation[i] = pixels[i];
    }

    /// <summary>The current 96×96×3 observation as bytes (row-major, RGB), drawn on first use after each step.</summary>
    public ReadOnlySpan<byte> StatePixels()
    {
        if (_car is null)
            throw new InvalidOperationException("CarRacing-v3: call Reset before asking for the observation.");
        if (!_pixelsCurrent)
        {
            _view.DrawState(_pixels);
            _pixelsCurrent = true;
        }
        return _pixels;
    }

    /// <summary>Draws Gymnasium's <c>rgb_array</c> frame: the same view at 600×400, with skid marks (tracked from the first call on).</summary>
    public override RgbFrame Render() => _view.DrawFrame();

    /// <summary>True: the state is saved as the episode's start and its actions, and replayed on load.</summary>
    public override bool CanSaveState => true;

    /// <inheritdoc />
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        _recording.Save(state, prefix);
        state.SetScalar($"{prefix}.randomized", _lastResetRandomized ? 1L : 0L);
        state.Set($"{prefix}.colors", (ReadOnlySpan<double>)[.. RoadColor, .. BackgroundColor, .. GrassColor]);
    }

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        ulong[] final = Random.GetState();
        bool randomized = state.ReadScalarInt64($"{prefix}.randomized") != 0;
        double[] colors = state.ReadDoubles($"{prefix}.colors");
        Action<string>? sink = WarningSink;
        WarningSink = null;
        try
        {
            // The colours in force before the saved reset matter only when that reset kept them.
            colors.AsSpan(0, 3).CopyTo(RoadColor);
            colors.AsSpan(3, 3).CopyTo(BackgroundColor);
            colors.AsSpan(6, 3).CopyTo(GrassColor);
            var options = randomized ? null : new ResetOptions { Randomize = false };
            _recording.Replay(state, prefix, Id, Random, final, () => ResetState(options), a => StepState(a));
        }
        finally
        {
            WarningSink = sink;
        }
    }

    private void DrawColors()
    {
        for (int i = 0; i < 3; i++)
            RoadColor[i] = Random.Uniform(0, 210);
        for (int i = 0; i < 3; i++)
            BackgroundColor[i] = Random.Uniform(0, 210);
        BackgroundColor.CopyTo(GrassColor, 0);
        GrassColor[Random.NextInt(3)] += 20;
    }

    /// <summary>Tile events (Gymnasium's friction detector): recolour the tile, track the wheel's tiles, pay first visits.</summary>
    private sealed class Listener(CarRacing env) : IContactListener
    {
        public void BeginContact(Contact contact) => Touch(contact, begin: true);

        public void EndContact(Contact contact) => Touch(contact, begin: false);

        private void Touch(Contact contact, bool begin)
        {
            object? a = contact.FixtureA.Body.UserData, b = contact.FixtureB.Body.UserData;
            RoadTile? tile = null;
            object? other = null;
            if (a is RoadTile ta)
            {
                tile = ta;
                other = b;
            }
            if (b is RoadTile tb)
            {
                tile = tb;
                other = a;
            }
            if (tile is null)
                return;
            // Any touch, by a wheel or the hull, paints the tile in the plain road colour (Gymnasium's colour aliasing).
            env.RoadColor.CopyTo(tile.Color, 0);
            if (other is not RacingWheel wheel)
                return;
            if (!begin)
            {
                wheel.TileContacts--;
                return;
            }
            wheel.TileContacts++;
            if (tile.Visited)
                return;
            tile.Visited = true;
            env.DisplayedReward += 1000.0 / env._tiles.Count;
            env.TilesVisited++;
            // v3: the lap check runs only on a first visit, and tile 0 is first visited during the reset's own step.
            if (tile.Index == 0 && (double)env.TilesVisited / env._tiles.Count > env.LapCompletePercent)
                env._newLap = true;
        }
    }
}

/// <summary>One road tile of <see cref="CarRacing"/>: a static sensor body, its colour and whether a wheel has touched it.</summary>
public sealed class RoadTile
{
    internal RoadTile(int index, Body body, double[] color)
    {
        Index = index;
        Body = body;
        Color = color;
    }

    /// <summary>Position along the track (tile 0 lies just behind the start).</summary>
    public int Index { get; }

    /// <summary>The sensor body.</summary>
    public Body Body { get; }

    /// <summary>RGB colour (0–255, possibly fractional; truncated when drawn).</summary>
    public double[] Color { get; }

    /// <summary>Whether a wheel has touched the tile this episode.</summary>
    public bool Visited { get; internal set; }
}
