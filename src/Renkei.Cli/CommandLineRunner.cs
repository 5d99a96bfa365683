using System.CommandLine;

namespace Renkei.Cli;

/// <summary>Exit codes: 0 success, 1 the answer is "no" or the work failed, 2 the command line was wrong.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
}

public static class CommandLineRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        if (RemovedDatabaseVariable() is { } variable)
        {
            // Removed rather than ignored: a deployment that set it would otherwise run on the data directory's SQLite files.
            Console.Error.WriteLine($"renkei: {variable} was removed: a role's database is its configuration file's setting (Ward:Database …, "
                + "or the environment variable Ward__Database …; docs/deployment.md)");
            return ExitCodes.Usage;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("renkei: " + error.Message);
            foreach (var suggestion in Suggestions(parse)) Console.Error.WriteLine(suggestion);
            var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name
                ? ["renkei"]
                : ["renkei", .. CommandPath(parse.CommandResult.Command, root)]);
            Console.Error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException usage)
        {
            Console.Error.WriteLine("renkei: " + usage.Message);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("renkei: cancelled");
            return ExitCodes.Failure;
        }
        catch (Exception failure) when (failure is not OutOfMemoryException)
        {
            // Renkei's own exceptions say what went wrong without personal data; the stack is for developers.
            Console.Error.WriteLine($"renkei: {failure.Message}");
            if (Environment.GetEnvironmentVariable("RENKEI_DEBUG") is { Length: > 0 }) Console.Error.WriteLine(failure);
            return ExitCodes.Failure;
        }
    }

    /// <summary>The first RENKEI_*_DB variable set (RENKEI_JLIS_DB, RENKEI_MUNICIPALITY_DB_131091 …), which named databases before the configuration files.</summary>
    private static string? RemovedDatabaseVariable() =>
        Environment.GetEnvironmentVariables().Keys.OfType<string>().Order(StringComparer.Ordinal).FirstOrDefault(name =>
            name.StartsWith("RENKEI_", StringComparison.Ordinal)
            && new[] { "RENKEI_JLIS_DB", "RENKEI_NETWORK_DB", "RENKEI_MUNICIPALITY_DB_", "RENKEI_INTERMEDIATE_DB_", "RENKEI_HOLDER_DB_" }
                .Any(old => name == old || (old.EndsWith('_') && name.StartsWith(old, StringComparison.Ordinal))));

    /// <summary>"Did you mean …?" for a mistyped subcommand or option of the command that was reached.</summary>
    private static IEnumerable<string> Suggestions(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var known = command.Subcommands.Select(c => c.Name)
            .Concat(command.Options.Select(o => o.Name))
            .Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options.Where(o => o.Recursive).Select(o => o.Name)))
            .ToList();
        foreach (var token in parse.UnmatchedTokens)
        {
            var closest = known
                .Select(name => (name, distance: EditDistance(token, name)))
                .Where(candidate => candidate.distance <= Math.Max(1, candidate.name.Length / 3))
                .OrderBy(candidate => candidate.distance)
                .Select(candidate => candidate.name)
                .FirstOrDefault();
            if (closest is not null) yield return $"Did you mean '{closest}' instead of '{token}'?";
        }
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static IEnumerable<string> CommandPath(Command command, RootCommand root)
    {
        var names = new Stack<string>();
        for (Command? current = command; current is not null && current != root; current = current.Parents.OfType<Command>().FirstOrDefault())
            names.Push(current.Name);
        return names;
    }
}

/// <summary>A command-line value that parsed but makes no sense (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
