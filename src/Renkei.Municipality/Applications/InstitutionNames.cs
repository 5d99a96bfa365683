namespace Renkei.Municipality.Applications;

/// <summary>
/// Names of the institutions (and the ward's own systems) the demo country knows, by code, so a clerk or a resident reads
/// 「大田区（131113）」 beside the code a provision record names. A code not listed stays as it is.
/// </summary>
public static class InstitutionNames
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["131091"] = "品川区",
        ["131113"] = "大田区",
        ["131199"] = "板橋区",
        ["JPS001"] = "日本年金機構",
        ["06139999"] = "東京デモ健康保険組合",
        ["individual-residence-tax"] = "個人住民税システム（庁内）",
        ["child-allowance"] = "児童手当・児童扶養手当システム（庁内）",
    };

    /// <summary>The name alone (大田区), or null for a code not listed.</summary>
    public static string? NameOf(string? code) => code is not null && Known.TryGetValue(code, out var name) ? name : null;

    /// <summary>"大田区（131113）" for a listed code, else null.</summary>
    public static string? WithCode(string code) => NameOf(code) is { } name ? $"{name}（{code}）" : null;
}
