using System.Globalization;
using System.Text;
using System.Text.Json;
using Renkei.Core.Dates;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>
/// Decision notices (決定通知書) as documents: plain text for the resident (dates in the Japanese era, 令和8年4月1日) and the
/// same content as JSON. The person appears by integrated addressee number; the information used is listed with its
/// provenance (provider, as-of date, provision record), and the attachments the resident did not have to bring.
/// </summary>
public static class DecisionNotices
{
    public static DecisionNotice Create(Application application, WorkflowDefinition workflow, ApplicationDecision decision, LocalGovernmentCode ward)
    {
        var issued = JapaneseEraDate.Format(decision.DecidedOn);
        var title = decision.Outcome == DecisionOutcome.Approved ? workflow.NoticeTitle : workflow.Name + " 却下通知書";
        var used = application.Results.Where(r => r.Answered).Select(r => new
        {
            step = r.Step,
            subject = r.Subject.Digits,
            kind = r.Kind,
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
        text.AppendLine($"地方公共団体コード {ward.Digits}");
        text.AppendLine($"申請番号 {application.Id.ToString(CultureInfo.InvariantCulture)}（受付 {JapaneseEraDate.Format(application.ReceivedOn)}）");
        text.AppendLine($"申請者 宛名番号 {application.Applicant.Digits}");
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
            text.AppendLine($"  ・{u.kind}（{u.channel}、提供元 {u.provider ?? "申請者提出"}{(u.asOf is null ? "" : "、" + u.asOf + "時点")}）{u.result}"
                + (u.networkRecord is { } n ? $" 情報提供等記録 {n.ToString(CultureInfo.InvariantCulture)}" : ""));
        text.AppendLine(omitted.Count == 0 ? "省略した添付書類: なし" : $"省略した添付書類: {string.Join("、", omitted)}");
        text.AppendLine();
        text.AppendLine("この決定に不服がある場合は、この通知を受け取った日の翌日から起算して3か月以内に審査請求をすることができます。");

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
