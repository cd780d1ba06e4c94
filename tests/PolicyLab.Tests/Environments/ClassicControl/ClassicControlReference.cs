namespace PolicyLab.Tests.Environments.ClassicControl;

/// <summary>Comparison helpers for the classic-control reference tests.</summary>
internal static class Near
{
    public static void Equal(double expected, double actual, double tolerance = 1e-12, string what = "")
    {
        double scale = Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R}");
    }

    public static void Equal(double[] expected, double[] actual, double tolerance = 1e-12, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Equal(expected[i], actual[i], tolerance, $"{what}[{i}]");
    }

    public static void Observation(double[] expectedState, float[] actual)
    {
        Assert.Equal(expectedState.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs((float)expectedState[i] - actual[i]) <= 1e-6f * Math.Max(1f, Math.Abs(actual[i])), $"observation[{i}]: expected {(float)expectedState[i]:R}, got {actual[i]:R}");
    }
}
