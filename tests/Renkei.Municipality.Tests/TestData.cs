using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

internal static class TestData
{
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    public static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    /// <summary>Distinct valid resident-record codes, deterministic per seed.</summary>
    public static ResidentCode Code(long i) => ResidentCode.FromBody(1_000_000_000L + i * 7_777L);

    /// <summary>Households of up to four: head, wife, children.</summary>
    public static IEnumerable<RegisterImportRecord> Records(int count, long firstCode = 0)
    {
        var names = new[] { ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ") };
        for (long i = 0; i < count; i++)
        {
            var household = (i / 4 + 1).ToString("D8");
            var position = i % 4;
            var (family, kana) = names[(int)(i / 4 % names.Length)];
            var relationship = position switch { 0 => Relationship.Head, 1 => Relationship.Wife, _ => Relationship.Child };
            yield return new RegisterImportRecord(household, Code(firstCode + i), family, position switch { 0 => "太郎", 1 => "花子", 2 => "一郎", _ => "二郎" },
                kana, position switch { 0 => "タロウ", 1 => "ハナコ", 2 => "イチロウ", _ => "ジロウ" },
                new DateOnly(position < 2 ? 1970 : 2009, 1 + (int)(i % 12), 1 + (int)(i % 28)),
                position == 1 ? Sex.Female : Sex.Male, relationship, $"東京都品川区広町二丁目{i / 4 % 50 + 1}番{i / 200 % 20 + 1}号",
                new DateOnly(2010, 4, 1), false, null, null);
        }
    }
}
