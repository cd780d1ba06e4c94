namespace PolicyLab.MuJoCo;

/// <summary>The <c>info</c> names the MuJoCo tasks report, spelled as Gymnasium spells them.</summary>
public static class MuJoCoInfoKeys
{
    /// <summary>x of the robot after the step.</summary>
    public const string XPosition = "x_position";
    /// <summary>y of the robot after the step.</summary>
    public const string YPosition = "y_position";
    /// <summary>Height change since reset (v5 Hopper/Walker2d).</summary>
    public const string ZDistanceFromOrigin = "z_distance_from_origin";
    /// <summary>Planar distance from the start.</summary>
    public const string DistanceFromOrigin = "distance_from_origin";
    /// <summary>Forward velocity.</summary>
    public const string XVelocity = "x_velocity";
    /// <summary>Sideways velocity.</summary>
    public const string YVelocity = "y_velocity";
    /// <summary>The forward-velocity term of the reward.</summary>
    public const string RewardForward = "reward_forward";
    /// <summary>The (negative) control cost.</summary>
    public const string RewardCtrl = "reward_ctrl";
    /// <summary>The healthy / alive term.</summary>
    public const string RewardSurvive = "reward_survive";
    /// <summary>The (negative) contact cost.</summary>
    public const string RewardContact = "reward_contact";
    /// <summary>HalfCheetah-v4's name for the forward term.</summary>
    public const string RewardRun = "reward_run";
    /// <summary>v4 Ant/Humanoid/Swimmer: the forward reward.</summary>
    public const string ForwardReward = "forward_reward";
    /// <summary>Humanoid-v4: forward term.</summary>
    public const string RewardLinearVelocity = "reward_linvel";
    /// <summary>Humanoid-v4: control cost (negative).</summary>
    public const string RewardQuadraticCtrl = "reward_quadctrl";
    /// <summary>Humanoid-v4: alive bonus.</summary>
    public const string RewardAlive = "reward_alive";
    /// <summary>Swimmer-v4: forward term.</summary>
    public const string RewardForwardSwimmer = "reward_fwd";
    /// <summary>Reacher: negative distance to the target.</summary>
    public const string RewardDistance = "reward_dist";
    /// <summary>InvertedDoublePendulum-v5: distance penalty.</summary>
    public const string DistancePenalty = "distance_penalty";
    /// <summary>InvertedDoublePendulum-v5: velocity penalty.</summary>
    public const string VelocityPenalty = "velocity_penalty";
    /// <summary>Humanoid-v5: length of the left hip-knee tendon.</summary>
    public const string TendonLengthLeft = "tendon_length.left_hipknee";
    /// <summary>Humanoid-v5: length of the right hip-knee tendon.</summary>
    public const string TendonLengthRight = "tendon_length.right_hipknee";
    /// <summary>Humanoid-v5: velocity of the left hip-knee tendon.</summary>
    public const string TendonVelocityLeft = "tendon_velocity.left_hipknee";
    /// <summary>Humanoid-v5: velocity of the right hip-knee tendon.</summary>
    public const string TendonVelocityRight = "tendon_velocity.right_hipknee";
}
