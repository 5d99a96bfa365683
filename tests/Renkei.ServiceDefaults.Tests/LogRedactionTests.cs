using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Logging;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>
/// Every service's logs pass through redaction: a parameter classified <see cref="SecretDataAttribute"/> or
/// <see cref="PersonalDataAttribute"/> is erased, an <see cref="IdentifierDataAttribute"/> becomes a keyed hash that
/// stays the same for the same value within a run, and unclassified parameters are written as they are.
/// </summary>
public sealed partial class LogRedactionTests
{
    private const string Number = "123456789018";
    private const string Name = "山田太郎";
    private const long Addressee = 4_711_000_123;

    [Fact]
    public async Task Classified_parameters_never_reach_a_log_provider()
    {
        var sink = new CapturingProvider();
        await using (var host = await ServiceHost.StartAsync("probe", b => b.Logging.AddProvider(sink), app =>
                     {
                         app.MapPost("/log/{which}", (string which, ILoggerFactory loggers) =>
                         {
                             var logger = loggers.CreateLogger("Renkei.Probe");
                             Probe(logger, Number, Name, which == "same" ? Addressee : Addressee + 1, "route-code");
                             return Results.NoContent();
                         }).AllowPublic("a probe of log redaction");
                     }))
        {
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            foreach (var which in new[] { "same", "same", "other" })
                (await http.PostAsync("log/" + which, null)).EnsureSuccessStatusCode();
        }

        var lines = sink.Lines.Where(l => l.Contains("probe entry", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        foreach (var line in lines)
        {
            Assert.DoesNotContain(Number, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Name, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Addressee.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
            Assert.DoesNotContain((Addressee + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
            Assert.Contains("code=route-code", line, StringComparison.Ordinal); // unclassified: as it is
        }
        var pseudonyms = lines.Select(l => AddresseeField().Match(l).Groups[1].Value).ToList();
        Assert.All(pseudonyms, p => Assert.True(p.Length >= 8, "the identifier is replaced by a hash"));
        Assert.Equal(pseudonyms[0], pseudonyms[1]);
        Assert.NotEqual(pseudonyms[0], pseudonyms[2]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "probe entry number={Number} name={Name} addressee={Addressee} code={Code}")]
    private static partial void Probe(ILogger logger, [SecretData] string number, [PersonalData] string name, [IdentifierData] long addressee, string code);

    [GeneratedRegex(@"addressee=(\S*) ")]
    private static partial Regex AddresseeField();

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(CapturingProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue(formatter(state, exception));
        }
    }
}
