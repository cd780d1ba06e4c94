using System.CommandLine;
using System.Globalization;
using PolicyLab.Environments.Box2D;
using PolicyLab.Tracking.Video;
using PolicyLab.Training;

namespace PolicyLab.Cli.Commands;

/// <summary>`policylab eval`: load a run's checkpoint and evaluate it.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "the run folder" };
        var runArgument = new Argument<string?>("RUN") { Description = "the run folder (same as --run)", Arity = ArgumentArity.ZeroOrOne };
        var policy = new Option<string?>("--policy") { Description = "evaluate a built-in controller instead of a run: heuristic (Gymnasium's LunarLander controller)" };
        var env = new Option<string?>("--env") { Description = "environment for --policy (LunarLander-v3 or LunarLanderContinuous-v3; default LunarLander-v3)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "checkpoint: a step, latest (the default), latest-intact (the newest whose files match their manifest) or best (the best evaluation's, best/)" };
        var episodes = new Option<int>("--episodes") { Description = "episodes to run", DefaultValueFactory = _ => 10 };
        var deterministic = new Option<bool>("--deterministic") { Description = "act with the policy's mode (the default)" };
        var stochastic = new Option<bool>("--stochastic") { Description = "sample actions from the policy" };
        var seed = new Option<long?>("--seed") { Description = "seed of the evaluation episodes" };
        var render = new Option<bool>("--render") { Description = "film the episodes (one after another) into eval.mp4 (ffmpeg) or eval.gif in the run folder" };
        var json = new Option<bool>("--json") { Description = "end with one JSON object describing the result" };
        var command = new Command("eval", "Evaluate a trained agent from its run folder.")
        {
            runArgument, run, policy, env, checkpoint, episodes, deterministic, stochastic, seed, json, render,
        };
        command.SetAction(parse => CommandLine.Guard(() =>
        {
            if (parse.GetValue(deterministic) && parse.GetValue(stochastic))
                return CommandLine.UserError("--deterministic and --stochastic exclude each other; pick one.");
            string? runFolder = parse.GetValue(run) ?? parse.GetValue(runArgument);
            if (parse.GetValue(run) is not null && parse.GetValue(runArgument) is not null)
                return CommandLine.UserError("eval takes the run folder once: either positionally (eval RUN) or as --run RUN.");
            int n = parse.GetValue(episodes);
            if (n <= 0) return CommandLine.UserError($"--episodes must be positive; got {n}.");
            if (parse.GetValue(policy) is { } controller)
                return EvaluateController(controller, parse.GetValue(env), runFolder, n, parse.GetValue(seed), parse.GetValue(render), parse.GetValue(json));
            if (runFolder is null)
                return CommandLine.UserError("eval needs a run folder written by `policylab train` (eval RUN, or --run RUN), or --policy heuristic --env LunarLander-v3 for the built-in controller.");
            bool isDeterministic = !parse.GetValue(stochastic);
            var folder = RunFolder.Open(runFolder);
            string checkpointFolder = folder.ResolveCheckpointFolder(parse.GetValue(checkpoint));
            bool best = checkpointFolder == folder.BestPath;
            using var film = parse.GetValue(render) ? new EvaluationFilm(folder) : null;
            EvaluationResult result = RunEvaluation.EvaluateCheckpoint(folder, checkpointFolder, n, isDeterministic, parse.GetValue(seed), film is null ? null : film.AddFrame);
            string? video = film?.Finish();
            if (film is not null && !parse.GetValue(json))
                Console.WriteLine(video is null ? "no frames were filmed" : $"{film.Notice}: {video} ({film.Frames} frames)");
            if (parse.GetValue(json))
            {
                JsonOutput.Print(new Dictionary<string, object?>
                {
                    ["command"] = "eval",
                    ["run_folder"] = folder.Path,
                    ["checkpoint"] = result.Step,
                    ["best"] = best,
                    ["deterministic"] = isDeterministic,
                    ["mean_return"] = JsonOutput.Number(result.MeanReturn),
                    ["std_return"] = JsonOutput.Number(result.StdReturn),
                    ["mean_length"] = JsonOutput.Number(result.MeanLength),
                    ["episodes"] = result.Returns.Length,
                    ["returns"] = result.Returns,
                    ["video"] = video,
                });
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"checkpoint {(best ? $"best (step {result.Step})" : result.Step)}: mean return {result.MeanReturn:F2} ± {result.StdReturn:F2} over {result.Returns.Length} episodes ({(isDeterministic ? "deterministic" : "stochastic")}), mean length {result.MeanLength:F1}"));
            }
            return 0;
        }));
        return command;
    }

    private static int EvaluateController(string controller, string? id, string? run, int episodes, long? seed, bool render, bool json)
    {
        if (controller != "heuristic")
            return CommandLine.UserError($"--policy {controller} is unknown; the built-in controller is 'heuristic' (LunarLander-v3, LunarLanderContinuous-v3).");
        if (run is not null || render)
            return CommandLine.UserError("--policy evaluates a built-in controller without a run folder: drop --run and --render.");
        id ??= "LunarLander-v3";
        if (id is not ("LunarLander-v3" or "LunarLanderContinuous-v3"))
            return CommandLine.UserError($"--policy heuristic runs on LunarLander-v3 or LunarLanderContinuous-v3, not '{id}'.");
        int first = checked((int)(seed ?? 0));
        LanderEvaluation result = LanderEvaluation.Heuristic(id, episodes, first);
        if (json)
        {
            JsonOutput.Print(new Dictionary<string, object?>
            {
                ["command"] = "eval",
                ["policy"] = controller,
                ["env"] = id,
                ["mean_return"] = JsonOutput.Number(result.MeanReturn),
                ["std_return"] = JsonOutput.Number(result.StdReturn),
                ["mean_length"] = JsonOutput.Number(result.MeanLength),
                ["episodes"] = result.Returns.Length,
                ["landed"] = result.Landed,
                ["crashed"] = result.Crashed,
                ["out_of_view"] = result.OutOfView,
                ["truncated"] = result.Truncated,
                ["returns"] = result.Returns,
            });
        }
        else
        {
            Console.WriteLine($"heuristic on {id}, seeds {first}–{first + episodes - 1}: {result}");
        }
        return 0;
    }
}
