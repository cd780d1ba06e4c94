// PolicyLab quickstart: train, save, load and act, for a discrete task (CartPole) and a continuous task with
// normalized observations (Pendulum). Usage: dotnet run -- [out-folder] [cartpole-steps] [pendulum-steps]
using System.Diagnostics;
using PolicyLab.Agents;
using PolicyLab.Environments;
using PolicyLab.Training;

string output = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "policylab-quickstart");
long cartPoleSteps = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
long pendulumSteps = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
Directory.CreateDirectory(output);

// 1. Discrete actions: PPO on CartPole-v1 with the tuned defaults `policylab train` uses.
using (var agent = Agent.Create("ppo", "CartPole-v1", seed: 0, runFolder: Path.Combine(output, "cartpole-run")))
{
    var clock = Stopwatch.StartNew();
    agent.Learn(cartPoleSteps);
    Console.WriteLine($"trained PPO on CartPole-v1 for {cartPoleSteps:N0} steps in {clock.Elapsed.TotalSeconds:F2} s (Learn only, as `policylab train --json` reports wall_seconds)");
    agent.Save(Path.Combine(output, "cartpole.policylab"));
}

using (var loaded = Agent.Load(Path.Combine(output, "cartpole.policylab")))
using (IEnvironment env = EnvironmentRegistry.Make("CartPole-v1"))
{
    var observation = new float[loaded.ObservationSize];
    env.Reset(observation, seed: 42);
    double episodeReturn = 0;
    while (true)
    {
        float[] action = loaded.Predict(observation, deterministic: true);
        StepResult step = env.Step(action, observation);
        episodeReturn += step.Reward;
        if (step.Terminated || step.Truncated) break;
    }
    EvaluationResult evaluation = Agent.Evaluate(loaded, episodes: 10);
    Console.WriteLine($"CartPole-v1: one episode {episodeReturn:F1}; 10 episodes {evaluation.MeanReturn:F1} ± {evaluation.StdReturn:F1}");
}

// 2. Continuous actions with observation normalization: the statistics travel inside the policy file.
if (pendulumSteps == 0) return;
using (var agent = Agent.Create("ppo", "Pendulum-v1", seed: 0, runFolder: Path.Combine(output, "pendulum-run")))
{
    agent.Learn(pendulumSteps);
    agent.Save(Path.Combine(output, "pendulum.policylab"));
}
using (var loaded = Agent.Load(Path.Combine(output, "pendulum.policylab")))
{
    EvaluationResult evaluation = Agent.Evaluate(loaded, episodes: 10);
    Console.WriteLine($"Pendulum-v1 (normalized: {loaded.Describe().Normalization is not null}): 10 episodes {evaluation.MeanReturn:F1} ± {evaluation.StdReturn:F1}");
}
