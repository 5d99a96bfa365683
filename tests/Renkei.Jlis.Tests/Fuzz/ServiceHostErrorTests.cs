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
            var internalError = JsonDocument.Parse(bug.Text).RootElement;
            Assert.Equal("internal-error", internalError.GetProperty("code").GetString());
            Assert.Equal("urn:renkei:problem:internal-error", internalError.GetProperty("type").GetString());
            Assert.Equal("内部エラーが発生しました", internalError.GetProperty("title").GetString());
            Assert.Equal(500, internalError.GetProperty("status").GetInt32());
            Assert.Equal("内部エラー", internalError.GetProperty("detail").GetString()); // people read the Japanese part only
            Assert.DoesNotContain("failed for", bug.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(nameof(InvalidOperationException), bug.Text, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
        var log = console.Text;
        Assert.Contains("unhandled InvalidOperationException on /bug", log, StringComparison.Ordinal); // the log is captured
        BodyFuzz.AssertClean(log, "the service's log");
    }

    [Theory]
    [InlineData(400, "probe-bad", "要求の内容に誤りがあります")]
    [InlineData(403, "probe-forbidden", "この操作は許可されていません")]
    [InlineData(404, "probe-missing", "見つかりません")]
    [InlineData(409, "probe-conflict", "現在の状態では実行できません")]
    [InlineData(503, "probe-unavailable", "サービスを利用できません")]
    public async Task A_thrown_refusal_is_an_RFC_9457_problem_logged_by_code_and_path_only(int status, string code, string title)
    {
        using var console = new ConsoleCapture();
        // The refusal's message is text for people; it is not logged (it is written for the body, where it names no value).
        const string message = "probe: refused for the test (テストのため拒否します)";
        const string detail = "probe: テストのため拒否します"; // what people read: the field and the Japanese part (JapaneseText.ForPerson)
        var host = await ServiceHost.StartAsync("probe", _ => { }, app =>
            app.MapPost("/refuse", IResult () => throw new RefusalException(status, code, message))
                .AllowPublic("a probe of the host's error handling"),
            new ServiceHostOptions { Settings = new Dictionary<string, string?> { ["Logging:LogLevel:" + ErrorResponses.LogCategory] = "Information" } });
        try
        {
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            using var response = await http.PostAsync("refuse", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal(ProblemBody.MediaType, response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = body.RootElement;
            Assert.Equal("urn:renkei:problem:" + code, root.GetProperty("type").GetString());
            Assert.Equal(title, root.GetProperty("title").GetString());
            Assert.Equal(status, root.GetProperty("status").GetInt32());
            Assert.Equal(detail, root.GetProperty("detail").GetString());
            Assert.Equal(code, root.GetProperty("code").GetString());
            Assert.Equal(detail, root.GetProperty("message").GetString()); // the deprecated alias, for one release

            // What a published client reads of it.
            using var again = await http.PostAsync("refuse", new StringContent("{}", Encoding.UTF8, "application/json"));
            var problem = await ServiceResponses.ProblemOfAsync(again, default);
            Assert.Equal((status, code, detail, title), (problem.Status, problem.Code, problem.Detail, problem.Title));
        }
        finally
        {
            await host.DisposeAsync();
        }
        var log = console.Text;
        Assert.Contains($"refused {status} {code} on /refuse", log, StringComparison.Ordinal);
        Assert.DoesNotContain("テストのため", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_reads_the_previous_release_s_code_and_message_and_a_body_that_is_no_problem()
    {
        using var old = new HttpResponseMessage(System.Net.HttpStatusCode.Conflict)
        {
            Content = new StringContent("""{"code":"request-id-reused","message":"the request id was used (要求IDが使用済みです)"}""", Encoding.UTF8, "application/json"),
        };
        var fromOld = await ServiceResponses.ProblemOfAsync(old, default);
        Assert.Equal(("request-id-reused", "the request id was used (要求IDが使用済みです)", 409, "urn:renkei:problem:request-id-reused"),
            (fromOld.Code, fromOld.Detail, fromOld.Status, fromOld.Type));

        using var html = new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("<html>proxy error</html>", Encoding.UTF8, "text/html"),
        };
        var fromHtml = await ServiceResponses.ProblemOfAsync(html, default);
        Assert.Equal(("http-502", "Bad Gateway", 502), (fromHtml.Code, fromHtml.Detail, fromHtml.Status));
    }
}
