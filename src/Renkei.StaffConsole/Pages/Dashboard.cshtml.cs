using Renkei.Municipality.Applications;
using Renkei.Municipality.Certificates;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 連携の利用状況: omitted attachments per affair and the linkage usage rate per procedure, for every logged-in staff
/// member (counts only, no personal data). Low usage is the real system's known weakness, so the rate is shown per procedure.
/// Also 証明書の交付状況: certificates issued per kind and per month, counter vs kiosk, and the kiosk share.
/// </summary>
public sealed class DashboardModel : ApplicationPageModel
{
    public ApplicationDashboard? Data { get; private set; }

    public CertificateStatistics Certificates { get; private set; } = CertificateStatistics.From([]);

    /// <summary>A share as the page prints it (— when nothing was issued).</summary>
    public static string Percent(double? share) =>
        share is { } s ? (s * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%" : "—";

    public async Task OnGetAsync()
    {
        Certificates = CertificateStatistics.From(Runtime.Ledger.Statistics());
        Data = Workflows?.Dashboard();
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, Municipality.Audit.OperationAction.View,
            Municipality.Audit.OperationResult.Success, "連携の利用状況（集計のみ）", HttpContext.RequestAborted);
    }
}
