using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Audit;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 操作記録: the operation log for auditors (監査担当) only — filtered by staff id and period, newest first — and the
/// verification of its hash chain and signed checkpoints. Others get 403 and the refusal is recorded.
/// </summary>
public sealed class AuditLogModel : ConsolePageModel
{
    public const int MaxShown = 200;
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    [BindProperty(SupportsGet = true, Name = "staff")] public string? StaffFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "from")] public string? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to")] public string? To { get; set; }

    public IReadOnlyList<OperationLogRecord> Entries { get; private set; } = [];
    public bool Truncated { get; private set; }
    public AuditVerification? Verification { get; private set; }
    public string? Error { get; private set; }

    protected override bool Allows(StaffRole role) => role == StaffRole.Auditor;
    protected override string PageDescription => "操作記録の閲覧";

    public async Task OnGetAsync()
    {
        await RecordAsync("操作記録の閲覧");
        Read();
    }

    public async Task OnPostVerifyAsync()
    {
        Verification = Runtime.Log.Verify();
        await RecordAsync(Verification.IsIntact ? "操作記録の検証: 改ざんなし" : "操作記録の検証: 改ざんを検出");
        Read();
    }

    private Task RecordAsync(string detail) =>
        Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.View, OperationResult.Success, detail, HttpContext.RequestAborted);

    private void Read()
    {
        if (TypedNumber.In(From) || TypedNumber.In(To)) From = To = null;
        if (!DateInput.TryParse(From, out var from, out var fromError))
        {
            Error = "期間（開始日）: " + fromError;
            return;
        }
        if (!DateInput.TryParse(To, out var to, out var toError))
        {
            Error = "期間（終了日）: " + toError;
            return;
        }
        string? staff = null;
        if (!string.IsNullOrWhiteSpace(StaffFilter))
        {
            if (!Municipality.Staff.StaffId.TryParse(StaffFilter, out var id) || TypedNumber.In(id.Value))
            {
                StaffFilter = null;
                Error = "職員IDの形式が正しくありません";
                return;
            }
            staff = id.Value;
        }
        var query = new OperationLogQuery(
            From: from is { } f ? new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), JapanStandardTime) : null,
            To: to is { } t ? new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), JapanStandardTime) : null,
            StaffId: staff);
        // The newest MaxShown matching entries, read in one pass.
        var newest = new Queue<OperationLogRecord>(MaxShown + 1);
        foreach (var record in Runtime.Log.Read(query))
        {
            newest.Enqueue(record);
            if (newest.Count > MaxShown)
            {
                newest.Dequeue();
                Truncated = true;
            }
        }
        Entries = newest.Reverse().ToList();
    }
}
