using System.Globalization;
using System.Text;
using System.Text.Json;
using Renkei.Core.Dates;
using Renkei.Documents;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>
/// Decision notices (決定通知書 / 却下通知書) as documents: a PDF on municipal paper (<see cref="Document"/>), plain text for
/// the resident (dates in the Japanese era, 令和8年4月1日) and the same content as JSON. The resident is addressed by name
/// and address from the register (the integrated addressee number only in the JSON); the ward's head issues it with the
/// 公印 area and a 文書番号; the information used is listed with its provenance (provider, as-of date, provision record),
/// with the attachments the resident did not have to bring, and the 教示 (how to ask for review and how to sue).
/// </summary>
public static class DecisionNotices
{
    /// <param name="to">The applicant as the register holds them now (null: not found — the notice then names the addressee number).</param>
    /// <param name="issuer">The ward's name and its head's title (品川区, 品川区長).</param>
    /// <param name="number">The notice's 文書番号.</param>
    public static DecisionNotice Create(Application application, WorkflowDefinition workflow, ApplicationDecision decision, LocalGovernmentCode ward,
        NoticeAddressee? to, NoticeIssuer issuer, DocumentNumber number)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var notice = Create(application, workflow, decision, ward, to, issuer);
        return notice with { Document = Document(application, workflow, decision, to, issuer, number), DocumentNumber = number.Text };
    }

    /// <summary>The prefix of a notice's 文書番号: the ward's first character, the office of the affair, 発 (e.g. 品子発).</summary>
    public static string NumberPrefix(string wardName, string affair)
    {
        var office = affair switch
        {
            "child-allowance" or "child-rearing-allowance" or "ord-child-upbringing-allowance" => "子",
            "nursing-care-insurance" => "介",
            "national-health-insurance" => "国",
            "public-assistance" => "福",
            "individual-residence-tax" => "税",
            "resident-register" => "戸",
            _ => "区",
        };
        return (string.IsNullOrEmpty(wardName) ? "" : wardName[..1]) + office + "発";
    }

    /// <summary>What the answer was about, as the workflow names it (「前住所地の住民票関係情報」), not the kind's code.</summary>
    private static string StepName(WorkflowDefinition workflow, LinkageAnswer answer) =>
        workflow.Step(answer.Step)?.Name ?? answer.Kind;

    /// <summary>The notice on municipal paper (A4): addressee, 文書番号, date, issuer and 公印 area, decision, reasons, information used, 教示.</summary>
    public static MunicipalDocument Document(Application application, WorkflowDefinition workflow, ApplicationDecision decision, NoticeAddressee? to,
        NoticeIssuer issuer, DocumentNumber number)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var approved = decision.Outcome == DecisionOutcome.Approved;
        var title = Title(workflow, decision);
        var fields = new List<(string, string)>
        {
            ("申請の種類", workflow.Name),
            ("受付日（申請番号）", $"{JapaneseEraDate.Format(application.ReceivedOn)}（第{application.Id.ToString(CultureInfo.InvariantCulture)}号）"),
            ("決定", approved ? "認定" : "却下"),
            ("決定内容", decision.Summary),
        };
        if (decision.MonthlyAmount is { } amount) fields.Add(("月額", Yen(amount)));
        if (decision.Stage is { } stage) fields.Add(("段階", $"第{stage.ToString(CultureInfo.InvariantCulture)}段階"));
        if (decision.EffectiveFrom is { } from) fields.Add(("適用開始日", JapaneseEraDate.Format(from)));

        var used = application.Results.Where(r => r.Answered).Select(r => (IReadOnlyList<string>)
        [
            StepName(workflow, r),
            ChannelName(r.Channel),
            r.Provider is null ? "申請者提出" : InstitutionNames.NameOf(r.Provider) ?? r.Provider,
            r.AsOf is { } d ? JapaneseEraDate.Format(d) + "時点" : "—",
            (r.Outcome == LinkageOutcome.Provided ? "提供" : "該当なし") + (r.NetworkRecordSequence is { } n ? $"（記録 {n.ToString(CultureInfo.InvariantCulture)}）" : ""),
        ]).ToList();
        var omitted = application.Attachments.Where(a => a.State == AttachmentState.Omitted).Select(a => a.Name).ToList();

        List<DocumentBlock> body =
        [
            new DocumentParagraph($"　{JapaneseEraDate.Format(application.ReceivedOn)}に受け付けた{workflow.Name}について、次のとおり"
                + (approved ? "決定" : "却下することに決定") + "しましたので通知します。"),
            new DocumentSpace(),
            new DocumentFields(fields.ToArray()),
            new DocumentHeading(approved ? "決定の理由" : "却下の理由"),
            new DocumentList(decision.Reasons.Count == 0 ? ["（理由の記載はありません）"] : decision.Reasons),
            new DocumentHeading("情報連携により確認した情報"),
            used.Count == 0
                ? new DocumentParagraph("　なし")
                : new DocumentTable(["情報", "確認の方法", "提供元", "時点", "結果"], used, [3, 2.4, 1.4, 1.6, 1.6]),
            new DocumentParagraph("省略した添付書類：" + (omitted.Count == 0 ? "なし" : string.Join("、", omitted))
                + (omitted.Count == 0 ? "" : "（情報連携により確認したため、提出は不要です。）")),
            new DocumentHeading("教示"),
        ];
        body.AddRange(Instructions(issuer).Select((text, i) => new DocumentParagraph($"{i + 1}　{text}") { Indent = 0 }));

        return new MunicipalDocument(title, decision.DecidedOn, new DocumentIssuer(issuer.MayorTitle), body)
        {
            Number = number,
            Addressee = to is null
                ? new DocumentAddressee(null, "", "宛名番号 " + application.Applicant.Digits)
                : new DocumentAddressee(null, to.Address, to.Name),
        };
    }

    /// <summary>
    /// The 教示 (行政不服審査法 第82条, 行政事件訴訟法 第46条): a request for review to the ward's head within 3 months from the
    /// day after learning of the decision, and an action for annulment against the ward (represented by its head) within 6 months.
    /// </summary>
    public static IReadOnlyList<string> Instructions(NoticeIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return
        [
            $"この決定に不服があるときは、この決定があったことを知った日の翌日から起算して3か月以内に、{issuer.MayorTitle}に対して審査請求をすることができます。"
                + "ただし、その期間内であっても、この決定の日の翌日から起算して1年を経過したときは、審査請求をすることができません。",
            $"この決定の取消しを求める訴え（取消訴訟）は、この決定があったことを知った日の翌日から起算して6か月以内に、{issuer.WardName}を被告として"
                + $"（訴訟において{issuer.WardName}を代表する者は{issuer.MayorTitle}です。）提起することができます。"
                + "ただし、その期間内であっても、この決定の日の翌日から起算して1年を経過したときは、取消訴訟を提起することができません。",
            "審査請求をした場合には、取消訴訟は、その審査請求に対する裁決があったことを知った日の翌日から起算して6か月以内に提起することができます。",
        ];
    }

    private static string Title(WorkflowDefinition workflow, ApplicationDecision decision) =>
        decision.Outcome == DecisionOutcome.Approved ? workflow.NoticeTitle : workflow.Name + " 却下通知書";

    private static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

    private static DecisionNotice Create(Application application, WorkflowDefinition workflow, ApplicationDecision decision, LocalGovernmentCode ward,
        NoticeAddressee? to, NoticeIssuer? issuer)
    {
        var issued = JapaneseEraDate.Format(decision.DecidedOn);
        var title = Title(workflow, decision);
        var used = application.Results.Where(r => r.Answered).Select(r => new
        {
            step = r.Step,
            subject = r.Subject.Digits,
            kind = r.Kind,
            name = StepName(workflow, r),
            channel = ChannelName(r.Channel),
            provider = r.Provider,
            asOf = r.AsOf is { } d ? JapaneseEraDate.Format(d) : null,
            result = r.Outcome == LinkageOutcome.Provided ? "提供" : "該当なし",
            networkRecord = r.NetworkRecordSequence,
        }).ToList();
        var omitted = application.Attachments.Where(a => a.State == AttachmentState.Omitted).Select(a => a.Name).ToList();

        var text = new StringBuilder();
        text.AppendLine(title);
        text.AppendLine();
        text.AppendLine($"{issued}");
        text.AppendLine(issuer is null ? $"地方公共団体コード {ward.Digits}" : issuer.MayorTitle);
        text.AppendLine($"申請番号 {application.Id.ToString(CultureInfo.InvariantCulture)}（受付 {JapaneseEraDate.Format(application.ReceivedOn)}）");
        text.AppendLine(to is null ? $"申請者 宛名番号 {application.Applicant.Digits}" : $"{to.Address}\n{to.Name} 様");
        text.AppendLine();
        text.AppendLine($"{workflow.Name}について、次のとおり決定しました。");
        text.AppendLine($"決定内容: {decision.Summary}");
        if (decision.MonthlyAmount is { } amount) text.AppendLine($"月額: {amount.ToString("N0", CultureInfo.InvariantCulture)}円");
        if (decision.Stage is { } stage) text.AppendLine($"段階: 第{stage}段階");
        if (decision.EffectiveFrom is { } from) text.AppendLine($"適用開始日: {JapaneseEraDate.Format(from)}");
        text.AppendLine("理由:");
        foreach (var reason in decision.Reasons) text.AppendLine($"  ・{reason}");
        text.AppendLine("情報連携により確認した情報:");
        foreach (var u in used)
            text.AppendLine($"  ・{u.name}（{u.channel}、提供元 {u.provider ?? "申請者提出"}{(u.asOf is null ? "" : "、" + u.asOf + "時点")}）{u.result}"
                + (u.networkRecord is { } n ? $" 情報提供等記録 {n.ToString(CultureInfo.InvariantCulture)}" : ""));
        text.AppendLine(omitted.Count == 0 ? "省略した添付書類: なし" : $"省略した添付書類: {string.Join("、", omitted)}");
        text.AppendLine();
        if (issuer is null) text.AppendLine("この決定に不服がある場合は、この通知を受け取った日の翌日から起算して3か月以内に審査請求をすることができます。");
        else
        {
            text.AppendLine("教示");
            foreach (var (instruction, i) in Instructions(issuer).Select((t, i) => (t, i))) text.AppendLine($"{i + 1}　{instruction}");
        }

        var json = JsonSerializer.Serialize(new
        {
            title,
            issuedOn = decision.DecidedOn,
            issuedOnEra = issued,
            municipality = ward.Digits,
            applicationId = application.Id,
            workflow = workflow.Code,
            affair = workflow.Affair,
            applicant = application.Applicant.Digits,
            outcome = decision.Outcome,
            decision.Summary,
            decision.MonthlyAmount,
            decision.Stage,
            decision.EffectiveFrom,
            decision.Reasons,
            decision.WithLinkage,
            informationUsed = used,
            omittedAttachments = omitted,
        }, JsonDefaults.Options);
        return new DecisionNotice(application.Id, title, issued, text.ToString(), json);
    }

    private static string ChannelName(LinkageChannel channel) => channel switch
    {
        LinkageChannel.Immediate => "情報提供ネットワークシステム 即時照会",
        LinkageChannel.Batch => "情報提供ネットワークシステム 一括照会",
        LinkageChannel.IntraMunicipal => "庁内連携",
        _ => "添付書類",
    };
}
