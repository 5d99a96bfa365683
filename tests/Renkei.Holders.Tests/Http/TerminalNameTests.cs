using Renkei.Holders.Http;

namespace Renkei.Holders.Tests.Http;

/// <summary>The terminal header goes into the holder's operation log only when it cannot carry a number or a code.</summary>
public sealed class TerminalNameTests
{
    [Theory]
    [InlineData("pension-desk-01", true)]
    [InlineData("w3.counter:2", true)]
    [InlineData("desk-1234567890", true)] // ten digits: not a number or a resident-record code
    [InlineData("desk-12345678901", false)] // eleven: could be a resident-record code
    [InlineData("123456789018", false)] // a number
    [InlineData("desk 1", false)]
    [InlineData("窓口", false)]
    [InlineData("desk\n1", false)]
    public void Only_plain_names_without_long_digit_runs_are_logged(string name, bool plain) =>
        Assert.Equal(plain, HolderEndpoints.IsPlainTerminalName(name));
}
