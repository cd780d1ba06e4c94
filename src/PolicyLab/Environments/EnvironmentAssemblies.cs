using System.Reflection;
using System.Runtime.Loader;

namespace PolicyLab.Environments;

/// <summary>
/// Registers environments from a user's assembly: an assembly holds one or more public classes implementing this
/// interface (with a public parameterless constructor), whose <see cref="Register"/> calls
/// <see cref="EnvironmentRegistry.Register(EnvironmentSpec, Func{IReadOnlyDictionary{string, object}, IEnvironment}, bool)"/>.
/// <c>policylab train --env-assembly MyEnvs.dll</c> (or the <c>env_assembly</c> setting) loads it, and every later
/// command on the run (eval, resume, plot, export) loads it again from the path recorded in config.yaml.
/// </summary>
public interface IEnvironmentRegistration
{
    /// <summary>Registers the assembly's environment ids.</summary>
    void Register();
}

/// <summary>Loads assemblies of user environments (<see cref="IEnvironmentRegistration"/>), each once per process.</summary>
public static class EnvironmentAssemblies
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    /// <summary>
    /// Loads the assembly at <paramref name="path"/> and runs its registrations (once per process and path); returns
    /// the environment ids it registered.
    /// </summary>
    /// <exception cref="PolicyLabException">The file is missing, is not a .NET assembly, cannot load, or registers nothing.</exception>
    public static IReadOnlyList<string> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        lock (Gate)
        {
            if (Loaded.TryGetValue(full, out IReadOnlyList<string>? ids)) return ids;
            if (!File.Exists(full))
                throw new PolicyLabException($"The environment assembly '{full}' does not exist. Build the project that holds your environments and pass the path of its .dll (env_assembly / --env-assembly).");
            Assembly assembly;
            try
            {
                assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
            }
            catch (BadImageFormatException)
            {
                throw new PolicyLabException($"The environment assembly '{full}' is not a .NET assembly. Pass the .dll that `dotnet build` of your environment project writes.");
            }
            catch (Exception e) when (e is FileLoadException or IOException)
            {
                throw new PolicyLabException($"The environment assembly '{full}' could not be loaded: {e.Message} Build it against this PolicyLab version ({typeof(EnvironmentAssemblies).Assembly.GetName().Version}) and .NET 10.");
            }
            Type[] types;
            try
            {
                types = assembly.GetExportedTypes();
            }
            catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
            {
                throw new PolicyLabException($"The environment assembly '{full}' loaded, but its types could not be read ({e.Message}). A dependency is probably missing next to it: copy the project's whole build output, or publish it.");
            }
            var before = new HashSet<string>(EnvironmentRegistry.Ids, StringComparer.Ordinal);
            var registrations = types.Where(t => !t.IsAbstract && typeof(IEnvironmentRegistration).IsAssignableFrom(t)).ToList();
            if (registrations.Count == 0)
                throw new PolicyLabException($"The assembly '{full}' has no public class implementing {nameof(IEnvironmentRegistration)}, so it registers no environment. " +
                    "Add one whose Register() calls EnvironmentRegistry.Register for each of your ids.");
            foreach (Type type in registrations.OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                if (type.GetConstructor(Type.EmptyTypes) is null)
                    throw new PolicyLabException($"{type.FullName} in '{full}' needs a public parameterless constructor so PolicyLab can create it.");
                var registration = (IEnvironmentRegistration)Activator.CreateInstance(type)!;
                try
                {
                    registration.Register();
                }
                catch (Exception e) when (e is not PolicyLabException)
                {
                    throw new PolicyLabException($"{type.FullName}.Register() in '{full}' failed: {e.GetType().Name}: {e.Message}");
                }
            }
            ids = [.. EnvironmentRegistry.Ids.Where(id => !before.Contains(id))];
            if (ids.Count == 0)
                throw new PolicyLabException($"The assembly '{full}' ran its registrations but registered no new environment id. Call EnvironmentRegistry.Register in Register().");
            Loaded[full] = ids;
            return ids;
        }
    }
}
