using System.Text.RegularExpressions;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Demo;

/// <summary><c>renkei demo --scenario attachments</c>: a family's child allowance decided from linked data, end to end through the real command.</summary>
public class DemoScenarioTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task The_attachment_scenario_decides_a_child_allowance_with_no_attachment_and_shows_the_records()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "900", "--seed", "6", "--once", "--scenario", "attachments");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var output = outcome.StandardOutput;
        Assert.Contains("決定: 認定", output);
        Assert.Contains("（添付書類なし）", output);
        Assert.Contains("省略した添付書類: 住民票の写し（前住所地）、課税（非課税）証明書", output);
        // Both linkages were provided by the previous ward and recorded at the network and both parties, chain intact.
        Assert.Equal(2, Regex.Matches(output, "提供（提供元 大田区（131113）").Count);
        Assert.Contains("品川区（照会者）", output);
        Assert.Contains("大田区（提供者）", output);
        Assert.Contains("記録の連鎖: 改ざんなし", output);
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, output);
    }

    [Fact]
    public async Task An_unknown_scenario_is_a_usage_error()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--once", "--scenario", "teleport");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("attachments", outcome.StandardError);
    }
}
