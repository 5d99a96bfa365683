using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Text;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// One application: the attachments and whether linkage replaced them, the linkages the chosen affair may use (asked from
/// the network's published policy through the ward's intermediate server; the others are shown as not offered, with the
/// reason, and have no button), the answers with their provenance (provider, as-of date, provision records), the decision,
/// and the decision notice. A linkage run names the steps that are offered only; a step posted by hand that is not
/// offered is refused by the backend, logged, and shown as 403.
/// </summary>
public sealed class ApplicationDetailModel : ApplicationPageModel
{
    [FromRoute] public long Id { get; set; }

    /// <summary>immediate or batch.</summary>
    [BindProperty] public string? Mode { get; set; }

    /// <summary>Steps to run; empty: every offered step.</summary>
    [BindProperty] public List<string> Steps { get; set; } = [];

    /// <summary>The clerk saw the proposed decision and confirms it (決定の確定); false: show it first.</summary>
    [BindProperty] public bool Confirmed { get; set; }

    /// <summary>Why a decided application is corrected (更正の理由).</summary>
    [BindProperty] public string? CorrectionReason { get; set; }

    /// <summary>The paper attachment received at the counter (添付書類の受付): which one, for whom, and its values.</summary>
    [BindProperty] public string? AttachmentCode { get; set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? MovedOutOn { get; set; }
    [BindProperty] public int? FiscalYear { get; set; }
    [BindProperty] public string? Taxable { get; set; }
    [BindProperty] public long? TotalIncome { get; set; }
    [BindProperty] public int? Dependants { get; set; }

    /// <summary>The information kinds whose certificate the counter form takes (the others are received by the API).</summary>
    public static bool PaperFormFor(string kind) => kind is InformationKindCodes.ResidentRecord or InformationKindCodes.LocalTax;

    /// <summary>The decision the rule proposes, shown for confirmation before anything is decided.</summary>
    public ApplicationDecision? Proposed { get; private set; }

    /// <summary>The decisions corrections replaced (更正前の決定), oldest first.</summary>
    public IReadOnlyList<SupersededDecision> History { get; private set; } = [];

    public Application? Application { get; private set; }
    public WorkflowDefinition? Workflow { get; private set; }
    public IReadOnlyList<OfferedLinkage> Offered { get; private set; } = [];
    public string? OfferError { get; private set; }
    public string? Message { get; private set; }

    /// <summary>The signed document, signature and certificate an e-application (電子申請) was filed with; null for the counter.</summary>
    public EApplicationEvidence? Evidence { get; private set; }

    public async Task<IActionResult> OnGetAsync() => await ShowAsync();

    public async Task<IActionResult> OnPostLinkAsync()
    {
        if (Workflows is null) return await ShowAsync();
        try
        {
            var steps = Steps.Count == 0 ? null : Steps;
            if (Mode == "batch")
            {
                var run = await Workflows.RunBatchLinkageAsync(Staff!, [Id], View.Today, steps, Terminal, HttpContext.RequestAborted);
                Message = $"一括照会を実行しました（照会 {run.NetworkBatches.Count} 回）";
            }
            else
            {
                var run = await Workflows.RunLinkageAsync(Staff!, Id, View.Today, steps, Terminal, HttpContext.RequestAborted);
                Message = $"情報照会を実行しました（結果 {run.Results.Count} 件）"
                    + (run.RefusedSteps.Count > 0 ? $"。照会できない項目: {string.Join("、", run.RefusedSteps)}" : "");
            }
        }
        catch (WorkflowException refused)
        {
            return await AfterRefusalAsync(refused);
        }
        return await ShowAsync(log: false);
    }

    public async Task<IActionResult> OnPostDecideAsync()
    {
        if (Workflows is null) return await ShowAsync();
        try
        {
            if (!Confirmed)
            {
                Proposed = Workflows.Preview(Staff!, Id, View.Today, Terminal);
                Message = "次の内容で決定します。内容を確認して「確定する」を押してください（まだ決定していません）。";
            }
            else
            {
                var decision = Workflows.Decide(Staff!, Id, View.Today, Terminal);
                Message = $"{ApplicationText.Decision(decision.Outcome)}しました: {decision.Summary}";
            }
        }
        catch (WorkflowException refused)
        {
            return await AfterRefusalAsync(refused);
        }
        return await ShowAsync(log: false);
    }

    /// <summary>
    /// The resident brought the certificate (e.g. after linkage answered 該当なし): its values are recorded for the step
    /// the attachment replaces, and the attachment counts as submitted (提出).
    /// </summary>
    public async Task<IActionResult> OnPostPaperAsync()
    {
        if (Workflows is null) return await ShowAsync();
        try
        {
            if (!IntegratedAddresseeNumber.TryParse(Subject, out var subject, out _))
                throw new WorkflowException(WorkflowException.Codes.InvalidInput, "対象者を選んでください");
            // Through the workflows (affair checked, logged), so an application of another affair is refused as such.
            var application = Workflows.Get(Staff!, Id, Terminal);
            var workflow = WorkflowCatalogue.Find(application.Workflow);
            var step = workflow?.Attachments.FirstOrDefault(x => x.Code == AttachmentCode) is { } attachment ? workflow.Step(attachment.ReplacedByStep) : null;
            var body = step?.Kind switch
            {
                InformationKindCodes.ResidentRecord => ResidentRecordValues(),
                InformationKindCodes.LocalTax => TaxValues(),
                _ => throw new WorkflowException(WorkflowException.Codes.InvalidInput, "この添付書類は窓口の画面では受け付けられません"),
            };
            Workflows.RecordPaperAttachment(Staff!, Id, AttachmentCode!, subject, body, Terminal);
            Message = "添付書類を受け付けました。";
        }
        catch (WorkflowException refused)
        {
            return await AfterRefusalAsync(refused);
        }
        return await ShowAsync(log: false);
    }

    /// <summary>住民票の写し（前住所地）: the day the person left the previous municipality.</summary>
    private JsonElement ResidentRecordValues()
    {
        if (!DateInput.TryParse(MovedOutOn, out var movedOut, out _) || movedOut is null)
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, $"転出日を入力してください（{DateInput.Hint}）");
        return JsonSerializer.SerializeToElement(new { status = "movedOut", movedOutOn = movedOut.Value });
    }

