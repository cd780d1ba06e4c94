using System.Globalization;
using System.Text;

namespace PolicyLab.Configuration;

/// <summary>
/// Translates the entries of RL Zoo's <c>hyperparams/&lt;algo&gt;.yml</c> files that are not PolicyLab setting names
/// into PolicyLab settings: <c>policy: MlpPolicy</c>, <c>policy_kwargs: "dict(net_arch=…, activation_fn=nn.ReLU,
/// log_std_init=…, ortho_init=…)"</c>, <c>normalize</c> (SB3's VecNormalize: observations and rewards),
/// <c>noise_type</c>; gSDE's <c>use_sde</c>, <c>sde_sample_freq</c>, <c>use_sde_at_warmup</c> and the policy_kwargs
/// <c>full_std</c> and <c>use_expln</c> pass to the algorithms that have it (SAC, PPO, A2C). Entries with no PolicyLab
/// counterpart (gSDE elsewhere, Python wrappers, callbacks) are refused
/// one by one with the reason, never silently dropped. RL Zoo's own keys (<c>n_timesteps</c>, <c>n_envs</c>,
/// <c>learning_rate: lin_…</c>, <c>clip_range</c>, <c>frame_stack</c>, …) already are PolicyLab settings and pass unchanged.
/// </summary>
public static class RlZooHyperparameters
{
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["use_sde"] = "this algorithm has no generalized state-dependent exploration (gSDE; PolicyLab has it for SAC, PPO and A2C); drop it",
        ["sde_sample_freq"] = "this algorithm has no gSDE (SAC, PPO and A2C have); drop it",
        ["use_sde_at_warmup"] = "this algorithm has no gSDE (SAC has); drop it",
        ["env_wrapper"] = "Python wrappers cannot be loaded; drop it (RL Zoo's FrameSkip, ResizeObservation and GrayScaleObservation are the settings frame_skip, resize and grayscale)",
        ["vec_env_wrapper"] = "Python wrappers cannot be loaded; drop it",
        ["callback"] = "Python callbacks cannot be loaded; drop it",
        ["normalize_kwargs"] = "write normalize: true (observations and rewards) or set normalize / normalize_reward",
        ["env_kwargs"] = "environment arguments are not read from this file; drop it",
        ["replay_buffer_class"] = "PolicyLab has one replay buffer; drop it",
        ["replay_buffer_kwargs"] = "PolicyLab has one replay buffer; drop it",
        ["optimize_memory_usage"] = "PolicyLab's replay buffer has no such mode; drop it",
    };

    /// <summary>
    /// The PolicyLab settings for <paramref name="pairs"/>: keys <paramref name="isSetting"/> knows pass unchanged,
    /// RL Zoo keys are translated.
    /// </summary>
    /// <exception cref="PolicyLabException">Some entries cannot be translated (the message lists each with its reason).</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Translate(IReadOnlyList<KeyValuePair<string, string>> pairs, Func<string, bool> isSetting, string source)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(isSetting);
        var result = new List<KeyValuePair<string, string>>();
        var refused = new List<string>();
        void Add(string key, string value)
        {
            if (key == ValueOrCriticLayers)
                key = isSetting("value_layers") ? "value_layers" : isSetting("critic_layers") ? "critic_layers" : "";
            if (key.Length == 0) return; // an algorithm with one network (black-box search) takes policy_layers only
            if (isSetting(key)) result.Add(new(key, value));
            else refused.Add($"{key} (from RL Zoo's entry: this algorithm has no such setting)");
        }
        // An RL Zoo entry always names its policy; there `normalize` means SB3's VecNormalize (observations and rewards),
        // while in PolicyLab's own files it normalizes observations only.
        bool zooEntry = pairs.Any(kv => kv.Key == "policy" && kv.Value.Trim('\'', '"').EndsWith("Policy", StringComparison.Ordinal));
        foreach ((string key, string value) in pairs)
        {
            if (zooEntry && key == "normalize")
            {
                TranslateNormalize(value, Add, refused);
                continue;
            }
            if (key == "policy")
            {
                // SB3's policy class names; PolicyLab's own policy=auto|mlp|cnn values pass through.
                string name = value.Trim('\'', '"');
                string? kind = name switch { "MlpPolicy" => "mlp", "CnnPolicy" => "cnn", "auto" or "mlp" or "cnn" => name, _ => null };
                if (kind is null) refused.Add($"policy: {value} (only MlpPolicy and CnnPolicy translate)");
                else if (isSetting(key)) Add("policy", kind);
                else if (kind == "cnn") refused.Add($"policy: {value} (this algorithm has no CNN policy)");
                continue;
            }
            if (isSetting(key))
            {
                result.Add(new(key, value));
                continue;
            }
            switch (key)
            {
                case "policy_kwargs":
                    TranslatePolicyKwargs(value, Add, refused);
                    break;
                case "normalize":
                    TranslateNormalize(value, Add, refused);
                    break;
                case "noise_type":
                    string noise = value.Trim('\'', '"');
                    if (noise is "normal") Add("action_noise", "normal");
                    else if (noise is "ornstein-uhlenbeck" or "ornstein_uhlenbeck") Add("action_noise", "ornstein_uhlenbeck");
                    else refused.Add($"noise_type: {value} (PolicyLab has normal and ornstein-uhlenbeck noise)");
                    break;
                default:
                    if (Unsupported.TryGetValue(key, out string? reason)) refused.Add($"{key} ({reason})");
                    else result.Add(new(key, value)); // neither: the caller's "unknown setting" message (with suggestions) speaks
                    break;
            }
        }
        if (refused.Count > 0)
            throw new PolicyLabException($"{source}: {refused.Count} RL Zoo {(refused.Count == 1 ? "entry has" : "entries have")} no PolicyLab translation: {string.Join("; ", refused)}. " +
                "Remove or change them and run again.");
        return result;
    }

    private const string ValueOrCriticLayers = "#value_or_critic_layers";

    private static void TranslateNormalize(string value, Action<string, string> add, List<string> refused)
    {
        string v = value.Trim().Trim('\'', '"').Trim();
        if (v is "true" or "True" or "false" or "False")
        {
            string on = v.ToLowerInvariant();
            add("normalize", on);
            add("normalize_reward", on);
            return;
        }
        // "{'norm_obs': True, 'norm_reward': False}" (RL Zoo writes normalize as a Python dict string).
        if (v.StartsWith('{') && v.EndsWith('}'))
        {
            foreach (string entry in SplitTopLevel(v[1..^1]))
            {
                string[] kv = entry.Split(':', 2, StringSplitOptions.TrimEntries);
                string name = kv[0].Trim('\'', '"');
                string flag = kv.Length == 2 ? kv[1] : "";
                if (flag is not ("True" or "False")) { refused.Add($"normalize: {value} (expected True or False for '{name}')"); return; }
                if (name == "norm_obs") add("normalize", flag.ToLowerInvariant());
                else if (name == "norm_reward") add("normalize_reward", flag.ToLowerInvariant());
                else refused.Add($"normalize: '{name}' (PolicyLab's normalization has norm_obs and norm_reward only)");
            }
            return;
        }
        refused.Add($"normalize: {value} (expected true, false or a dict of norm_obs / norm_reward)");
    }

    private static void TranslatePolicyKwargs(string value, Action<string, string> add, List<string> refused)
    {
        string v = value.Trim().Trim('\'', '"').Trim();
        if (!v.StartsWith("dict(", StringComparison.Ordinal) || !v.EndsWith(')'))
        {
            refused.Add($"policy_kwargs: {value} (expected \"dict(key=value, …)\")");
            return;
        }
        foreach (string entry in SplitTopLevel(v[5..^1]))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) { refused.Add($"policy_kwargs: '{entry}' (expected key=value)"); continue; }
            string name = entry[..eq].Trim(), arg = entry[(eq + 1)..].Trim();
            switch (name)
            {
                case "net_arch":
                    TranslateNetArch(arg, add, refused);
                    break;
                case "activation_fn":
                    string fn = arg.StartsWith("nn.", StringComparison.Ordinal) ? arg[3..] : arg;
                    if (fn is "ReLU" or "Tanh") add("activation", fn.ToLowerInvariant());
                    else refused.Add($"policy_kwargs activation_fn={arg} (PolicyLab has nn.ReLU and nn.Tanh)");
                    break;
                case "log_std_init":
                    add("log_std_init", arg);
                    break;
                case "full_std" or "use_expln":
                    if (arg is "True" or "False") add(name, arg.ToLowerInvariant());
                    else refused.Add($"policy_kwargs {name}={arg} (expected True or False)");
                    break;
                case "ortho_init":
                    if (arg is "True" or "False") add("ortho_init", arg.ToLowerInvariant());
                    else refused.Add($"policy_kwargs ortho_init={arg} (expected True or False)");
                    break;
                default:
                    refused.Add($"policy_kwargs {name}={arg} (no PolicyLab counterpart)");
                    break;
            }
        }
    }

    private static void TranslateNetArch(string arg, Action<string, string> add, List<string> refused)
    {
        if (arg.StartsWith('[') && !arg.Contains("dict", StringComparison.Ordinal))
        {
            string layers = Layers(arg);
            add("policy_layers", layers);
            // The same widths for the value network (on-policy) or the critics (off-policy), as SB3 shares net_arch.
            add(ValueOrCriticLayers, layers);
            return;
        }
        if (arg.StartsWith("dict(", StringComparison.Ordinal) && arg.EndsWith(')'))
        {
            foreach (string part in SplitTopLevel(arg[5..^1]))
            {
                string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
                if (kv.Length != 2) { refused.Add($"policy_kwargs net_arch={arg} (expected dict(pi=[…], vf=[…]) or dict(pi=[…], qf=[…]))"); return; }
                switch (kv[0])
                {
                    case "pi": add("policy_layers", Layers(kv[1])); break;
                    case "vf": add("value_layers", Layers(kv[1])); break;
                    case "qf": add("critic_layers", Layers(kv[1])); break;
                    default: refused.Add($"policy_kwargs net_arch {kv[0]}=… (PolicyLab networks are pi, vf and qf)"); break;
                }
            }
            return;
        }
        refused.Add($"policy_kwargs net_arch={arg} (expected a list of widths or dict(pi=…, vf=…/qf=…); shared layers are not supported)");
    }

    private static string Layers(string list)
    {
        string inner = list.Trim().TrimStart('[').TrimEnd(']');
        var widths = inner.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(w => WholeNumber.Parse(w, 1, 1 << 20).ToString(CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", widths) + "]";
    }

    /// <summary>Splits "a=1, b=[2, 3], c=dict(x=4)" at the commas outside brackets.</summary>
    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        int depth = 0;
        foreach (char c in text)
        {
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            if (depth < 0 || depth > 8) throw new PolicyLabException($"'{text}' has unbalanced or too deeply nested brackets.");
            if (c == ',' && depth == 0)
            {
                if (current.ToString().Trim().Length > 0) parts.Add(current.ToString().Trim());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.ToString().Trim().Length > 0) parts.Add(current.ToString().Trim());
        return parts;
    }
}
