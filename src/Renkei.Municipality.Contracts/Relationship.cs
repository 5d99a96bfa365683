namespace Renkei.Municipality.Contracts;

/// <summary>Relationship to the head of household as written on the register. /// 続柄</summary>
public enum Relationship
{
    Head = 1,          // 世帯主
    Wife = 2,          // 妻
    Husband = 3,       // 夫
    Child = 4,         // 子
    Father = 5,        // 父
    Mother = 6,        // 母
    Grandchild = 7,    // 孫
    ElderBrother = 8,  // 兄
    ElderSister = 9,   // 姉
    YoungerBrother = 10, // 弟
    YoungerSister = 11,  // 妹
    Grandfather = 12,  // 祖父
    Grandmother = 13,  // 祖母
    ChildsWife = 14,   // 子の妻
    ChildsHusband = 15, // 子の夫
    FatherInLaw = 16,  // 妻の父 / 夫の父
    MotherInLaw = 17,  // 妻の母 / 夫の母
    Relative = 18,     // 縁故者
    Cohabitant = 19,   // 同居人
    NonResidentHeadRelative = 20, // 世帯主の親族（その他）
}

public static class RelationshipText
{
    private static readonly Dictionary<Relationship, string> Japanese = new()
    {
        [Relationship.Head] = "世帯主",
        [Relationship.Wife] = "妻",
        [Relationship.Husband] = "夫",
        [Relationship.Child] = "子",
        [Relationship.Father] = "父",
        [Relationship.Mother] = "母",
        [Relationship.Grandchild] = "孫",
        [Relationship.ElderBrother] = "兄",
        [Relationship.ElderSister] = "姉",
        [Relationship.YoungerBrother] = "弟",
        [Relationship.YoungerSister] = "妹",
        [Relationship.Grandfather] = "祖父",
        [Relationship.Grandmother] = "祖母",
        [Relationship.ChildsWife] = "子の妻",
        [Relationship.ChildsHusband] = "子の夫",
        [Relationship.FatherInLaw] = "義父",
        [Relationship.MotherInLaw] = "義母",
        [Relationship.Relative] = "縁故者",
        [Relationship.Cohabitant] = "同居人",
        [Relationship.NonResidentHeadRelative] = "親族",
    };

    private static readonly Dictionary<string, Relationship> ByText =
        Japanese.ToDictionary(pair => pair.Value, pair => pair.Key);

    public static string ToJapanese(this Relationship relationship) => Japanese[relationship];

    /// <summary>Accepts the Japanese label (世帯主, 妻, 子 …) or the numeric code.</summary>
    public static bool TryParse(string? text, out Relationship relationship)
    {
        var trimmed = text?.Trim() ?? "";
        if (ByText.TryGetValue(trimmed, out relationship)) return true;
        if (int.TryParse(trimmed, out var code) && Enum.IsDefined(typeof(Relationship), code))
        {
            relationship = (Relationship)code;
            return true;
        }
        relationship = default;
        return false;
    }
}
