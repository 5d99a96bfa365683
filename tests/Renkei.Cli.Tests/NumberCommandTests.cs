using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

public class NumberCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Valid_number_prints_the_exact_json_shape_and_exits_0()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "number", "check", "123456789018", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"valid\":true,\"normalized\":\"123456789018\",\"error\":null}", outcome.StandardOutput.Trim());
    }

    [Fact]
    public async Task Wrong_check_digit_exits_1_and_says_so()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "number", "check", "123456789019", "--json");

        Assert.Equal(1, outcome.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(outcome.StandardOutput);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("normalized").ValueKind);
        Assert.Contains("check digit", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Full_width_digits_with_hyphens_are_normalised()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "number", "check", "１２３４-５６７８-９０１８", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("\"normalized\":\"123456789018\"", outcome.StandardOutput);
    }

    [Theory]
    [InlineData("12345678901", "expected 12 digits")]
    [InlineData("12345678901x", "not a digit")]
    public async Task Other_errors_name_the_problem(string value, string expected)
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "number", "check", value, "--json");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains(expected, outcome.StandardOutput);
    }

    [Fact]
    public async Task Check_digit_command_prints_the_digit()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "number", "check-digit", "12345678901");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("8", outcome.StandardOutput.Trim());
    }

    [Theory]
    [InlineData("7000012050002", 0, true)]
    [InlineData("8000012050002", 1, false)]
    public async Task Corporate_number_check_has_the_same_shape(string value, int exitCode, bool valid)
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "corporate-number", "check", value, "--json");

        Assert.Equal(exitCode, outcome.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(outcome.StandardOutput);
        Assert.Equal(valid, json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(["valid", "normalized", "error"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Theory]
    [InlineData("numbr", "check", "1")]
    [InlineData("number", "check")]
    [InlineData("number", "check", "123456789018", "--jsn")]
    public async Task Usage_errors_exit_2_with_a_hint(params string[] arguments)
    {
        var outcome = await CliProcess.RunAsync(_data.Path, arguments);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--help", outcome.StandardError);
    }
}

public class UsageHintTests
{
    [Fact]
    public async Task A_mistyped_command_gets_a_suggestion()
    {
        using var data = new TempDirectory();

        var outcome = await CliProcess.RunAsync(data.Path, "numbr", "check", "123456789018");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("Did you mean 'number'", outcome.StandardError);
    }
}
