namespace PolicyLab.Configuration;

/// <summary>Marks a property of a <see cref="Hyperparameters"/> class as a configurable key.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HyperparameterAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="key">The snake_case key used in YAML files and <c>--set key=value</c>.</param>
    /// <param name="description">One line for <c>--help</c> and error messages.</param>
    public HyperparameterAttribute(string key, string description)
    {
        Key = key;
        Description = description;
    }

    /// <summary>The snake_case key.</summary>
    public string Key { get; }

    /// <summary>One-line description.</summary>
    public string Description { get; }
}
