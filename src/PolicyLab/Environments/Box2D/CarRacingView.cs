using System.Numerics;
using PolicyLab.Environments.Rendering;
using PolicyLab.Physics2D;

namespace PolicyLab.Environments.Box2D;

/// <summary>
/// Draws <see cref="CarRacing"/> as Gymnasium does (facts §6): a 1000×800 view that follows the car (rotated so it points
/// up, at 3/4 of the height, zooming from 0.6 to 16.2 pixels per unit over the first second), background, grass checks,
/// tiles and kerbs, the car with its wheel treads, then the HUD (speed, wheel spins, steering and gyro bars and the
/// score). Coordinates of that view are mapped straight onto the target canvas, so nothing is drawn at 1000×800: the
/// observation is drawn on a 384×384 canvas and each 4×4 block averaged into one of its 96×96 pixels.
/// </summary>
internal sealed class CarRacingView(CarRacing env)
{
    private const double WindowWidth = 1000, WindowHeight = 800;
    private const int Supersample = 4;
    private const double CameraZoom = 2.7;
    private const double GrassSize = CarRacing.Playfield / 20;
    private static readonly RgbColor HullColor = new(204, 0, 0);
    private static readonly RgbColor TreadColor = new(77, 77, 77);
    private static readonly RgbColor MudColor = new(102, 102, 0);
    private static readonly RgbColor KerbRed = new(255, 0, 0);
    // Segments a–g of a seven-segment digit (bit 0 = a, top; then b, c clockwise; d bottom; e, f; g middle).
    private static readonly byte[] DigitSegments = [0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F];
    private const byte MinusSegments = 0x40;

    private readonly ushort[] _band = new ushort[CarRacing.StateSize * Supersample * 3];
    private Canvas? _stateCanvas;
    private Canvas? _frameCanvas;
    private RaceTrack? _cachedTrack;
    private Vec2[] _tileCorners = [];
    private Vec2[] _kerbCorners = [];
    private double _scaleX, _scaleY, _cos, _sin, _zoom, _hullX, _hullY;

    /// <summary>Whether <see cref="DrawFrame"/> has been called (from then on the car tracks skid marks).</summary>
    public bool RenderedOnce { get; private set; }

    /// <summary>Draws the 96×96×3 observation into <paramref name="pixels"/>.</summary>
    public void DrawState(Span<byte> pixels)
    {
        const int size = CarRacing.StateSize * Supersample;
        _stateCanvas ??= new Canvas(size, size);
        Draw(_stateCanvas, size / WindowWidth, size / WindowHeight, skids: false, env.ObservedScore);
        // Box filter: add each band of 4 rows column-wise (vectorised, widening to 16 bits), then each 4 pixels across.
        ReadOnlySpan<byte> fine = _stateCanvas.Frame.Pixels;
        const int n = CarRacing.StateSize, rowBytes = size * 3;
        Span<ushort> band = _band;
        for (int y = 0; y < n; y++)
        {
            band.Clear();
            for (int dy = 0; dy < Supersample; dy++)
                AddWidened(fine.Slice((y * Supersample + dy) * rowBytes, rowBytes), band);
            for (int x = 0; x < n; x++)
            {
                int i = x * Supersample * 3, o = (y * n + x) * 3;
                for (int c = 0; c < 3; c++)
                {
                    int sum = band[i + c] + band[i + 3 + c] + band[i + 6 + c] + band[i + 9 + c];
                    pixels[o + c] = (byte)((sum + Supersample * Supersample / 2) / (Supersample * Supersample));
                }
            }
        }
    }

