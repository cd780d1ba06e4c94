using System.Diagnostics;

namespace PolicyLab.Training;

/// <summary>
/// The git state of the working directory (commit, dirty files, message, date, branch), recorded in
/// experiment.json. Absent — never an error — when git or a repository is missing.
/// </summary>
public static class GitInfo
{
    /// <summary>The fields, or null outside a git checkout.</summary>
    public static IReadOnlyDictionary<string, string>? Read(string directory)
    {
        string? commit = Git(directory, "rev-parse HEAD");
        if (commit is null) return null;
        return new Dictionary<string, string>
        {
            ["commit"] = commit,
            ["commit-dirty"] = Git(directory, "status --porcelain") ?? "",
            ["commit-message"] = Git(directory, "log -1 --format=%s") ?? "",
            ["commit-date"] = Git(directory, "log -1 --format=%cI") ?? "",
            ["branch"] = Git(directory, "rev-parse --abbrev-ref HEAD") ?? "",
        };
    }

    private static string? Git(string directory, string arguments)
    {
        try
        {
            var info = new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using Process? p = Process.Start(info);
            if (p is null) return null;
            string output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            if (!p.WaitForExit(5000) || p.ExitCode != 0) return null;
            return output.TrimEnd('\n', '\r');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // git is not installed
        }
    }
}
