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

    /// <summary>An http(s) base address option, e.g. <c>--jlis-url http://127.0.0.1:7001/</c>.</summary>
    public static Option<Uri?> Url(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
            result.AddError($"{name} needs an http or https address such as http://127.0.0.1:7001/");
            return null;
        },
    };
}
