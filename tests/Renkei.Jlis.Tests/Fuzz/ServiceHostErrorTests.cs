using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Fuzz;

/// <summary>
/// What every service's host does with an exception no handler caught (a body read with <c>ReadFromJsonAsync</c> that does
/// not parse, a body over the server's limit, a bug): a problem body that repeats no input, and a log line naming the
/// exception's type only — no message, no stack trace.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ServiceHostErrorTests
{
    private sealed record Probe(string Name, int Count);

    [Fact]
    public async Task Uncaught_exceptions_are_answered_and_logged_without_the_input_or_a_stack_trace()
    {
        using var console = new ConsoleCapture();
        var host = await ServiceHost.StartAsync("probe", _ => { }, app =>
        {
            app.MapPost("/typed", async (HttpContext http) => Results.Json(await http.Request.ReadFromJsonAsync<Probe>(JsonDefaults.Options)))
                .AllowPublic("a probe of the host's error handling");
            app.MapPost("/small", async (HttpContext http) =>
            {
                http.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = 1_000;
                using var reader = new StreamReader(http.Request.Body);
                return Results.Text((await reader.ReadToEndAsync()).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }).AllowPublic("a probe of the host's error handling");
            app.MapPost("/bug", IResult () => throw new InvalidOperationException("failed for " + BodyFuzz.Marker))
                .AllowPublic("a probe of the host's error handling");
        });
        try
        {
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            var client = new RawRouteClient(http);
            foreach (var body in new[]
                     {
                         $$"""{"name":tru{{BodyFuzz.Marker}},"count":1}""", $$"""{"name":"a","count":{{BodyFuzz.Marker}}}""",
                         $$"""{"name":{{BodyFuzz.Marker}}abc}""", $$"""{"name":"{{BodyFuzz.LongText}}","count":"x"}""", $$"""{"name":"{{BodyFuzz.Marker}}""",
                     })
            {
                var answer = await client.PostAsync("typed", Encoding.UTF8.GetBytes(body));
                Assert.Equal(400, answer.Status);
                BodyFuzz.AssertRefusalIsClean(answer, "typed");
            }

            var large = await client.PostAsync("small", Encoding.UTF8.GetBytes(BodyFuzz.LongText));
            Assert.Equal(413, large.Status);
            BodyFuzz.AssertRefusalIsClean(large, "small");
            Assert.Equal("body-too-large", JsonDocument.Parse(large.Text).RootElement.GetProperty("code").GetString());
            Assert.True((await client.PostAsync("small", Encoding.UTF8.GetBytes("short"))).Accepted);

            var bug = await client.PostAsync("bug", []);
            Assert.Equal(500, bug.Status);
            BodyFuzz.AssertClean(bug.Text, "the 500");
            Assert.Equal("internal-error", JsonDocument.Parse(bug.Text).RootElement.GetProperty("code").GetString());
        }
        finally
        {
            await host.DisposeAsync();
        }
        var log = console.Text;
        Assert.Contains("unhandled InvalidOperationException on /bug", log, StringComparison.Ordinal); // the log is captured
        BodyFuzz.AssertClean(log, "the service's log");
    }
}
