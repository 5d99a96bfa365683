using System.Text;
using Renkei.Core.Audit;

namespace Renkei.Core.Tests.Audit;

public class CanonicalJsonTests
{
    private sealed record Sample(string Zeta, int Alpha, string? Middle, Nested Inner);
    private sealed record Nested(bool B, string A);

    [Fact]
    public void Keys_are_sorted_at_every_level_without_whitespace_and_japanese_is_unescaped()
    {
        var bytes = CanonicalJson.Serialize(new Sample("品川区", 1, null, new Nested(true, "x")));

        Assert.Equal("{\"alpha\":1,\"inner\":{\"a\":\"x\",\"b\":true},\"middle\":null,\"zeta\":\"品川区\"}", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void The_same_value_written_differently_has_one_canonical_form()
    {
        var a = CanonicalJson.Canonicalize("{ \"b\" : [1, {\"y\":2,\"x\":1}], \"a\": \"\\u54c1\" }"u8);
        var b = CanonicalJson.Canonicalize("{\"a\":\"品\",\"b\":[1,{\"x\":1,\"y\":2}]}"u8);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        Assert.Throws<System.Text.Json.JsonException>(() => CanonicalJson.Canonicalize("{\"a\":1,\"a\":2}"u8));
    }
}
