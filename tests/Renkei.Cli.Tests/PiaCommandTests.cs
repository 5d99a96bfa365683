using System.Text.Json;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary><c>renkei pia level</c>: the threshold decision as a program reads it (JSON) and as a person does.</summary>
public class PiaCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData("999", "600", true, "none")]
    [InlineData("10000", "499", false, "basic")]
    [InlineData("10000", "500", false, "basic+priority")]
    [InlineData("100,000", "0", true, "basic+full")]
    [InlineData("300000", "0", false, "basic+full")]
    public async Task Level_prints_the_level_as_json(string people, string handlers, bool incident, string expected)
    {
        string[] arguments = ["pia", "level", "--people", people, "--handlers", handlers, "--json", .. incident ? new[] { "--serious-incident" } : []];
        var outcome = await CliProcess.RunAsync(_data.Path, arguments);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        using var json = JsonDocument.Parse(outcome.StandardOutput);
        Assert.Equal(expected, json.RootElement.GetProperty("level").GetString());
        Assert.Single(json.RootElement.EnumerateObject());
    }

    [Fact]
    public async Task Without_json_it_answers_in_Japanese_and_a_bad_figure_is_a_usage_error_naming_the_option()
    {
        var text = await CliProcess.RunAsync(_data.Path, "pia", "level", "--people", "150000", "--handlers", "20");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("基礎項目評価及び重点項目評価", text.StandardOutput);

        var bad = await CliProcess.RunAsync(_data.Path, "pia", "level", "--people", "-5x", "--handlers", "20");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--people", bad.StandardError);
        Assert.DoesNotContain("-5x", bad.StandardError);
    }
}
