using PolicyLab.Environments;
using PolicyLab.MuJoCo.Native;
using PolicyLab.MuJoCo.Tasks;

namespace PolicyLab.MuJoCo;

/// <summary>
/// Registers the 18 MuJoCo ids (Hopper, Walker2d, HalfCheetah, Ant, Humanoid, Swimmer, InvertedPendulum,
/// InvertedDoublePendulum and Reacher, each -v4 and -v5) with Gymnasium's step limits, reward thresholds and keyword
/// arguments. The ids register whether or not libmujoco is installed; making one without it throws the one-paragraph
/// install message.
/// </summary>
public static class MuJoCoEnvironments
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>The registered ids.</summary>
    public static IReadOnlyList<string> Ids { get; } =
    [
        "Hopper-v4", "Hopper-v5", "Walker2d-v4", "Walker2d-v5", "HalfCheetah-v4", "HalfCheetah-v5", "Ant-v4", "Ant-v5",
        "Humanoid-v4", "Humanoid-v5", "Swimmer-v4", "Swimmer-v5", "InvertedPendulum-v4", "InvertedPendulum-v5",
        "InvertedDoublePendulum-v4", "InvertedDoublePendulum-v5", "Reacher-v4", "Reacher-v5",
    ];

    /// <summary>True when libmujoco 2.2.2 is installed and loads.</summary>
    public static bool IsAvailable => MuJoCoLibrary.IsAvailable;

    /// <summary>Why the MuJoCo environments cannot run here (the install instruction), or null when they can.</summary>
    public static string? UnavailableReason => MuJoCoLibrary.UnavailableReason;

    /// <summary>Adds the MuJoCo ids to <see cref="EnvironmentRegistry"/> (idempotent).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;
            _registered = true;
        }
        foreach (MuJoCoVersion v in new[] { MuJoCoVersion.V4, MuJoCoVersion.V5 })
        {
            string s = v == MuJoCoVersion.V4 ? "-v4" : "-v5";
            Add("Hopper" + s, 3800.0, v, Planar(v, 1e-3, "(0.7, inf)", "(-0.2, 0.2)", hopper: true), (a, m, own) => new Hopper(v, m, FrameSkip(a, 4),
                a.Weight("forward_reward_weight"), a.Weight("ctrl_cost_weight"), a.Weight("healthy_reward"), a.Bool("terminate_when_unhealthy"),
                a.Range("healthy_state_range"), a.Range("healthy_z_range"), a.Range("healthy_angle_range"), a.Weight("reset_noise_scale"),
                a.Bool("exclude_current_positions_from_observation"), own));
            Add("Walker2d" + s, null, v, Planar(v, 1e-3, "(0.8, 2.0)", "(-1.0, 1.0)", hopper: false), (a, m, own) => new Walker2d(v, m, FrameSkip(a, 4),
                a.Weight("forward_reward_weight"), a.Weight("ctrl_cost_weight"), a.Weight("healthy_reward"), a.Bool("terminate_when_unhealthy"),
                a.Range("healthy_z_range"), a.Range("healthy_angle_range"), a.Weight("reset_noise_scale"),
                a.Bool("exclude_current_positions_from_observation"), own));
            Add("HalfCheetah" + s, 4800.0, v, Common(v, ("forward_reward_weight", 1.0), ("ctrl_cost_weight", 0.1), ("reset_noise_scale", 0.1),
                ("exclude_current_positions_from_observation", true)), (a, m, own) => new HalfCheetah(v, m, FrameSkip(a, 5),
                a.Weight("forward_reward_weight"), a.Weight("ctrl_cost_weight"), a.Weight("reset_noise_scale"),
                a.Bool("exclude_current_positions_from_observation"), own));
            Add("Ant" + s, 6000.0, v, AntArguments(v), (a, m, own) => new Ant(v, m, FrameSkip(a, 5),
                v == MuJoCoVersion.V5 ? a.Weight("forward_reward_weight") : 1.0, a.Weight("ctrl_cost_weight"), a.Weight("contact_cost_weight"),
                a.Weight("healthy_reward"), a.Bool("terminate_when_unhealthy"), a.Range("healthy_z_range"), a.Range("contact_force_range"),
                a.Weight("reset_noise_scale"), a.Bool("exclude_current_positions_from_observation"),
                a.Bool(v == MuJoCoVersion.V5 ? "include_cfrc_ext_in_observation" : "use_contact_forces"),
                v == MuJoCoVersion.V5 ? a.Int("main_body") : 1, own));
            Add("Humanoid" + s, null, v, HumanoidArguments(v), (a, m, own) => new Humanoid(v, m, FrameSkip(a, 5),
                a.Weight("forward_reward_weight"), a.Weight("ctrl_cost_weight"), v == MuJoCoVersion.V5 ? a.Weight("contact_cost_weight") : 0.0,
                v == MuJoCoVersion.V5 ? a.Range("contact_cost_range").High : 0.0, a.Weight("healthy_reward"), a.Bool("terminate_when_unhealthy"),
                a.Range("healthy_z_range"), a.Weight("reset_noise_scale"), a.Bool("exclude_current_positions_from_observation"), own));
            Add("Swimmer" + s, 360.0, v, Common(v, ("forward_reward_weight", 1.0), ("ctrl_cost_weight", 1e-4), ("reset_noise_scale", 0.1),
                ("exclude_current_positions_from_observation", true)), (a, m, own) => new Swimmer(v, m, FrameSkip(a, 4),
                a.Weight("forward_reward_weight"), a.Weight("ctrl_cost_weight"), a.Weight("reset_noise_scale"),
                a.Bool("exclude_current_positions_from_observation"), own));
            Add("InvertedPendulum" + s, 950.0, v, Common(v, ("reset_noise_scale", 0.01)),
                (a, m, own) => new InvertedPendulum(v, m, FrameSkip(a, 2), a.Weight("reset_noise_scale"), own));
            Add("InvertedDoublePendulum" + s, 9100.0, v, Common(v, ("healthy_reward", 10.0), ("reset_noise_scale", 0.1)),
                (a, m, own) => new InvertedDoublePendulum(v, m, FrameSkip(a, 5), a.Weight("healthy_reward"), a.Weight("reset_noise_scale"), own));
            Add("Reacher" + s, -3.75, v, Common(v, ("reward_dist_weight", 1.0), ("reward_control_weight", 1.0)),
                (a, m, own) => new Reacher(v, m, FrameSkip(a, 2), a.Weight("reward_dist_weight"), a.Weight("reward_control_weight"), own));
        }
    }

    private static readonly Dictionary<string, int> DefaultFrameSkips = new(StringComparer.Ordinal)
    {
        ["Hopper"] = 4, ["Walker2d"] = 4, ["HalfCheetah"] = 5, ["Ant"] = 5, ["Humanoid"] = 5, ["Swimmer"] = 4,
        ["InvertedPendulum"] = 2, ["InvertedDoublePendulum"] = 5, ["Reacher"] = 2,
    };

    private delegate MuJoCoEnvironment Factory(MuJoCoArguments arguments, MuJoCoModel? model, bool ownsModel);

    private static void Add(string id, double? threshold, MuJoCoVersion version, Dictionary<string, object> defaults, Factory factory)
    {
        int steps = id.StartsWith("Reacher", StringComparison.Ordinal) ? 50 : 1000;
        if (version == MuJoCoVersion.V5)
        {
            defaults["frame_skip"] = DefaultFrameSkips[id[..id.IndexOf('-', StringComparison.Ordinal)]];
            defaults["xml_file"] = "";
        }
        EnvironmentRegistry.Register(new EnvironmentSpec(id, steps, threshold, defaults), raw =>
        {
            MuJoCoLibrary.EnsureLoaded();
            var arguments = new MuJoCoArguments(raw, id);
            MuJoCoModel? model = null;
            if (version == MuJoCoVersion.V5 && arguments.Text("xml_file") is { Length: > 0 } path)
                model = MuJoCoModel.FromFile(path);
            try
            {
                return factory(arguments, model, model is not null);
            }
            catch
            {
                model?.Dispose();
                throw;
            }
        }, replace: true);
    }

    private static int FrameSkip(MuJoCoArguments arguments, int v4Default) => arguments.Has("frame_skip") ? arguments.Int("frame_skip") : v4Default;

    private static Dictionary<string, object> Common(MuJoCoVersion version, params (string Name, object Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    private static Dictionary<string, object> Planar(MuJoCoVersion version, double ctrl, string z, string angle, bool hopper)
    {
        var a = Common(version, ("forward_reward_weight", 1.0), ("ctrl_cost_weight", ctrl), ("healthy_reward", 1.0),
            ("terminate_when_unhealthy", true), ("healthy_z_range", z), ("healthy_angle_range", angle), ("reset_noise_scale", 5e-3),
            ("exclude_current_positions_from_observation", true));
        if (hopper)
            a["healthy_state_range"] = "(-100, 100)";
        return a;
    }

    private static Dictionary<string, object> AntArguments(MuJoCoVersion version)
    {
        var a = Common(version, ("ctrl_cost_weight", 0.5), ("contact_cost_weight", 5e-4), ("healthy_reward", 1.0),
            ("terminate_when_unhealthy", true), ("healthy_z_range", "(0.2, 1.0)"), ("contact_force_range", "(-1.0, 1.0)"),
            ("reset_noise_scale", 0.1), ("exclude_current_positions_from_observation", true));
        if (version == MuJoCoVersion.V4)
        {
            a["use_contact_forces"] = false;
        }
        else
        {
            a["forward_reward_weight"] = 1.0;
            a["main_body"] = 1;
            a["include_cfrc_ext_in_observation"] = true;
        }
        return a;
    }

    private static Dictionary<string, object> HumanoidArguments(MuJoCoVersion version)
    {
        var a = Common(version, ("forward_reward_weight", 1.25), ("ctrl_cost_weight", 0.1), ("healthy_reward", 5.0),
            ("terminate_when_unhealthy", true), ("healthy_z_range", "(1.0, 2.0)"), ("reset_noise_scale", 1e-2),
            ("exclude_current_positions_from_observation", true));
        if (version == MuJoCoVersion.V5)
        {
            a["contact_cost_weight"] = 5e-7;
            a["contact_cost_range"] = "(-inf, 10.0)";
        }
        return a;
    }
}