    private static void AddWidened(ReadOnlySpan<byte> source, Span<ushort> sums)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            for (; i + Vector<byte>.Count <= source.Length; i += Vector<byte>.Count)
            {
                System.Numerics.Vector.Widen(new Vector<byte>(source[i..]), out Vector<ushort> low, out Vector<ushort> high);
                (new Vector<ushort>(sums[i..]) + low).CopyTo(sums[i..]);
                (new Vector<ushort>(sums[(i + Vector<ushort>.Count)..]) + high).CopyTo(sums[(i + Vector<ushort>.Count)..]);
            }
        }
        for (; i < source.Length; i++)
            sums[i] += source[i];
    }

    /// <summary>Draws the 600×400 <c>rgb_array</c> frame, skid marks included.</summary>
    public RgbFrame DrawFrame()
    {
        RenderedOnce = true;
        if (env.Car is { } car)
            car.TrackSkids = true;
        _frameCanvas ??= new Canvas(600, 400);
        Draw(_frameCanvas, 600 / WindowWidth, 400 / WindowHeight, skids: true, env.DisplayedReward);
        return _frameCanvas.Frame.Clone();
    }

    private void Draw(Canvas canvas, double scaleX, double scaleY, bool skids, double score)
    {
        if (env.Car is not { } car || env.Track is not { } track)
        {
            canvas.Clear(RgbColor.Black);
            return;
        }
        _scaleX = scaleX;
        _scaleY = scaleY;
        double t = env.Time;
        _zoom = 0.1 * RaceTrack.Scale * Math.Max(1 - t, 0) + CameraZoom * RaceTrack.Scale * Math.Min(t, 1);
        (_sin, _cos) = Math.SinCos(-car.Hull.Angle);
        (_hullX, _hullY) = (car.Hull.Position.X, car.Hull.Position.Y);
        CacheTrack(track);

        // Black beyond the playfield square, the background colour inside it (a clear alone when the view lies inside).
        const double p = CarRacing.Playfield;
        RgbColor background = Color(env.BackgroundColor);
        if (ViewInside(canvas, p))
            canvas.Clear(background);
        else
        {
            canvas.Clear(RgbColor.Black);
            ReadOnlySpan<Vec2> field = [new(p, p), new(p, -p), new(-p, -p), new(-p, p)];
            FillWorld(canvas, field, background);
        }
        RgbColor grass = Color(env.GrassColor);
        Span<Vec2> square = stackalloc Vec2[4];
        for (int gx = -20; gx < 20; gx += 2)
        {
            for (int gy = -20; gy < 20; gy += 2)
            {
                double x0 = GrassSize * gx, y0 = GrassSize * gy;
                square[0] = new(x0 + GrassSize, y0);
                square[1] = new(x0, y0);
                square[2] = new(x0, y0 + GrassSize);
                square[3] = new(x0 + GrassSize, y0 + GrassSize);
                FillWorld(canvas, square, grass);
            }
        }
        IReadOnlyList<RoadTile> tiles = env.Tiles;
        for (int i = 0; i < tiles.Count; i++)
        {
            FillWorld(canvas, _tileCorners.AsSpan(4 * i, 4), Color(tiles[i].Color));
            if (track.Border[i])
                FillWorld(canvas, _kerbCorners.AsSpan(4 * i, 4), i % 2 == 0 ? RgbColor.White : KerbRed);
        }

        if (skids)
            DrawSkids(canvas, car);
        Span<Vec2> world = stackalloc Vec2[PolygonShape.MaxVertices];
        IReadOnlyList<RacingWheel> wheels = car.Wheels;
        for (int w = 0; w < wheels.Count; w++)
        {
            DrawBody(canvas, wheels[w].Body, RgbColor.Black, world);
            DrawTread(canvas, wheels[w]);
        }
        DrawBody(canvas, car.Hull, HullColor, world);
        DrawHud(canvas, car, score);
    }

    private void CacheTrack(RaceTrack track)
    {
        if (ReferenceEquals(track, _cachedTrack))
            return;
        int n = track.TileCount;
        _tileCorners = new Vec2[4 * n];
        _kerbCorners = new Vec2[4 * n];
        for (int i = 0; i < n; i++)
        {
            track.TileCorners(i, _tileCorners.AsSpan(4 * i, 4));
            track.KerbCorners(i, _kerbCorners.AsSpan(4 * i, 4));
        }
        _cachedTrack = track;
    }

    private void DrawBody(Canvas canvas, Body body, RgbColor color, Span<Vec2> world)
    {
        IReadOnlyList<Fixture> fixtures = body.Fixtures;
        for (int f = 0; f < fixtures.Count; f++)
        {
            var polygon = (PolygonShape)fixtures[f].Shape;
            int n = polygon.VertexList.Count;
            for (int i = 0; i < n; i++)
                world[i] = body.GetWorldPoint(polygon.VertexList[i]);
            FillWorld(canvas, world[..n], color);
        }
    }

    /// <summary>The grey tread band that turns with the wheel's phase (hidden while both its edges are on the far side).</summary>
    private void DrawTread(Canvas canvas, RacingWheel wheel)
    {
        double a1 = wheel.Phase, a2 = wheel.Phase + 1.2;
        (double s1, double c1) = Math.SinCos(a1);
        (double s2, double c2) = Math.SinCos(a2);
        if (s1 > 0 && s2 > 0)
            return;
        if (s1 > 0)
            c1 = Math.Sign(c1);
        if (s2 > 0)
            c2 = Math.Sign(c2);
        const double w = 14 * RacingCar.Size, r = 27 * RacingCar.Size;
        Body body = wheel.Body;
        ReadOnlySpan<Vec2> band =
        [
            body.GetWorldPoint(new(-w, r * c1)), body.GetWorldPoint(new(w, r * c1)),
            body.GetWorldPoint(new(w, r * c2)), body.GetWorldPoint(new(-w, r * c2)),
        ];
        FillWorld(canvas, band, TreadColor);
    }

    private void DrawSkids(Canvas canvas, RacingCar car)
    {
        Span<double> points = stackalloc double[2 * 30];
        foreach (SkidMark mark in car.SkidMarks)
        {
            int n = Math.Min(mark.Points.Count, 30);
            for (int i = 0; i < n; i++)
                (points[2 * i], points[2 * i + 1]) = ToCanvas(mark.Points[i]);
            canvas.DrawPolyline(points[..(2 * n)], 2 * _scaleX, mark.OnGrass ? MudColor : RgbColor.Black);
        }
    }

    private void DrawHud(Canvas canvas, RacingCar car, double score)
    {
        const double s = WindowWidth / 40, h = WindowHeight / 40, H = WindowHeight;
        FillWindowRectangle(canvas, 0, H - 5 * h, WindowWidth, H, RgbColor.Black);
        Vec2 v = car.Hull.LinearVelocity;
        double speed = v.Length;
        IReadOnlyList<RacingWheel> wheels = car.Wheels;
        Vertical(speed, 5, 0.02 * speed, RgbColor.White);
        Vertical(wheels[0].Omega, 7, 0.01 * wheels[0].Omega, new RgbColor(0, 0, 255));
        Vertical(wheels[1].Omega, 8, 0.01 * wheels[1].Omega, new RgbColor(0, 0, 255));
        Vertical(wheels[2].Omega, 9, 0.01 * wheels[2].Omega, new RgbColor(51, 0, 255));
        Vertical(wheels[3].Omega, 10, 0.01 * wheels[3].Omega, new RgbColor(51, 0, 255));
        double steering = wheels[0].Joint.JointAngle, gyro = car.Hull.AngularVelocity;
        Horizontal(steering, 20, -10.0 * steering, new RgbColor(0, 255, 0));
        Horizontal(gyro, 30, -0.8 * gyro, new RgbColor(255, 0, 0));
        DrawScore(canvas, score);

        void Vertical(double quantity, int slot, double value, RgbColor color)
        {
            if (Math.Abs(quantity) > 1e-4)
                FillWindowRectangle(canvas, slot * s, H - h - h * value, (slot + 1) * s, H - h, color);
        }

        void Horizontal(double quantity, int slot, double value, RgbColor color)
        {
            if (Math.Abs(quantity) > 1e-4)
                FillWindowRectangle(canvas, slot * s, H - 4 * h, (slot + value) * s, H - 2 * h, color);
        }
    }

    /// <summary>The running total as C's <c>%04i</c> (truncated toward zero, the sign inside the width), in white
    /// seven-segment digits about the size of pygame's 42-point default font, centred at (60, 750).</summary>
    private void DrawScore(Canvas canvas, double reward)
    {
        long value = (long)Math.Truncate(reward);
        Span<byte> glyphs = stackalloc byte[24];
        int count = 0;
        ulong magnitude = (ulong)Math.Abs(value);
        do
        {
            glyphs[count++] = DigitSegments[magnitude % 10];
            magnitude /= 10;
        }
        while (magnitude > 0);
        int width = value < 0 ? 3 : 4;
        while (count < width)
            glyphs[count++] = DigitSegments[0];
        if (value < 0)
            glyphs[count++] = MinusSegments;
        glyphs[..count].Reverse();

        const double advance = 23, glyphWidth = 18, glyphHeight = 30, stroke = 4.5;
        // White on black: the text's box is black, as pygame renders the label with a background colour.
        FillWindowRectangle(canvas, 60 - advance * count / 2, 729, 60 + advance * count / 2, 771, RgbColor.Black);
        double left = 60 - advance * count / 2 + (advance - glyphWidth) / 2, top = 750 - glyphHeight / 2;
        for (int k = 0; k < count; k++)
        {
            double x0 = left + k * advance, x1 = x0 + glyphWidth, y0 = top, ym = top + glyphHeight / 2, y1 = top + glyphHeight;
            byte seg = glyphs[k];
            if ((seg & 0x01) != 0) FillWindowRectangle(canvas, x0, y0, x1, y0 + stroke, RgbColor.White);
            if ((seg & 0x02) != 0) FillWindowRectangle(canvas, x1 - stroke, y0, x1, ym, RgbColor.White);
            if ((seg & 0x04) != 0) FillWindowRectangle(canvas, x1 - stroke, ym, x1, y1, RgbColor.White);
            if ((seg & 0x08) != 0) FillWindowRectangle(canvas, x0, y1 - stroke, x1, y1, RgbColor.White);
            if ((seg & 0x10) != 0) FillWindowRectangle(canvas, x0, ym, x0 + stroke, y1, RgbColor.White);
            if ((seg & 0x20) != 0) FillWindowRectangle(canvas, x0, y0, x0 + stroke, ym, RgbColor.White);
            if ((seg & 0x40) != 0) FillWindowRectangle(canvas, x0, ym - stroke / 2, x1, ym + stroke / 2, RgbColor.White);
        }
    }

    private void FillWindowRectangle(Canvas canvas, double left, double top, double right, double bottom, RgbColor color) =>
        canvas.FillRectangle(left * _scaleX, top * _scaleY, right * _scaleX, bottom * _scaleY, color);

    /// <summary>Fills a world-space polygon, skipping it when its bounds miss the canvas.</summary>
    private void FillWorld(Canvas canvas, ReadOnlySpan<Vec2> vertices, RgbColor color)
    {
        Span<double> points = stackalloc double[2 * PolygonShape.MaxVertices];
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity, minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < vertices.Length; i++)
        {
            (double x, double y) = ToCanvas(vertices[i]);
            points[2 * i] = x;
            points[2 * i + 1] = y;
            minX = Math.Min(minX, x);
            maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y);
            maxY = Math.Max(maxY, y);
        }
        if (maxX < 0 || maxY < 0 || minX > canvas.Width || minY > canvas.Height)
            return;
        canvas.FillPolygon(points[..(2 * vertices.Length)], color);
    }

    /// <summary>Whether all four canvas corners map to world points within ±<paramref name="half"/>.</summary>
    private bool ViewInside(Canvas canvas, double half)
    {
        foreach ((double cx, double cy) in (ReadOnlySpan<(double, double)>)[(0, 0), (canvas.Width, 0), (0, canvas.Height), (canvas.Width, canvas.Height)])
        {
            // Inverse of ToCanvas: undo the scale and flip, the offset, the rotation and the zoom.
            double x = cx / _scaleX - WindowWidth / 2, y = WindowHeight - cy / _scaleY - WindowHeight / 4;
            double dx = (_cos * x + _sin * y) / _zoom, dy = (-_sin * x + _cos * y) / _zoom;
            if (Math.Abs(_hullX + dx) > half || Math.Abs(_hullY + dy) > half)
                return false;
        }
        return true;
    }

    /// <summary>World point → view (rotated about the hull, zoomed, hull at (500, 200), then flipped vertically) → canvas.</summary>
    private (double X, double Y) ToCanvas(Vec2 point)
    {
        double dx = (point.X - _hullX) * _zoom, dy = (point.Y - _hullY) * _zoom;
        double x = _cos * dx - _sin * dy + WindowWidth / 2;
        double y = _sin * dx + _cos * dy + WindowHeight / 4;
        return (x * _scaleX, (WindowHeight - y) * _scaleY);
    }

    private static RgbColor Color(double[] rgb) => new((byte)rgb[0], (byte)rgb[1], (byte)rgb[2]);
}
