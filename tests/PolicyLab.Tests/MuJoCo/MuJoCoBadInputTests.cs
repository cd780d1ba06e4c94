using PolicyLab.Environments;
using PolicyLab.MuJoCo;
using Xunit.Abstractions;

namespace PolicyLab.Tests.MuJoCo;

public sealed class MuJoCoBadInputTests(ITestOutputHelper output)
{
    [Fact]
    public void Wrong_action_length_and_NaN_actions_are_clear_errors()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make("Hopper-v4");
        var obs = new float[11];
        env.Reset(obs, seed: 0);
        var e1 = Assert.Throws<PolicyLabException>(() => env.Step(new float[2], obs));
        Assert.Contains("needs 3", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<PolicyLabException>(() => env.Step([0f, float.NaN, 0f], obs));
        Assert.Contains("NaN", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exploding_state_names_the_step()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        using IEnvironment env = EnvironmentRegistry.Make("HalfCheetah-v5", maxEpisodeSteps: 0);
        var raw = (MuJoCoEnvironment)env.Unwrapped();
        var obs = new float[17];
        env.Reset(obs, seed: 0);
        for (int t = 0; t < 3; t++) env.Step(new float[6], obs);
        double[] qvel = raw.Qvel;
        qvel[3] = 1e30; // a huge joint velocity: MuJoCo flags the state as unstable
        raw.SetState(raw.Qpos, qvel);
        var error = Assert.Throws<PolicyLabException>(() => env.Step(new float[6], obs));
        output.WriteLine(error.Message);
        Assert.Contains("unstable at environment step 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("MuJoCo says", error.Message, StringComparison.Ordinal);
        Assert.Throws<PolicyLabException>(() => raw.SetState([double.NaN, 0, 0, 0, 0, 0, 0, 0, 0], new double[9]));
    }

    [Fact]
    public void A_model_that_does_not_compile_reports_MuJoCos_message_with_the_line()
    {
        if (!MuJoCoTestGuard.Available(output))
            return;
        const string xml = "<mujoco>\n  <worldbody>\n    <body>\n      <joint type=\"hinge\" range=\"-1 1\"/>\n      <geom size=\"0.1\"/>\n    </body>\n  </worldbody>\n</mujoco>\n";
        var error = Assert.Throws<PolicyLabException>(() => MuJoCoModel.FromXml(xml, "broken.xml"));
        output.WriteLine(error.Message);
        Assert.Contains("broken.xml", error.Message, StringComparison.Ordinal);
        Assert.Contains("autolimits", error.Message, StringComparison.Ordinal);
        Assert.Contains("line = 4", error.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<PolicyLabException>(() => EnvironmentRegistry.Make("Hopper-v5", new Dictionary<string, object> { ["xml_file"] = "/nonexistent/hopper.xml" }));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
    }
}
