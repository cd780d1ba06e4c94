using PolicyLab.Environments;
using PolicyLab.Environments.Highway;
using PolicyLab.Environments.Spaces;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Environments.Highway;

public class HighwayEnvironmentTests(ITestOutputHelper output)
{
    [Fact]
    public void Smoke_idle_episode()
    {
        using IEnvironment env = EnvironmentRegistry.Make("highway-fast-v0");
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        var d = (HighwayEnvironment)env.Unwrapped();
        output.WriteLine($"ego {d.Ego.X} {d.Ego.Y} {d.Ego.Speed} vehicles {d.Road.VehicleCount}");
        for (int t = 0; t < 40; t++)
        {
            StepResult r = env.Step([1f], obs);
            output.WriteLine($"t {t} r {r.Reward:F3} ego x {d.Ego.X:F1} y {d.Ego.Y:F2} v {d.Ego.Speed:F2} crashed {d.Ego.Crashed} obs {string.Join(",", obs.Take(10).Select(o => o.ToString("F2")))}");
            if (r.Done) break;
        }
    }
}
