using System.Text.RegularExpressions;

namespace Renkei.Core.Tests.Architecture;

/// <summary>
/// No request thread blocks on a task: the sources under src/ never wait synchronously for one (<c>.GetAwaiter().GetResult()</c>,
/// <c>.Wait(…)</c>, <c>Task.WaitAll/WaitAny</c>, <c>…Async(…).Result</c>), so a storage or HTTP call that went asynchronous is
/// awaited end to end. The few synchronous waits that are not on a request path are listed here with the reason; a new one
/// fails this test, naming its file and line. (A text scan, not a compiler analysis: it catches the usual spellings.)
/// </summary>
public sealed partial class NoBlockingWaitTests
{
    /// <summary>Allowed waits: file (relative to src/) and the code on the line, with why it is not on a request path.</summary>
    private static readonly (string File, string Code, string Reason)[] Allowed =
    [
        ("Renkei.Infrastructure/Audit/AuditLogStore.cs", "while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())",
            "the group-commit writer runs on its own dedicated thread, never a request's"),
        ("Renkei.Infrastructure/Audit/AuditLogStore.cs", "public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();",
            "IDisposable for callers without await (tools, tests); hosts dispose asynchronously"),
        ("Renkei.Municipality/Audit/OperationLog.cs", "public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();",
            "IDisposable for callers without await (tools, tests); hosts dispose asynchronously"),
        ("Renkei.Holders/HolderRuntime.cs", "log?.DisposeAsync().AsTask().GetAwaiter().GetResult();",
            "cleans up a half-built runtime at start, before any request"),
        ("Renkei.Intermediate/Node/IntermediateNode.cs", "node.DisposeAsync().AsTask().GetAwaiter().GetResult();",
            "cleans up a half-built node at start, before any request"),
    ];

    [GeneratedRegex(@"\.GetAwaiter\(\)\s*\.GetResult\(\)|\.Wait\(\s*\)|\.Wait\(\s*(TimeSpan|\d|[a-z]\w*\s*[,)])|\bTask\.Wait(All|Any)\(|Async\([^;]*?\)\s*\.Result\b|\.AsTask\(\)\s*\.Result\b")]
    private static partial Regex BlockingWait();

    [Fact]
    public void No_source_waits_synchronously_for_a_task_outside_the_listed_places()
    {
        var src = Path.Combine(ProjectGraphTests.RepositoryRoot(), "src");
        var found = new List<string>();
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                                 && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            scanned++;
            var relative = Path.GetRelativePath(src, file).Replace(Path.DirectorySeparatorChar, '/');
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].Trim();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("///", StringComparison.Ordinal)) continue;
                if (!BlockingWait().IsMatch(code)) continue;
                if (Allowed.Any(a => a.File == relative && a.Code == code)) continue;
                found.Add($"{relative}:{i + 1}: {code}");
            }
        }
        Assert.True(scanned > 100, $"only {scanned} source files found under {src}");
        Assert.True(found.Count == 0, "synchronous waits for a task (await it instead, or list it here with the reason):\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("var x = client.GetAsync(uri).Result;")]
    [InlineData("task.Wait();")]
    [InlineData("task.Wait(TimeSpan.FromSeconds(1));")]
    [InlineData("task.Wait(timeout);")]
    [InlineData("Task.WaitAll(tasks);")]
    [InlineData("return store.FindAsync(id).GetAwaiter().GetResult();")]
    [InlineData("var v = pending.AsTask().Result;")]
    public void The_scan_recognises_the_usual_spellings(string code) => Assert.Matches(BlockingWait(), code);

    [Theory]
    [InlineData("context.Result = new RedirectToPageResult(\"/Login\");")]
    [InlineData("var result = await store.FindAsync(id);")]
    [InlineData("PortalText.Result(record.Result)")]
    [InlineData("await reader.WaitToReadAsync(cancellationToken);")]
    [InlineData("if (key.IsCompletedSuccessfully) key.Result?.Dispose();")]
    public void The_scan_leaves_ordinary_code_alone(string code) => Assert.DoesNotMatch(BlockingWait(), code);
}
