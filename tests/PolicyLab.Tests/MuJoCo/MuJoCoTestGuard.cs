using PolicyLab.MuJoCo;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

/// <summary>Skips a MuJoCo test (with the install message) only when libmujoco 2.2.2 is absent.</summary>
internal static class MuJoCoTestGuard
{
    static MuJoCoTestGuard() => MuJoCoEnvironments.Register();

    public static bool Available(ITestOutputHelper output)
    {
        if (MuJoCoEnvironments.IsAvailable)
            return true;
        PolicyLab.Tests.Tracking.Tools.Skip(output, "SKIPPED (MuJoCo): " + MuJoCoEnvironments.UnavailableReason);
        return false;
    }
}
