using Renkei.Municipality.Applications;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 連携の利用状況: omitted attachments per affair and the linkage usage rate per procedure, for every logged-in staff
/// member (counts only, no personal data). Low usage is the real system's known weakness, so the rate is shown per procedure.
/// </summary>
public sealed class DashboardModel : ApplicationPageModel
{
    public ApplicationDashboard? Data { get; private set; }

    public async Task OnGetAsync()
    {
        Data = Workflows?.Dashboard();
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, Municipality.Audit.OperationAction.View,
            Municipality.Audit.OperationResult.Success, "連携の利用状況（集計のみ）", HttpContext.RequestAborted);
    }
}