    /// <summary>課税（非課税）証明書: the fiscal year, taxable or not, 総所得金額等 and the number of dependants.</summary>
    private JsonElement TaxValues()
    {
        if (FiscalYear is not (>= 2000 and <= 2100)) throw new WorkflowException(WorkflowException.Codes.InvalidInput, "年度を西暦4桁で入力してください");
        if (Taxable is not ("taxable" or "non-taxable")) throw new WorkflowException(WorkflowException.Codes.InvalidInput, "課税・非課税を選んでください");
        if (TotalIncome is not (>= 0 and <= 1_000_000_000_000)) throw new WorkflowException(WorkflowException.Codes.InvalidInput, "総所得金額等を0以上の円で入力してください");
        if (Dependants is not (>= 0 and <= 99)) throw new WorkflowException(WorkflowException.Codes.InvalidInput, "扶養親族の数を0～99で入力してください");
        return JsonSerializer.SerializeToElement(new { fiscalYear = FiscalYear, taxable = Taxable == "taxable", totalIncome = TotalIncome, dependantsCount = Dependants });
    }

    public async Task<IActionResult> OnPostCorrectAsync()
    {
        if (Workflows is null) return await ShowAsync();
        try
        {
            var corrected = Workflows.Correct(Staff!, Id, View.Today, CorrectionReason, Terminal);
            Message = $"更正しました（第{corrected.Version}版）: {corrected.Summary}";
            CorrectionReason = null;
        }
        catch (WorkflowException refused)
        {
            return await AfterRefusalAsync(refused);
        }
        return await ShowAsync(log: false);
    }

    /// <summary>The refusal on the page; the application too, unless the refusal was about who may see it.</summary>
    private async Task<IActionResult> AfterRefusalAsync(WorkflowException refused)
    {
        if (refused.Code is not (WorkflowException.Codes.AffairMismatch or WorkflowException.Codes.NoAffairChosen or WorkflowException.Codes.NotFound))
            await ShowAsync(log: false);
        return Refused(refused);
    }

    private async Task<IActionResult> ShowAsync(bool log = true)
    {
        if (Workflows is null)
        {
            Error = "この職員用画面には中間サーバーが設定されていないため、申請の画面は利用できません。";
            return Page();
        }
        try
        {
            Application = log ? Workflows.Get(Staff!, Id, Terminal) : Workflows.Store.Find(Id);
            Workflow = Application is null ? null : WorkflowCatalogue.Find(Application.Workflow);
            Evidence = Application is { Channel: ApplicationChannel.EApplication } ? Workflows.Store.EvidenceOf(Application.Id) : null;
            History = Application?.Decision is { Version: > 1 } ? Workflows.Store.DecisionHistory(Application.Id) : [];
        }
        catch (WorkflowException refused)
        {
            Application = null;
            return Refused(refused);
        }
        if (Application is { Status: not ApplicationStatus.Decided } open)
        {
            try
            {
                Offered = await Workflows.OfferedAsync(Staff!, open.Workflow, open.Parties, View.Today, HttpContext.RequestAborted);
            }
            catch (WorkflowException refused)
            {
                OfferError = JapaneseText.ForPerson(refused.Message, refused.Code);
            }
        }
        return Page();
    }
}
