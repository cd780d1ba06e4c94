using System.CommandLine;
using PolicyLab.Export;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab export`: write a run's deterministic policy as an ONNX model.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var run = new Option<string?>("--run") { Description = "the run folder" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint: a step, latest (the default), latest-intact or best (the best evaluation's, best/)" };
        var format = new Option<string>("--format") { Description = "model format: onnx", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--output", "-o") { Description = "the file to write (default: policy.onnx in the run folder)" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object describing the model" };
        var command = new Command("export", "Export a run's deterministic policy (observation normalization and action rescaling inside) as an ONNX model.")
        {
            run, checkpoint, format, output, json,
        };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            string requested = parse.GetValue(format)!;
            if (!OnnxExport.Formats.Contains(requested, StringComparer.OrdinalIgnoreCase))
                return CommandLine.UserError($"--format {requested} is unknown; the export formats are: {string.Join(", ", OnnxExport.Formats)} (the weights alone are already in each checkpoint's model.safetensors).");
            if (parse.GetValue(run) is not { } runPath)
                return CommandLine.UserError("export needs --run RUN_FOLDER (a folder written by `policylab train`).");
            RunFolder folder = RunFolder.Open(runPath);
            string path = parse.GetValue(output) ?? Path.Combine(folder.Path, "policy.onnx");
            OnnxExportResult result = OnnxExport.FromCheckpoint(folder, parse.GetValue(checkpoint), path);
            OnnxPolicySignature s = result.Signature;
            string actionShape = s.ActionWidth is int w ? $"[batch, {w}]" : "[batch]";
            string actionType = s.ActionType == OnnxElementType.Int64 ? "int64" : "float32";
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new Dictionary<string, object?>
                {
                    ["command"] = "export",
                    ["format"] = "onnx",
                    ["run_folder"] = folder.Path,
                    ["checkpoint"] = result.Step,
                    ["algorithm"] = result.Algorithm,
                    ["env"] = result.Environment,
                    ["path"] = result.Path,
                    ["bytes"] = result.Bytes,
                    ["ir_version"] = OnnxExport.IrVersion,
                    ["opset"] = OnnxExport.Opset,
                    ["input"] = new Dictionary<string, object?> { ["name"] = s.InputName, ["type"] = "float32", ["shape"] = new object[] { "batch", s.ObservationSize } },
                    ["output"] = new Dictionary<string, object?>
                    {
                        ["name"] = s.OutputName, ["type"] = actionType,
                        ["shape"] = s.ActionWidth is int width ? new object[] { "batch", width } : new object[] { "batch" },
                    },
                    ["normalized_observations"] = s.NormalizesObservations,
                });
            }
            else
            {
                Console.WriteLine($"checkpoint {result.Step} of {result.Algorithm} on {result.Environment} → {result.Path} ({result.Bytes} bytes, ONNX IR {OnnxExport.IrVersion}, opset {OnnxExport.Opset})");
                Console.WriteLine($"  input  '{s.InputName}': float32 [batch, {s.ObservationSize}] raw observations{(s.NormalizesObservations ? " (normalized inside the model)" : "")}");
                Console.WriteLine($"  output '{s.OutputName}': {actionType} {actionShape} environment actions (deterministic policy)");
            }
            return 0;
        }));
        return command;
    }
}
