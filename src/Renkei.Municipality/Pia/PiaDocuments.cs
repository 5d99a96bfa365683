using System.Globalization;
using Renkei.Core.Pia;
using Renkei.Documents;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>
/// The assessment documents (評価書) made from the inventory and the live figures, on the ward's paper. Today the
/// 基礎項目評価書 (the threshold assessment every file of 1,000 people or more needs, seed 001 資料1-3's form: Ⅰ 関連情報,
/// Ⅱ しきい値判断項目, Ⅲ しきい値判断結果); the 重点項目 and 全項目 forms with their protection measures come later.
/// </summary>
public static class PiaDocuments
{
    /// <summary>基礎項目評価書 of <paramref name="assessment"/>'s file, by <paramref name="mayorTitle"/> (評価実施機関).</summary>
    public static MunicipalDocument Basic(PiaFileAssessment assessment, AssessmentThresholds thresholds, AffairCatalogue affairs, string mayorTitle)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(affairs);
        var file = assessment.File;
        var affairNames = file.Affairs.Select(code => affairs.Find(code) is { } affair ? $"{affair.Name}（{affair.LegalSource}）" : code).ToList();
        return new MunicipalDocument("特定個人情報保護評価書（基礎項目評価書）", assessment.AsOf, new DocumentIssuer(mayorTitle, OfficialSeal: false),
        [
            new DocumentHeading("Ⅰ　関連情報"),
            new DocumentFields(
                ("評価実施機関の名称", mayorTitle),
                ("特定個人情報ファイル名", file.Name),
                ("所管課", file.Department),
                ("事務（個人番号の利用の根拠）", string.Join("、", affairNames))),
            new DocumentHeading("Ⅱ　しきい値判断項目"),
            new DocumentFields(
                ("対象人数", $"{PeopleBand(assessment.People, thresholds)}（{N(assessment.People)}人）"),
                ("取扱者数", $"{(assessment.Handlers >= thresholds.Handlers ? $"{N(thresholds.Handlers)}人以上" : $"{N(thresholds.Handlers)}人未満")}"
                    + $"（職員{N(assessment.StaffHandlers)}人、外部委託先{N(assessment.ContractorHandlers)}人）"),
                ("重大事故（過去1年以内）", assessment.SeriousIncident ? "発生あり" : "発生なし")),
            new DocumentHeading("Ⅲ　しきい値判断結果"),
            new DocumentParagraph("　" + assessment.Computed.Japanese() + "の実施が" + (assessment.Computed == AssessmentLevel.None ? "義務付けられない。" : "義務付けられる。")),
            new DocumentParagraph($"　公表している評価：{file.DeclaredLevel.Japanese()}。{assessment.FollowUp}"),
            new DocumentParagraph("　この評価書の数値は、" + Renkei.Core.Dates.JapaneseEraDate.Format(assessment.AsOf)
                + "現在の住民記録・業務システム・職員の担当事務・外部委託先及び事故の記録から算出した。"),
        ]);
    }

    private static string PeopleBand(long people, AssessmentThresholds t) =>
        people < t.Basic ? $"{N(t.Basic)}人未満"
        : people < t.Priority ? $"{N(t.Basic)}人以上{N(t.Priority)}人未満"
        : people < t.Full ? $"{N(t.Priority)}人以上{N(t.Full)}人未満"
        : people < t.AlwaysFull ? $"{N(t.Full)}人以上{N(t.AlwaysFull)}人未満"
        : $"{N(t.AlwaysFull)}人以上";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
