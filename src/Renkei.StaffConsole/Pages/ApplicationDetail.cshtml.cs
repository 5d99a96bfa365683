using Microsoft.AspNetCore.Mvc;
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
                OfferError = refused.Message;
            }
        }
        return Page();
    }
}
