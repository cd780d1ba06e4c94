using System.Runtime.CompilerServices;
using PolicyLab.Environments.Rendering;
using PolicyLab.Environments.Spaces;
using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>Why a LunarLander episode ended.</summary>
public enum LanderOutcome
{
    /// <summary>Still running.</summary>
    None,
    /// <summary>The hull touched the ground (reward −100).</summary>
    Crashed,
    /// <summary>|x| left the viewport (reward −100).</summary>
    OutOfView,
    /// <summary>The lander came to rest: its body fell asleep (reward +100).</summary>
    Landed,
}

/// <summary>
/// LunarLander-v3 (Discrete(4): noop, left engine, main engine, right engine) and LunarLanderContinuous-v3 (Box(2):
/// main and lateral throttle) with Gymnasium 1.0 semantics, on PolicyLab's <see cref="World"/>: a new world at every
/// reset, Gymnasium's order of random draws (terrain, initial force, wind indices; two dispersions per step), its
/// impulses, shaping reward, fuel costs, and termination on a hull contact or leaving the view (−100) or at rest
/// (+100). The registry adds the 1000-step truncation.
/// </summary>
/// <remarks>Physics runs in double precision where Gymnasium's Box2D runs in float32, so trajectories agree in
/// behaviour and to small tolerances over short horizons, not bit for bit. Flame particles exist only once the
/// environment has been rendered; they never touch the lander, so rendering does not change the episode.</remarks>
public sealed class LunarLander : EnvironmentBase
{
    /// <summary>Physics steps per second.</summary>
    public const int Fps = 50;
    /// <summary>Pixels per metre.</summary>
    public const double Scale = 30.0;
    /// <summary>Main engine impulse scale.</summary>
    public const double MainEnginePower = 13.0;
    /// <summary>Side engine impulse scale.</summary>
    public const double SideEnginePower = 0.6;
    /// <summary>Half-range of the initial random force (N).</summary>
    public const double InitialRandom = 1000.0;
    /// <summary>Viewport width (px).</summary>
    public const int ViewportWidth = 600;
    /// <summary>Viewport height (px).</summary>
    public const int ViewportHeight = 400;
    /// <summary>World width (m).</summary>
    public const double W = ViewportWidth / Scale;
    /// <summary>World height (m).</summary>
    public const double H = ViewportHeight / Scale;
    /// <summary>Velocity iterations per step (Gymnasium: 6·30).</summary>
    public const int VelocityIterations = 6 * 30;
    /// <summary>Position iterations per step (Gymnasium: 2·30).</summary>
    public const int PositionIterations = 2 * 30;

    private const double LegAway = 20, LegDown = 18, LegW = 2, LegH = 8, LegSpringTorque = 40;
    private const double SideEngineHeight = 14, SideEngineAway = 12, MainEngineYLocation = 4;
    private const int Chunks = 11;
    private static readonly Vec2[] LanderPoly = [new(-14, 17), new(-17, 0), new(-17, -10), new(17, -10), new(17, 0), new(14, 17)];
    // Shapes are immutable, so every episode's bodies share these.
    private static readonly PolygonShape HullShape = new([.. LanderPoly.Select(v => new Vec2(v.X / Scale, v.Y / Scale))]);
    private static readonly PolygonShape LegShape = PolygonShape.Box(LegW / Scale, LegH / Scale);
    private static readonly EdgeShape MoonFloor = new(new Vec2(0, 0), new Vec2(W, 0));

    private readonly Listener _listener;
    private readonly EpisodeRecording _recording;
    private readonly RngRandomSource _ownSource;
    private readonly double[] _heights = new double[Chunks + 1];
    private readonly double[] _chunkX = new double[Chunks];
    private readonly double[] _smoothY = new double[Chunks];
    private readonly EdgeShape?[] _terrain = new EdgeShape?[Chunks - 1]; // this environment's own, moved at each reset
    private readonly double[] _state = new double[8];
    private readonly List<Particle> _particles = [];
    private World _world = null!;
    private Body _moon = null!, _lander = null!;
    private readonly Body[] _legs = new Body[2];
    private readonly bool[] _legContact = new bool[2];
    private bool _gameOver, _hasPrevShaping, _renderingActive;
    private double _prevShaping;
    private long _windIndex, _torqueIndex;

