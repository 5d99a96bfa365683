using Renkei.Documents;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Applications;

/// <summary>The printed 却下通知書: title, the reasons, the 教示 with the ward's head and the ward as defendant.</summary>
public sealed class DecisionNoticeDocumentTests
{
    [Fact]
    public void A_rejection_notice_names_the_rejection_its_reasons_and_how_to_appeal()
    {
        var workflow = WorkflowCatalogue.Find(WorkflowCatalogue.ChildAllowanceArrival)!;
        var decision = new ApplicationDecision(DecisionOutcome.Rejected, "支給対象となる児童がいません", null, ["対象となる児童を養育していることが確認できません。"],
            new DateOnly(2026, 6, 1), WithLinkage: false);
        var application = new Application(41, workflow.Code, workflow.Affair, IntegratedAddresseeNumber.FromSerial(7294), ApplicationStatus.Decided,
            new DateOnly(2026, 5, 20), new ApplicationParties(), "kodomo01", DateTimeOffset.UnixEpoch, [],
            workflow.Attachments.Select(a => new ApplicationAttachment(a.Code, a.Name, a.ReplacedByStep, AttachmentState.Required)).ToList(), [], decision, "kodomo01");
        var issuer = NoticeIssuer.For("品川区");

        var notice = DecisionNotices.Create(application, workflow, decision, TestData.Shinagawa, new NoticeAddressee("品川　花子", "東京都品川区広町二丁目1番36号"),
            issuer, new DocumentNumber(DecisionNotices.NumberPrefix("品川区", workflow.Affair), 2026, 7));
        var bytes = notice.ToPdf();
        DocumentSamples.Save("rejection-notice", bytes);
        var pdf = PdfText.Read(bytes);

        Assert.Equal("品子発第7号", notice.DocumentNumber);
        foreach (var expected in new[] { workflow.Name + " 却下通知書", "品子発第7号", "令和8年6月1日", "品川　花子　様", "東京都品川区広町二丁目1番36号", "品川区長",
                     "却下の理由", "対象となる児童を養育していることが確認できません。", "却下", "省略した添付書類：なし", "令和8年5月20日",
                     "品川区長に対して審査請求", "品川区を被告として", "品川区を代表する者は品川区長" })
            Assert.Contains(expected, pdf);
        Assert.Contains("品川区長", notice.Text);
        Assert.Contains("品川　花子 様", notice.Text);
        Assert.DoesNotContain("宛名番号", notice.Text);
    }

    [Theory]
    [InlineData("品川区", null, "品川区長")]
    [InlineData("品川区", " 品川区長　森澤恭子 ", "品川区長　森澤恭子")]
    public void The_issuer_is_the_wards_head(string ward, string? configured, string expected) =>
        Assert.Equal(expected, NoticeIssuer.For(ward, configured).MayorTitle);
}
