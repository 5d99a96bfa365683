using System.CommandLine;

namespace Renkei.Cli;

/// <summary>Options every command shares.</summary>
public static class CliOptions
{
    public const string DataDirectoryVariable = "RENKEI_DATA";

    /// <summary>Where databases and key files live. Default: $RENKEI_DATA, else ./.renkei.</summary>
    public static readonly Option<DirectoryInfo> DataDirectory = new("--data")
    {
        Description = "directory for databases and keys (default: $RENKEI_DATA or ./.renkei)",
        Recursive = true,
        DefaultValueFactory = _ => new DirectoryInfo(Environment.GetEnvironmentVariable(DataDirectoryVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Environment.CurrentDirectory, ".renkei")),
    };

    public static Option<bool> Json() => new("--json") { Description = "print machine-readable JSON" };
}
