namespace Renkei.Core.People;

/// <summary>Sex as recorded on the resident register (one of the four basic facts, 基本4情報).</summary>
public enum Sex
{
    Male = 1,
    Female = 2,
}

public static class SexText
{
    public static string ToJapanese(this Sex sex) => sex switch
    {
        Sex.Male => "男",
        Sex.Female => "女",
        _ => throw new ArgumentOutOfRangeException(nameof(sex)),
    };

    /// <summary>Accepts 1/2, 男/女, M/F, male/female.</summary>
    public static bool TryParse(string? text, out Sex sex)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "1" or "男" or "m" or "male": sex = Sex.Male; return true;
            case "2" or "女" or "f" or "female": sex = Sex.Female; return true;
            default: sex = default; return false;
        }
    }
}
