using System.Text.Json.Nodes;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// Issue 18's drill "a read-only data directory": a role whose database or key directory cannot be written refuses to start
/// with a message naming the file, the settings to check and the reason, and exits 1 instead of serving half-broken.
/// /sys stands for a read-only disk: nobody, not even root, creates files there.
/// </summary>
public sealed class UnwritableDataTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("Database")]
    [InlineData("KeyDirectory")]
    public async Task A_network_that_cannot_write_its_database_or_keys_refuses_to_start(string unwritable)
    {
        var data = _root.File("data");
        var file = _root.File("network.json");
        var written = await CliProcess.RunAsync(data, "serve", "--role", "network", "--write-config", file);
        Assert.True(written.ExitCode == 0, written.StandardError);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        var readOnly = "/sys/renkei-drill-" + Guid.NewGuid().ToString("N");
        config["Network"]![unwritable] = unwritable == "Database" ? "sqlite:" + readOnly + "/network.db" : readOnly;
        config["Serve"]!.AsObject().Remove("Tls");
        config["Serve"]!["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = 0 };
        await File.WriteAllTextAsync(file, config.ToJsonString());

        var served = await CliProcess.RunAsync(data, "serve", "--role", "network", "--config", file);

        Assert.Equal(1, served.ExitCode);
        Assert.Contains("network.json: the service cannot write its database or keys", served.StandardError);
        Assert.Contains("データまたは鍵を書き込めないため起動しません", served.StandardError);
        Assert.DoesNotContain("listening on", served.StandardOutput);
        Assert.False(Directory.Exists(readOnly));
    }
}
