using PolicyLab.Configuration;
using PolicyLab.Export;
using PolicyLab.Tests.Tracking;
using PolicyLab.Training;
using Xunit.Abstractions;

namespace PolicyLab.Tests.Export;

/// <summary>The exported models pass the reference ONNX checker (python3-onnx: <c>onnx.checker.check_model</c> with full
/// shape inference), an implementation independent of ONNX Runtime; skipped with a message when it is not installed.</summary>
public sealed class OnnxCheckerTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policylab-onnx-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Exported_models_pass_the_onnx_checker_when_installed()
    {
        string? python = new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(p => (p.StartsWith('/') ? File.Exists(p) : Tools.Has(p))
            && Tools.Run(p, "-c \"import onnx\"", ".").Code == 0);
        if (python is null)
        {
            Tools.Skip(log, "SKIPPED Exported_models_pass_the_onnx_checker_when_installed: python3-onnx is not installed (apt-get install python3-onnx).");
            return;
        }
        (string Algo, string Env, string[] Sets)[] cases =
        [
            ("ppo", "CartPole-v1", ["normalize=true"]),
            ("ppo", "Pendulum-v1", ["state_dependent_std=true"]),
            ("ppo", "MatchPattern-v0", []),
            ("ppo", "MatchBits-v0", []),
            ("sac", "Pendulum-v1", []),
            ("td3", "MountainCarContinuous-v0", []),
            ("cem", "MountainCarContinuous-v0", []),
            ("annealing", "CartPole-v1", []),
        ];
        var files = new List<string>();
        foreach ((string algo, string env, string[] sets) in cases)
        {
            (RunSettings run, Hyperparameters settings) = SettingsResolver.Resolve(new SettingsRequest(algo, env, null, [.. sets, "tensorboard=false"], 0, null));
            using Trainer trainer = Trainer.Start(run, settings, RunFolder.CreateAt(Path.Combine(_dir, $"{algo}-{env}")));
            string path = Path.Combine(_dir, $"{algo}-{env}.onnx");
            OnnxExport.Write(path, trainer);
            files.Add(path);
        }
        File.WriteAllText(Path.Combine(_dir, "check.py"), """
            import sys, onnx
            from onnx import shape_inference
            for path in sys.argv[1:]:
                model = onnx.load(path)
                onnx.checker.check_model(model, full_check=True)
                inferred = shape_inference.infer_shapes(model, strict_mode=True)
                out = inferred.graph.output[0].type.tensor_type
                print(path.split('/')[-1], model.ir_version, model.opset_import[0].version, out.elem_type, len(out.shape.dim))
            """);
        (int code, string output) = Tools.Run(python, $"check.py {string.Join(' ', files.Select(f => $"\"{f}\""))}", _dir);
        Assert.True(code == 0, output);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal(cases.Length, lines.Length);
        Assert.All(lines, line => Assert.Contains(" 8 17 ", line, StringComparison.Ordinal));
        Assert.Contains("ppo-CartPole-v1.onnx 8 17 7 1", lines);        // int64 [batch]
        Assert.Contains("ppo-MatchPattern-v0.onnx 8 17 7 2", lines);    // int64 [batch, 3]
        Assert.Contains("sac-Pendulum-v1.onnx 8 17 1 2", lines);        // float [batch, 1]
    }
}
