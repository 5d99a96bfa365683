using System.Globalization;
using Renkei.Core.Pia;
using Renkei.Documents;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>
/// The assessment documents (評価書) made from the inventory and the live figures, on the ward's paper. Today the
/// 基礎項目評価書 (the threshold assessment every file of 1,000 people or more needs, seed 001 資料1-3's form: Ⅰ 関連情報,
/// Ⅱ しきい値判断項目, Ⅲ しきい値判断結果), and the 重点項目評価書 and 全項目評価書 (<see cref="Priority"/>, <see cref="Full"/>) whose
/// protection measures are filled from the records the system keeps (<see cref="PiaMeasures"/>), never typed into the form.
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

    /// <summary>
    /// 重点項目評価書 of <paramref name="assessment"/>'s file (seed 001 資料1-3: for files of 10,000 people or more with many
    /// handlers or an incident, and 100,000 or more otherwise): Ⅰ 基本情報, Ⅱ 特定個人情報ファイルの概要 (入手・使用・委託・
    /// 提供・移転・保管・消去) and Ⅲ リスク対策, filled from <paramref name="measures"/>. 住民意見聴取 and 第三者点検 are optional for
    /// this form and not printed.
    /// </summary>
    public static MunicipalDocument Priority(PiaFileAssessment assessment, PiaFileMeasures measures, AssessmentThresholds thresholds, AffairCatalogue affairs,
        string mayorTitle) => Form("特定個人情報保護評価書（重点項目評価書）", assessment, measures, thresholds, affairs, mayorTitle, full: false, version: null);

    /// <summary>
    /// 全項目評価書 of <paramref name="assessment"/>'s file: the sections of <see cref="Priority"/> and Ⅳ 評価実施手続, whose
    /// 住民意見聴取 (the public-comment period, its announcement and the comments with how each was reflected) and 第三者点検 (the
    /// reviewing body, day, findings and result) come from <paramref name="version"/> of the assessment; without a version they
    /// print 「（評価書の版で記録）」, and a version without them 「未実施」.
    /// </summary>
    public static MunicipalDocument Full(PiaFileAssessment assessment, PiaFileMeasures measures, AssessmentThresholds thresholds, AffairCatalogue affairs,
        string mayorTitle, PiaAssessmentVersion? version = null) =>
        Form("特定個人情報保護評価書（全項目評価書）", assessment, measures, thresholds, affairs, mayorTitle, full: true, version);

    /// <summary>The text of a field a version of the assessment records (住民意見聴取, 第三者点検).</summary>
    public const string RecordedWithVersion = "（評価書の版で記録）";

    private const string NotRecorded = "（本システムに記録なし）";

    private static MunicipalDocument Form(string title, PiaFileAssessment assessment, PiaFileMeasures measures, AssessmentThresholds thresholds,
        AffairCatalogue affairs, string mayorTitle, bool full, PiaAssessmentVersion? version)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentNullException.ThrowIfNull(affairs);
        if (measures.File.Code != assessment.File.Code) throw new ArgumentException("the measures are of another file", nameof(measures));
        var file = assessment.File;
        var found = file.Affairs.Select(code => (Code: code, Affair: affairs.Find(code))).ToList();
        var segment = measures.Segment is { } s ? s.Name : "（区分の記録なし）";
        var obtains = measures.Linkages.Where(l => l.Direction == PiaLinkageDirection.Obtains).ToList();
        var provides = measures.Linkages.Where(l => l.Direction == PiaLinkageDirection.Provides).ToList();
        var blocks = new List<DocumentBlock>
        {
            new DocumentHeading("Ⅰ　基本情報"),
            new DocumentFields(
                ("評価実施機関の名称", mayorTitle),
                ("特定個人情報ファイル名", file.Name),
                ("所管課", file.Department),
                ("事務の名称", string.Join("、", found.Select(f => f.Affair?.Name ?? f.Code))),
                ("個人番号の利用の根拠", string.Join("、", found.Select(f => f.Affair?.LegalSource ?? "（記録なし）"))),
                ("使用するシステム", $"{measures.SystemName}（{segment}）"),
                ("対象人数", $"{N(assessment.People)}人（{PeopleBand(assessment.People, thresholds)}）"),
                ("取扱者数", $"{N(assessment.Handlers)}人（職員{N(assessment.StaffHandlers)}人、外部委託先{N(assessment.ContractorHandlers)}人）"),
                ("重大事故（過去1年以内）", assessment.SeriousIncident ? "発生あり" : "発生なし"),
                ("しきい値判断結果", assessment.Computed.Japanese())),
            new DocumentHeading("Ⅱ　特定個人情報ファイルの概要"),
            new DocumentParagraph("１　入手"),
            Linkages(obtains, "入手元", "入手する連携はない。"),
            new DocumentParagraph("２　使用"),
            new DocumentFields(
                ("使用する事務", string.Join("、", found.Select(f => f.Affair?.Name ?? f.Code))),
                ("使用する職員", $"担当事務を割り当てられた在職中の職員{N(assessment.StaffHandlers)}人")),
            new DocumentParagraph("３　委託"),
            measures.Contractors.Count == 0
                ? new DocumentParagraph("　委託していない（委託先の記録なし）。")
                : new DocumentTable(["委託先", "取扱者数", "委託期間"], [.. measures.Contractors.Select(c => (IReadOnlyList<string>)
                    [c.Company, $"{N(c.Handlers)}人", $"{Era(c.From)}～{(c.To is { } to ? Era(to) : "")}"])], [3, 1, 3]),
            new DocumentParagraph("４　提供・移転"),
            Linkages(provides, "提供先・移転先", "提供・移転する連携はない。"),
            new DocumentParagraph("５　保管・消去"),
            new DocumentFields(
                ("保管場所", $"{measures.SystemName}のデータベース（{segment}）"),
                ("消去", NotRecorded)),
            new DocumentHeading("Ⅲ　リスク対策"),
            new DocumentFields(
                ("入手", $"情報提供ネットワークシステムを通じた入手は連携ポリシー（番号法別表第二等）の行に限られ、行のない照会は拒否される（該当{N(obtains.Count(l => l.Network))}行）。"
                    + $"庁内連携は条例の行に限られる（該当{N(obtains.Count(l => !l.Network))}行）。"),
                ("使用", $"ファイルに触れられるのは担当事務を割り当てられた在職中の職員（{N(assessment.StaffHandlers)}人）に限られ、操作は操作記録に残る。"),
                ("委託", measures.Contractors.Count == 0
                    ? "委託先なし。"
                    : string.Join("、", measures.Contractors.Select(c => $"{c.Company}（取扱者{N(c.Handlers)}人）")) + "。委託先の取扱者は取扱者数に算入している。"),
                ("提供・移転", $"提供・移転は連携ポリシー及び条例の行に限られる（提供{N(provides.Count(l => l.Network))}行、移転{N(provides.Count(l => !l.Network))}行）。"),
                ("保管（個人番号利用事務系の分離）", Separation(measures)),
                ("研修", Training(measures.Training)),
                ("自己点検", measures.SelfInspections.Count == 0 ? "記録なし。" : $"直近の点検：{Era(measures.SelfInspections[0].InspectedOn)}（{measures.SelfInspections[0].Result}）。")),
            new DocumentParagraph("自己点検の記録（直近" + N(PiaMeasures.SelfInspectionsShown) + "件）"),
            measures.SelfInspections.Count == 0
                ? new DocumentParagraph("　記録なし。")
                : new DocumentTable(["点検日", "点検者", "結果", "指摘事項"], [.. measures.SelfInspections.Select(i => (IReadOnlyList<string>)
                    [Era(i.InspectedOn), i.Inspector, i.Result, i.Findings ?? "なし"])], [2, 2, 2, 3]),
            new DocumentParagraph("事故とその対応・再発防止策（過去5年）"),
            measures.Incidents.Count == 0
                ? new DocumentParagraph("　記録なし。")
                : new DocumentTable(["発生日", "内容", "重大事故", "委員会への報告", "対応・再発防止策"], [.. measures.Incidents.Select(i => (IReadOnlyList<string>)
                    [Era(i.OccurredOn), i.Description, i.Serious ? "該当" : "非該当", i.Reported ? "報告済" : "未報告", i.Handling ?? "（記録なし）"])], [2, 3, 1.2, 1.2, 3]),
        };
        if (full)
        {
            blocks.Add(new DocumentHeading("Ⅳ　評価実施手続"));
            blocks.Add(new DocumentFields(
                ("評価書の版", version is null ? RecordedWithVersion : $"第{version.Version}版（{version.Status.Japanese()}）"),
                ("住民等からの意見の聴取", version is null ? RecordedWithVersion : PublicComment(version)),
                ("第三者点検", version is null ? RecordedWithVersion : Review(version))));
            if (version is { Comments.Count: > 0 })
                blocks.Add(new DocumentTable(["受付日", "意見の概要", "評価書への反映"], [.. version.Comments.Select(c => (IReadOnlyList<string>)
                    [Era(c.ReceivedOn), c.Summary, c.Reflection ?? "（記載なし）"])], [1.2, 3, 3]));
        }
        blocks.Add(new DocumentParagraph("　この評価書の数値及びリスク対策は、" + Renkei.Core.Dates.JapaneseEraDate.Format(assessment.AsOf)
            + "現在の住民記録・業務システム・職員の担当事務・外部委託先・研修・自己点検・事故の記録、ネットワーク区分の定め及び連携ポリシーから作成した。"));
        return new MunicipalDocument(title, assessment.AsOf, new DocumentIssuer(mayorTitle, OfficialSeal: false), blocks);
    }

    private const string NotDone = "未実施";

    private static string PublicComment(PiaAssessmentVersion version) => version.CommentPeriod is { } period
        ? $"{Era(period.From)}から{Era(period.To)}まで（{period.To.DayNumber - period.From.DayNumber + 1}日間、周知：{period.Announced}）。"
            + $"意見{version.Comments.Count}件"
        : NotDone;

    private static string Review(PiaAssessmentVersion version) => version.Reviews.Count == 0
        ? NotDone
        : string.Join("／", version.Reviews.Select(r => $"{r.Body}（{Era(r.ReviewedOn)}）：{r.Findings}" + (r.Result is { } result ? $"　結果：{result}" : "")));

    private static DocumentBlock Linkages(IReadOnlyList<PiaLinkage> rows, string counterpart, string none) =>
        rows.Count == 0
            ? new DocumentParagraph("　" + none)
            : new DocumentTable(["経路", counterpart, "情報", "事務", "根拠"], [.. rows.Select(l => (IReadOnlyList<string>)
                [l.Network ? "情報提供ネットワークシステム" : "庁内連携", l.Counterpart, l.Kind, l.Affair, l.LegalBasis])], [2, 2, 2, 3, 3]);

    private static string Separation(PiaFileMeasures measures)
    {
        if (measures.Segment is not { } segment) return $"{measures.SystemName}の稼働区分は記録されていない。";
        var here = segment.Services.Count == 0 ? "" : $"同区分で稼働するもの：{string.Join("、", segment.Services)}。";
        var others = string.Join("", measures.OtherSegments.Select(o =>
            o.Services.Count == 0 ? $"{o.Name}では本システムのサービスは稼働しない。" : $"{o.Name}で稼働するもの：{string.Join("、", o.Services)}。"));
        return $"{measures.SystemName}は{segment.Name}で稼働する。{here}{others}";
    }

    private static string Training(PiaTrainingFigure figure)
    {
        var year = Renkei.Core.Dates.JapaneseEraDate.Format(figure.FiscalYearStart);
        var label = year[..(year.IndexOf('年', StringComparison.Ordinal) + 1)] + "度";
        return figure.StaffHandlers == 0
            ? $"{label}：取扱職員なし。"
            : $"{label}に研修を受講した取扱職員：{N(figure.Attended)}人／{N(figure.StaffHandlers)}人（{N((long)Math.Round(100.0 * figure.Attended / figure.StaffHandlers))}%）。";
    }

    private static string Era(DateOnly day) => Renkei.Core.Dates.JapaneseEraDate.Format(day);

    private static string PeopleBand(long people, AssessmentThresholds t) =>
        people < t.Basic ? $"{N(t.Basic)}人未満"
        : people < t.Priority ? $"{N(t.Basic)}人以上{N(t.Priority)}人未満"
        : people < t.Full ? $"{N(t.Priority)}人以上{N(t.Full)}人未満"
        : people < t.AlwaysFull ? $"{N(t.Full)}人以上{N(t.AlwaysFull)}人未満"
        : $"{N(t.AlwaysFull)}人以上";

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
