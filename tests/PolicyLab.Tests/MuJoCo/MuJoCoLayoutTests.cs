using PolicyLab.MuJoCo;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

public sealed class MuJoCoLayoutTests(ITestOutputHelper output)
{
    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    [Fact]
    public void The_checked_in_layout_equals_a_fresh_generation_from_the_installed_headers()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        if (!PolicyLab.Tests.Tracking.Tools.Has("cc") || !File.Exists("/usr/include/mujoco/mjxmacro.h"))
        {
            PolicyLab.Tests.Tracking.Tools.Skip(output, "SKIPPED layout regeneration: cc or the MuJoCo headers (apt-get install libmujoco-dev gcc) are missing.");
            return;
        }
        string fresh = Path.Combine(Path.GetTempPath(), $"MjLayout-{Environment.ProcessId}.g.cs");
        try
        {
            var (code, text) = PolicyLab.Tests.Tracking.Tools.Run("bash", $"scripts/generate-mujoco-layout.sh {fresh}", Root);
            Assert.True(code == 0, text);
            Assert.Equal(File.ReadAllText(Path.Combine(Root, "src/PolicyLab.MuJoCo/Native/MjLayout.g.cs")), File.ReadAllText(fresh));
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    [Theory]
    [InlineData("hopper.xml", new[] { 3.66519, 4.05789, 2.78136, 5.31557 })]
    [InlineData("walker2d_v5.xml", new[] { 3.66519, 4.05789, 2.78136, 3.16673, 4.05789, 2.78136, 3.16673 })]
    [InlineData("half_cheetah.xml", new[] { 6.25021, 1.54351, 1.58745, 1.09540, 1.43808, 1.20084, 0.88452 })]
    [InlineData("swimmer.xml", new[] { 35.60472, 35.60472, 35.60472 })]
    [InlineData("inverted_pendulum.xml", new[] { 10.47198, 5.01859 })]
    [InlineData("inverted_double_pendulum.xml", new[] { 10.47198, 4.19874, 4.19874 })]
    [InlineData("reacher.xml", new[] { 0.03560, 0.03560, 0.00419, 0.00305 })]
    public void Our_models_compile_to_Gymnasiums_body_masses(string file, double[] masses)
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        MuJoCoModel model = MuJoCoModel.Embedded(file);
        double[] actual = model.BodyMass[1..].ToArray();
        Assert.Equal(masses.Length, actual.Length);
        for (int i = 0; i < masses.Length; i++)
            Assert.Equal(masses[i], actual[i], 5);
    }

    [Fact]
    public void Humanoid_and_Ant_total_masses_match()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        Assert.Equal(42.11603, MuJoCoModel.Embedded("humanoid.xml").BodyMass.ToArray().Sum(), 4);
        Assert.Equal(0.91088, MuJoCoModel.Embedded("ant.xml").BodyMass.ToArray().Sum(), 4);
        Assert.Equal(23.67714, MuJoCoModel.Embedded("walker2d.xml").BodyMass.ToArray().Sum(), 4);
    }
}
