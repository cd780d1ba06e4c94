using System.Text;
using PolicyLab.Configuration;
using PolicyLab.Training;

namespace PolicyLab.Tests.Training;

/// <summary>
/// Mutated copies of every file a run folder holds that the CLI reads (config.yaml, a --config YAML, experiment.json /
/// log.json, manifest.json, state.safetensors through a resume without a manifest) go through their readers; the only
/// allowed outcomes are success and <see cref="PolicyLabException"/> (exit code 2 in the CLI), never another exception.
/// CI runs a few hundred mutations per file type; the Long test runs 10,000 per type.
/// </summary>
public sealed class RunFileFuzzTests(SmallRunFixture template) : IDisposable, IClassFixture<SmallRunFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Tokens =
    [
        "1e400", "-1e400", "Infinity", "NaN", "-1", "9223372036854775808", "1e40", "0", "\"", "{", "}", "[", "]", ":", ",", "&a ", "*a",
        "? [a, b]\n: 1\n", "!!python/object:x", "\0", "\n", "  ", "- ", "null", "true", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\u00ff\u00fe",
    ];

    /// <summary>One deterministic mutation of <paramref name="original"/>.</summary>
    internal static byte[] Mutate(byte[] original, Random rng)
    {
        var bytes = new List<byte>(original);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = rng.Next(bytes.Count);
            switch (rng.Next(6))
            {
                case 0: bytes[at] ^= (byte)(1 << rng.Next(8)); break;                                  // bit flip
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;                                // truncation
                case 2: bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + rng.Next(16))); break;    // a hole
                case 3: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[rng.Next(Tokens.Length)])); break; // hostile token
                case 4: bytes[at] = (byte)rng.Next(256); break;                                       // garbage byte
                default:                                                                              // a number replaced
                    int digit = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0) bytes.InsertRange(digit, Encoding.UTF8.GetBytes(Tokens[rng.Next(7)]));
                    break;
            }
        }
        return [.. bytes];
    }

    private static (int Accepted, int Refused) Fuzz(byte[] original, int count, int seed, Action<byte[]> read)
    {
        var rng = new Random(seed);
        int accepted = 0, refused = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] input = Mutate(original, rng);
            try
            {
                read(input);
                accepted++;
            }
            catch (PolicyLabException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} (seed {seed}) escaped as {e}\ninput: {Encoding.UTF8.GetString(input[..Math.Min(input.Length, 400)])}");
            }
        }
        return (accepted, refused);
    }

    private string Copy(string name)
    {
        string folder = Path.Combine(_dir, name);
        SmallRunFixture.Copy(template.Folder, folder);
        return folder;
    }

    private void FuzzAll(int perType, int statePerType)
    {
        string run = Copy("run");
        var folder = RunFolder.Open(run);
        string config = Path.Combine(run, RunFolder.ConfigFileName);
        byte[] configBytes = File.ReadAllBytes(config);
        var counts = new Dictionary<string, (int, int)>
        {
            ["config.yaml"] = Fuzz(configBytes, perType, 1, b =>
            {
                File.WriteAllBytes(config, b);
                SettingsResolver.FromRunFolder(folder);
            }),
        };
        File.WriteAllBytes(config, configBytes);

        string userConfig = Path.Combine(_dir, "zoo.yml");
        byte[] zoo = Encoding.UTF8.GetBytes("CartPole-v1:\n  n_envs: 8\n  n_timesteps: !!float 1e5\n  policy: 'MlpPolicy'\n  n_steps: 32\n  batch_size: 256\n" +
            "  gae_lambda: 0.8\n  gamma: 0.98\n  n_epochs: 20\n  ent_coef: 0.0\n  learning_rate: lin_0.001\n  clip_range: lin_0.2\n" +
            "Pendulum-v1:\n  n_envs: 4\n  policy_layers: [64, 64]\n");
        counts["--config YAML"] = Fuzz(zoo, perType, 2, b =>
        {
            File.WriteAllBytes(userConfig, b);
            SettingsResolver.Resolve(new SettingsRequest("ppo", "CartPole-v1", userConfig, [], null, null));
        });

        string checkpoint = folder.CheckpointPath(1024);
        byte[] log = File.ReadAllBytes(Path.Combine(checkpoint, Checkpoint.LogFileName));
        counts["log.json"] = Fuzz(log, perType, 3, b => ExperimentLog.FromJson(b, "log.json"));
        byte[] experiment = File.ReadAllBytes(Path.Combine(run, "experiment.json"));
        counts["experiment.json"] = Fuzz(experiment, perType, 4, b => ExperimentLog.FromJson(b, "experiment.json"));

        string manifest = Path.Combine(checkpoint, CheckpointManifest.FileName);
        byte[] manifestBytes = File.ReadAllBytes(manifest);
        counts["manifest.json"] = Fuzz(manifestBytes, perType, 5, b =>
        {
            File.WriteAllBytes(manifest, b);
            if (CheckpointManifest.Problem(checkpoint) is string problem) throw new PolicyLabException(problem);
        });
        File.WriteAllBytes(manifest, manifestBytes);

        // The state file behind the manifest: without one (a checkpoint from before manifests) the reader itself must hold.
        File.Delete(manifest);
        string state = Path.Combine(checkpoint, Checkpoint.StateFileName);
        byte[] stateBytes = File.ReadAllBytes(state);
        counts["state.safetensors"] = Fuzz(stateBytes, statePerType, 6, b =>
        {
            File.WriteAllBytes(state, b);
            using Trainer t = Trainer.Resume(folder, 1024);
        });
        foreach ((string type, (int accepted, int refused)) in counts)
            Console.WriteLine($"fuzz {type}: {accepted + refused} mutations, {accepted} accepted, {refused} refused with a PolicyLabException");
    }

    [Fact]
    public void Mutated_run_files_are_read_or_refused_with_a_PolicyLab_error() => FuzzAll(perType: 150, statePerType: 20);

    [Fact]
    [Trait("Category", "Long")]
    public void Ten_thousand_mutations_per_run_file_type_are_read_or_refused_with_a_PolicyLab_error() => FuzzAll(perType: 10_000, statePerType: 10_000);
}
