using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;

namespace Renkei.Cli.Commands;

/// <summary><c>renkei number …</c> and <c>renkei corporate-number …</c>: validate numbers as typed.</summary>
public static class NumberCommands
{
    /// <summary>The exact shape printed under --json.</summary>
    public sealed record CheckResult(bool Valid, string? Normalized, string? Error);

    public static void AddTo(RootCommand root)
    {
        var number = new Command("number", "individual numbers (個人番号)");
        number.Subcommands.Add(CheckCommand("check a 12-digit individual number (spaces, hyphens and full-width digits are accepted)",
            text => ToResult(IndividualNumber.Parse(text), n => n.Digits)));

        var bodyArgument = new Argument<string>("digits") { Description = "the first 11 digits of an individual number" };
        var checkDigit = new Command("check-digit", "print the check digit for an 11-digit body") { bodyArgument };
        checkDigit.SetAction(parse =>
        {
            var result = IndividualNumber.ComputeCheckDigit(parse.GetValue(bodyArgument));
            if (!result.IsValid)
            {
                Console.Error.WriteLine("renkei: " + result.Error!.Message);
                return ExitCodes.Failure;
            }
            Console.WriteLine(result.Value);
            return ExitCodes.Success;
        });
        number.Subcommands.Add(checkDigit);
        root.Subcommands.Add(number);

        var corporate = new Command("corporate-number", "corporate numbers (法人番号)");
        corporate.Subcommands.Add(CheckCommand("check a 13-digit corporate number",
            text => ToResult(CorporateNumber.Parse(text), n => n.Digits)));
        root.Subcommands.Add(corporate);
    }

    private static Command CheckCommand(string description, Func<string?, CheckResult> check)
    {
        var value = new Argument<string>("value") { Description = "the number to check" };
        var json = CliOptions.Json();
        var command = new Command("check", description) { value, json };
        command.SetAction(parse =>
        {
            var result = check(parse.GetValue(value));
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
            else if (result.Valid)
                Console.WriteLine($"valid: {result.Normalized}");
            else
                Console.WriteLine($"invalid: {result.Error}");
            return result.Valid ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static CheckResult ToResult<T>(ParseResult<T> parsed, Func<T, string> digits) =>
        parsed.IsValid ? new CheckResult(true, digits(parsed.Value), null) : new CheckResult(false, null, parsed.Error!.Message);
}
