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
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine("renkei: " + error.Message);
            var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name
                ? ["renkei"]
                : ["renkei", .. CommandPath(parse.CommandResult.Command, root)]);
            Console.Error.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync();
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
