using System.Diagnostics;
using System.Text;

namespace Renkei.TestSupport;

/// <summary>Runs the real `renkei` program (the built renkei.dll) as a child process, as a user would.</summary>
public static class CliProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    public static string ProgramPath => Path.Combine(AppContext.BaseDirectory, "renkei.dll");

    public static ProcessStartInfo StartInfo(string dataDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ProgramPath);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["RENKEI_DATA"] = dataDirectory;
        info.Environment["CI"] = "true"; // no interactive progress bars
        return info;
    }

    public static Task<Outcome> RunAsync(string dataDirectory, params string[] arguments) =>
        RunAsync(dataDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs with extra environment variables (e.g. Jlis__Database overriding a role file's database).</summary>
    public static async Task<Outcome> RunAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = StartInfo(dataDirectory, arguments);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Outcome(process.ExitCode, await output, await error);
    }
}
