using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 特定個人情報保護評価の比較: the ward's computed levels (live figures, <see cref="PiaAssessor"/>) beside the levels 品川区's 表7 and
/// 板橋区's list of 44 publish (<see cref="PiaReferenceList"/>), with a note where they differ (<see cref="PiaComparison"/>).
/// For the auditor (監査担当), as /pia; others get 403, recorded.
/// </summary>
public sealed class PiaReferenceModel : ConsolePageModel
{
    public IReadOnlyList<PiaReferenceList> Lists { get; private set; } = [];
    public IReadOnlyList<PiaComparisonRow> Rows { get; private set; } = [];
    public DateOnly? AsOf { get; private set; }

    protected override bool Allows(StaffRole role) => role == StaffRole.Auditor;
    protected override string PageDescription => "特定個人情報保護評価の比較";

    public async Task OnGetAsync()
    {
        Lists = PiaReferenceList.LoadDefault();
        var demo = Runtime.Pia.AssessAll();
        AsOf = demo.Count > 0 ? demo[0].AsOf : null;
        Rows = PiaComparison.Compare(Lists, demo, AffairCatalogue.LoadDefault());
        await Runtime.RecordAsync(HttpContext, StaffIdText, null, null, OperationAction.View, OperationResult.Success,
            $"特定個人情報保護評価の比較（{Rows.Count}事務、区分の異なるもの {Rows.Count(r => r.Differs)}件）", HttpContext.RequestAborted);
    }
}
