using Renkei.Municipality.Audit;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 特定個人情報保護評価: each specific-personal-information file of the ward with its live figures (対象人数, 取扱者数, 重大事故),
/// the level they call for beside the level its published assessment declares, and an alert where reality has outgrown the
/// declaration (<see cref="PiaFileAssessment.NeedsReassessment"/>), the other alerts (<see cref="PiaAlerts"/>: significant change,
/// five years, yearly review) and each file's assessment versions with their status. For the auditor (監査担当, who also reviews the logs); others
/// get 403, recorded.
/// </summary>
public sealed class PiaModel : ConsolePageModel
{
    public IReadOnlyList<PiaFileAssessment> Files { get; private set; } = [];

    /// <summary>The alerts of every file (<see cref="PiaAlerts"/>): reassess, significant-change, five-years, yearly-review.</summary>
    public IReadOnlyList<PiaAlert> Alerts { get; private set; } = [];

    /// <summary>Every version of every file's assessment, oldest first.</summary>
    public IReadOnlyList<PiaAssessmentVersion> Versions { get; private set; } = [];

    protected override bool Allows(StaffRole role) => role == StaffRole.Auditor;
    protected override string PageDescription => "特定個人情報保護評価";

    public async Task OnGetAsync()
    {
        Files = Runtime.Pia.AssessAll();
        Alerts = new PiaAlerts(Runtime.PiaAssessments).For(Files);
        Versions = Runtime.PiaAssessments.List();
        await Runtime.RecordAsync(HttpContext, StaffIdText, null, null, OperationAction.View, OperationResult.Success,
            $"特定個人情報保護評価の一覧（{Files.Count}ファイル、再評価が必要 {Files.Count(f => f.NeedsReassessment)}件、注意 {Alerts.Count}件）", HttpContext.RequestAborted);
    }
}