    /// <summary>Creates the environment.</summary>
    /// <param name="continuous">Box(2) throttles instead of Discrete(4).</param>
    /// <param name="gravity">Gravity (m/s²), in (−12, 0).</param>
    /// <param name="enableWind">Apply wind and turbulence while no leg touches the ground.</param>
    /// <param name="windPower">Peak wind force, in [0, 20].</param>
    /// <param name="turbulencePower">Peak turbulence torque, in [0, 2].</param>
    public LunarLander(bool continuous = false, double gravity = -10.0, bool enableWind = false, double windPower = 15.0, double turbulencePower = 1.5)
        : base(
            new Box([-2.5f, -2.5f, -10f, -10f, -2 * MathF.PI, -10f, 0f, 0f], [2.5f, 2.5f, 10f, 10f, 2 * MathF.PI, 10f, 1f, 1f]),
            continuous ? new Box(-1f, 1f, 2) : new Discrete(4))
    {
        string id = continuous ? "LunarLanderContinuous-v3" : "LunarLander-v3";
        if (!(gravity > -12.0 && gravity < 0.0))
            throw new PolicyLabException($"{id}: gravity must be between -12 and 0 (exclusive), as in Gymnasium; got {gravity}.");
        if (!(windPower >= 0.0 && windPower <= 20.0))
            throw new PolicyLabException($"{id}: wind_power must be in Gymnasium's range [0, 20]; got {windPower}.");
        if (!(turbulencePower >= 0.0 && turbulencePower <= 2.0))
            throw new PolicyLabException($"{id}: turbulence_power must be in Gymnasium's range [0, 2]; got {turbulencePower}.");
        Continuous = continuous;
        Gravity = gravity;
        EnableWind = enableWind;
        WindPower = windPower;
        TurbulencePower = turbulencePower;
        _listener = new Listener(this);
        _recording = new EpisodeRecording(continuous ? 2 : 1);
        _ownSource = new RngRandomSource(Random);
        for (int i = 0; i < Chunks; i++)
            _chunkX[i] = W / (Chunks - 1) * i;
    }

    /// <summary>True for LunarLanderContinuous-v3.</summary>
    public bool Continuous { get; }

    /// <summary>Gravity (m/s²).</summary>
    public double Gravity { get; }

    /// <summary>Whether wind and turbulence are applied.</summary>
    public bool EnableWind { get; }

    /// <summary>Peak wind force.</summary>
    public double WindPower { get; }

    /// <summary>Peak turbulence torque.</summary>
    public double TurbulencePower { get; }

    /// <summary>Where the random draws come from; null (the default) uses the environment's seeded stream.</summary>
    public ILunarLanderRandomSource? RandomSource { get; set; }

    /// <summary>Why the last episode ended (<see cref="LanderOutcome.None"/> while it runs).</summary>
    public LanderOutcome Outcome { get; private set; }

    /// <summary>Whether each leg (0: the one at +x, created first; 1: the other) touches the ground.</summary>
    public bool LegContact(int leg) => _legContact[leg];

    /// <summary>The physics world of the current episode.</summary>
    public World World => _world;

    /// <summary>The lander hull body.</summary>
    public Body Lander => _lander;

    /// <summary>The two leg bodies.</summary>
    public IReadOnlyList<Body> Legs => _legs;

    /// <summary>Pad edges (m) and height.</summary>
    public (double X1, double X2, double Y) Helipad => (_chunkX[Chunks / 2 - 1], _chunkX[Chunks / 2 + 1], H / 4);

