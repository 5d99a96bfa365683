using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Tokens;
using static Renkei.Cli.Commands.BenchCommands;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei bench tokens</c>: the network's keyed permutations on one core — deriving a person's token from the
/// resident-record code (ID code, then the institution's token) and converting one institution's token into
/// another's — in the bulk form the network uses for 符号一斉取得 and batch queries, and one at a time as an
/// immediate query does. Issue 4's target: ≥ 500,000 per second per core.
/// </summary>
public static class TokenBenchCommand
{
    public sealed record TokenBenchResult(
        string Benchmark,
        long Count,
        int Threads,
        double DerivationsPerSecond,
        double ConversionsPerSecond,
        double SingleDerivationsPerSecond,
        double SingleConversionsPerSecond,
        MachineInfo Machine);

    public static void AddTo(Command bench)
    {
        var count = new Option<int>("--count") { Description = "people to derive tokens for and convert", DefaultValueFactory = _ => 1_000_000 };
        var json = CliOptions.Json();
        var command = new Command("tokens", "derive and convert tokens (符号) on one core and print operations per second") { count, json };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(count);
            if (n < 1_000) throw new UsageException("--count must be at least 1000");
            var result = Run(n);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
            else
                Console.WriteLine($"{result.Count:N0} people on one core: derivations {result.DerivationsPerSecond:N0}/s, conversions {result.ConversionsPerSecond:N0}/s "
                    + $"(one at a time: {result.SingleDerivationsPerSecond:N0}/s and {result.SingleConversionsPerSecond:N0}/s)");
            return ExitCodes.Success;
        });
        bench.Subcommands.Add(command);
    }

    public static TokenBenchResult Run(int count)
    {
        using var deriver = new TokenDeriver(RandomNumberGenerator.GetBytes(TokenDeriver.MasterKeyLength));
        var random = new Random(20261122);
        var codes = new ResidentCode[count];
        for (var i = 0; i < count; i++) codes[i] = ResidentCode.FromBody(random.NextInt64(ResidentCode.BodyCount));
        var idCodes = new long[count];
        var tokens = new Token[count];
        var converted = new Token[count];

        // Warm up the engines (key schedule, JIT) outside the measurement.
        deriver.DeriveIdCodes(codes.AsSpan(0, 1000), idCodes.AsSpan(0, 1000));
        deriver.TokensFor(idCodes.AsSpan(0, 1000), "131091", tokens.AsSpan(0, 1000));
        deriver.Convert(tokens.AsSpan(0, 1000), "131091", "JPS001", converted.AsSpan(0, 1000));

        var clock = Stopwatch.StartNew();
        deriver.DeriveIdCodes(codes, idCodes);
        deriver.TokensFor(idCodes, "131091", tokens);
        var derivation = clock.Elapsed.TotalSeconds;

        clock.Restart();
        deriver.Convert(tokens, "131091", "JPS001", converted);
        var conversion = clock.Elapsed.TotalSeconds;

        // One at a time (an immediate query converts one token): a tenth of the people.
        var single = Math.Max(1000, count / 10);
        clock.Restart();
        for (var i = 0; i < single; i++) tokens[i] = deriver.TokenFor(deriver.DeriveIdCode(codes[i]), "131091");
        var singleDerivation = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var i = 0; i < single; i++) converted[i] = deriver.Convert(tokens[i], "131091", "JPS001");
        var singleConversion = clock.Elapsed.TotalSeconds;

        // The conversion must land on the token derived directly for the other institution.
        if (converted[single - 1] != deriver.TokenFor(deriver.DeriveIdCode(codes[single - 1]), "JPS001"))
            throw new InvalidOperationException("token conversion disagrees with direct derivation");

        return new TokenBenchResult("tokens", count, 1,
            Math.Round(count / derivation), Math.Round(count / conversion),
            Math.Round(single / singleDerivation), Math.Round(single / singleConversion),
            MachineInfo.Current());
    }
}