    /// <summary>The smoothed terrain heights at x = 0, 2, …, 20 m.</summary>
    public IReadOnlyList<double> TerrainHeights => _smoothY;

    /// <summary>Wind and turbulence indices (advance by one per windy step).</summary>
    public (long Wind, long Torque) WindIndices => (_windIndex, _torqueIndex);

    private ILunarLanderRandomSource Source => RandomSource ?? _ownSource;

    /// <inheritdoc />
    protected override void ResetState(ResetOptions? options)
    {
        ILunarLanderRandomSource rng = Source;
        _recording.BeginEpisode(Random);
        // A fresh world every episode (v3), built from the last episode's objects: Recycle keeps the bodies, fixtures,
        // joints and contacts for reuse, reset to what new ones hold, so a reset allocates nothing and gives the same
        // bits as a new World would.
        if (_world is null)
            _world = new World(new Vec2(0, Gravity)) { ContactListener = _listener };
        else
            _world.Recycle();
        _particles.Clear();
        _gameOver = false;
        _hasPrevShaping = false;
        Outcome = LanderOutcome.None;

        for (int i = 0; i < _heights.Length; i++)
            _heights[i] = rng.Uniform(0, H / 2);
        double helipadY = H / 4;
        for (int i = Chunks / 2 - 2; i <= Chunks / 2 + 2; i++)
            _heights[i] = helipadY;
        for (int i = 0; i < Chunks; i++)
            _smoothY[i] = 0.33 * (_heights[i == 0 ? Chunks : i - 1] + _heights[i] + _heights[i + 1]);

        _moon = _world.CreateBody(BodyType.Static, default);
        _moon.CreateFixture(MoonFloor, new FixtureDefinition(0, 0.2));
        for (int i = 0; i < Chunks - 1; i++)
        {
            var (v1, v2) = (new Vec2(_chunkX[i], _smoothY[i]), new Vec2(_chunkX[i + 1], _smoothY[i + 1]));
            if (_terrain[i] is { } edge)
                edge.MoveTo(v1, v2);
            else
                _terrain[i] = new EdgeShape(v1, v2);
            _moon.CreateFixture(_terrain[i]!, new FixtureDefinition(0, 0.1));
        }

        _lander = _world.CreateBody(BodyType.Dynamic, new Vec2(W / 2, H));
        _lander.CreateFixture(HullShape, new FixtureDefinition(5.0, 0.1, 0.0, new CollisionFilter(0x0010, 0x0001)));
        _lander.ApplyForceToCenter(new Vec2(rng.Uniform(-InitialRandom, InitialRandom), rng.Uniform(-InitialRandom, InitialRandom)));
        if (EnableWind)
        {
            _windIndex = rng.Integer(-9999, 9999);
            _torqueIndex = rng.Integer(-9999, 9999);
        }

        for (int k = 0; k < 2; k++)
        {
            int i = k == 0 ? -1 : 1;
            Body leg = _world.CreateBody(BodyType.Dynamic, new Vec2(W / 2 - i * LegAway / Scale, H), i * 0.05);
            leg.CreateFixture(LegShape, new FixtureDefinition(1.0, 0.2, 0.0, new CollisionFilter(0x0020, 0x0001)));
            _legContact[k] = false;
            _world.CreateRevoluteJoint(new RevoluteJointDefinition(_lander, leg, default, new Vec2(i * LegAway / Scale, LegDown / Scale))
            {
                EnableMotor = true,
                EnableLimit = true,
                MaxMotorTorque = LegSpringTorque,
                MotorSpeed = 0.3 * i,
                LowerAngle = i == -1 ? 0.9 - 0.5 : -0.9,
                UpperAngle = i == -1 ? 0.9 : -0.9 + 0.5,
            });
            _legs[k] = leg;
        }
        // Gymnasium returns the observation of one no-op step.
        Advance(0, 0, 0, 0);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected override StepResult StepState(ReadOnlySpan<float> action)
    {
        int discrete = 0;
        double a0 = 0, a1 = 0;
        if (Continuous)
        {
            a0 = action[0];
            a1 = action[1];
            if (!double.IsFinite(a0) || !double.IsFinite(a1))
                ThrowNonFiniteAction(double.IsFinite(a0) ? a1 : a0);
            if (a0 < -1 || a0 > 1 || a1 < -1 || a1 > 1)
            {
                WarnOnce("actions outside [-1, 1] are clipped to the bounds, as in Gymnasium.");
                a0 = Math.Clamp(a0, -1, 1);
                a1 = Math.Clamp(a1, -1, 1);
            }
        }
        else
        {
            float a = action[0];
            if (!(a is 0f or 1f or 2f or 3f))
                ThrowInvalidDiscreteAction(a, 4);
            discrete = (int)a;
        }
        _recording.Record(action);
        return Advance(Continuous ? 1 : 0, discrete, a0, a1);
    }

    /// <summary>True unless a <see cref="RandomSource"/> replaces the seeded stream (a scripted source cannot be saved).</summary>
    public override bool CanSaveState => RandomSource is null;

    /// <inheritdoc />
    /// <remarks>Saves the episode as the random state at its reset and the actions stepped since; see <see cref="EpisodeRecording"/>.</remarks>
    protected override void SaveOwnState(Numerics.Serialization.StateDictionary state, string prefix) => _recording.Save(state, prefix);

    /// <inheritdoc />
    protected override void LoadOwnState(Numerics.Serialization.StateDictionary state, string prefix)
    {
        ulong[] final = Random.GetState();
        Action<string>? sink = WarningSink;
        WarningSink = null; // the replayed steps said their warnings when they first ran
        try
        {
            _recording.Replay(state, prefix, Id, Random, final, () => ResetState(null), a => StepState(a));
        }
        finally
        {
            WarningSink = sink;
        }
    }

    /// <summary>One Gymnasium step: wind, engines (with the two dispersion draws), the world step, observation and reward.</summary>
    private StepResult Advance(int continuous, int discrete, double a0, double a1)
    {
        ILunarLanderRandomSource rng = Source;
        if (EnableWind && !(_legContact[0] || _legContact[1]))
        {
            double windMag = Math.Tanh(Math.Sin(0.02 * _windIndex) + Math.Sin(Math.PI * 0.01 * _windIndex)) * WindPower;
            _windIndex++;
            _lander.ApplyForceToCenter(new Vec2(windMag, 0.0));
            double torqueMag = Math.Tanh(Math.Sin(0.02 * _torqueIndex) + Math.Sin(Math.PI * 0.01 * _torqueIndex)) * TurbulencePower;
            _torqueIndex++;
            _lander.ApplyTorque(torqueMag);
        }

        (double sin, double cos) = Math.SinCos(_lander.Angle);
        double tipX = sin, tipY = cos, sideX = -cos, sideY = sin;
        double d0 = rng.Uniform(-1.0, 1.0) / Scale;
        double d1 = rng.Uniform(-1.0, 1.0) / Scale;

        double mPower = 0;
        if ((continuous == 1 && a0 > 0) || (continuous == 0 && discrete == 2))
        {
            mPower = continuous == 1 ? (Math.Clamp(a0, 0.0, 1.0) + 1.0) * 0.5 : 1.0;
            double ox = tipX * (MainEngineYLocation / Scale + 2 * d0) + sideX * d1;
            double oy = -tipY * (MainEngineYLocation / Scale + 2 * d0) - sideY * d1;
            Vec2 pos = _lander.Position;
            var impulsePos = new Vec2(pos.X + ox, pos.Y + oy);
            if (_renderingActive)
                SpawnParticle(3.5, impulsePos, new Vec2(ox * MainEnginePower * mPower, oy * MainEnginePower * mPower), mPower);
            _lander.ApplyLinearImpulse(new Vec2(-ox * MainEnginePower * mPower, -oy * MainEnginePower * mPower), impulsePos);
        }

        double sPower = 0;
        if ((continuous == 1 && Math.Abs(a1) > 0.5) || (continuous == 0 && (discrete == 1 || discrete == 3)))
        {
            double direction;
            if (continuous == 1)
            {
                direction = Math.Sign(a1);
                sPower = Math.Clamp(Math.Abs(a1), 0.5, 1.0);
            }
            else
            {
                direction = discrete - 2;
                sPower = 1.0;
            }
            double ox = tipX * d0 + sideX * (3 * d1 + direction * SideEngineAway / Scale);
            double oy = -tipY * d0 - sideY * (3 * d1 + direction * SideEngineAway / Scale);
            Vec2 pos = _lander.Position;
            var impulsePos = new Vec2(pos.X + ox - tipX * 17 / Scale, pos.Y + oy + tipY * SideEngineHeight / Scale);
            if (_renderingActive)
                SpawnParticle(0.7, impulsePos, new Vec2(ox * SideEnginePower * sPower, oy * SideEnginePower * sPower), sPower);
            _lander.ApplyLinearImpulse(new Vec2(-ox * SideEnginePower * sPower, -oy * SideEnginePower * sPower), impulsePos);
        }

        _world.Step(1.0 / Fps, VelocityIterations, PositionIterations);

        Vec2 p = _lander.Position, v = _lander.LinearVelocity;
        double[] s = _state;
        s[0] = (p.X - W / 2) / (W / 2);
        s[1] = (p.Y - (H / 4 + LegDown / Scale)) / (H / 2);
        s[2] = v.X * (W / 2) / Fps;
        s[3] = v.Y * (H / 2) / Fps;
        s[4] = _lander.Angle;
        s[5] = 20.0 * _lander.AngularVelocity / Fps;
        s[6] = _legContact[0] ? 1.0 : 0.0;
        s[7] = _legContact[1] ? 1.0 : 0.0;

        double shaping = -100 * Math.Sqrt(s[0] * s[0] + s[1] * s[1]) - 100 * Math.Sqrt(s[2] * s[2] + s[3] * s[3]) - 100 * Math.Abs(s[4]) + 10 * s[6] + 10 * s[7];
        double reward = _hasPrevShaping ? shaping - _prevShaping : 0;
        _prevShaping = shaping;
        _hasPrevShaping = true;
        reward -= mPower * 0.30;
        reward -= sPower * 0.03;

        bool terminated = false;
        if (_gameOver || Math.Abs(s[0]) >= 1.0)
        {
            terminated = true;
            reward = -100;
            Outcome = _gameOver ? LanderOutcome.Crashed : LanderOutcome.OutOfView;
        }
        if (!_lander.IsAwake)
        {
            terminated = true;
            reward = +100;
            Outcome = LanderOutcome.Landed;
        }
        return new StepResult(reward, terminated, false);
    }

    /// <inheritdoc />
    protected override void WriteObservation(Span<float> observation)
    {
        for (int i = 0; i < 8; i++)
            observation[i] = (float)_state[i];
    }

    private sealed class Listener(LunarLander env) : IContactListener
    {
        public void BeginContact(Contact contact)
        {
            Body a = contact.FixtureA.Body, b = contact.FixtureB.Body;
            if (a == env._lander || b == env._lander)
                env._gameOver = true;
            for (int k = 0; k < 2; k++)
            {
                if (a == env._legs[k] || b == env._legs[k])
                    env._legContact[k] = true;
            }
        }

        public void EndContact(Contact contact)
        {
            Body a = contact.FixtureA.Body, b = contact.FixtureB.Body;
            for (int k = 0; k < 2; k++)
            {
                if (a == env._legs[k] || b == env._legs[k])
                    env._legContact[k] = false;
            }
        }
    }

    // ---- Rendering ----

    private sealed class Particle(Body body, double ttl)
    {
        public Body Body { get; } = body;
        public double Ttl { get; set; } = ttl;
    }

    private void SpawnParticle(double density, Vec2 position, Vec2 impulse, double ttl)
    {
        Body body = _world.CreateBody(BodyType.Dynamic, position);
        body.CreateFixture(new CircleShape(2 / Scale), new FixtureDefinition(density, 0.1, 0.3, new CollisionFilter(0x0100, 0x0001)));
        body.ApplyLinearImpulse(impulse, position);
        _particles.Add(new Particle(body, ttl));
    }

    private static readonly RgbColor HullFill = new(128, 102, 230);
    private static readonly RgbColor HullOutline = new(77, 77, 128);

    /// <summary>
    /// Draws a 600×400 frame as Gymnasium does: white moon under a black sky, the lander and legs in violet with dark
    /// outlines, flame particles fading from white-red, and the two yellow helipad flags. From the first call on,
    /// engine firings also emit flame particles (visual only).
    /// </summary>
    public override RgbFrame Render()
    {
        var canvas = new Canvas(ViewportWidth, ViewportHeight);
        canvas.Clear(RgbColor.White);
        if (_world is null)
            return canvas.Frame;
        _renderingActive = true;
        foreach (Particle particle in _particles)
            particle.Ttl -= 0.15;
        while (_particles.Count > 0 && _particles[0].Ttl < 0)
        {
            _world.DestroyBody(_particles[0].Body);
            _particles.RemoveAt(0);
        }
        Span<double> quad = stackalloc double[8];
        for (int i = 0; i < Chunks - 1; i++)
        {
            quad[0] = _chunkX[i] * Scale; quad[1] = Y(_smoothY[i]);
            quad[2] = _chunkX[i + 1] * Scale; quad[3] = Y(_smoothY[i + 1]);
            quad[4] = _chunkX[i + 1] * Scale; quad[5] = Y(H);
            quad[6] = _chunkX[i] * Scale; quad[7] = Y(H);
            canvas.FillPolygon(quad, RgbColor.Black);
        }
        foreach (Particle particle in _particles)
        {
            double t = particle.Ttl;
            var color = new RgbColor((byte)(Math.Max(0.2, 0.15 + t) * 255), (byte)(Math.Max(0.2, 0.5 * t) * 255), (byte)(Math.Max(0.2, 0.5 * t) * 255));
            Vec2 c = particle.Body.Position;
            canvas.FillCircle(c.X * Scale, Y(c.Y), 2, color);
        }
        DrawBody(canvas, _lander);
        DrawBody(canvas, _legs[0]);
        DrawBody(canvas, _legs[1]);
        var (x1, x2, padY) = Helipad;
        foreach (double fx in (ReadOnlySpan<double>)[x1, x2])
        {
            double x = fx * Scale, flagY1 = padY * Scale, flagY2 = flagY1 + 50;
            canvas.DrawLine(x, ViewportHeight - flagY1, x, ViewportHeight - flagY2, 1, RgbColor.White);
            ReadOnlySpan<double> flag = [x, ViewportHeight - flagY2, x, ViewportHeight - (flagY2 - 10), x + 25, ViewportHeight - (flagY2 - 5)];
            canvas.FillPolygon(flag, new RgbColor(204, 204, 0));
        }
        return canvas.Frame;
    }

    private static double Y(double metres) => ViewportHeight - metres * Scale;

    private static void DrawBody(Canvas canvas, Body body)
    {
        var polygon = (PolygonShape)body.Fixtures[0].Shape;
        Span<double> points = stackalloc double[2 * polygon.VertexList.Count + 2];
        int n = polygon.VertexList.Count;
        for (int i = 0; i <= n; i++)
        {
            Vec2 v = body.GetWorldPoint(polygon.VertexList[i % n]);
            points[2 * i] = v.X * Scale;
            points[2 * i + 1] = Y(v.Y);
        }
        canvas.FillPolygon(points[..(2 * n)], HullFill);
        canvas.DrawPolyline(points, 1, HullOutline);
    }
}
