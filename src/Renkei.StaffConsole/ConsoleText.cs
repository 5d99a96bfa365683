using System.Globalization;
using Renkei.Core.Audit;
using Renkei.Core.Dates;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.StaffConsole;

/// <summary>Japanese words for what the console shows.</summary>
public static class ConsoleText
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    /// <summary>A time in Japan in the Japanese era: 令和6年6月3日 09:00:05.</summary>
    public static string EraDateTime(DateTimeOffset time)
    {
        var local = time.ToOffset(JapanStandardTime);
        return JapaneseEraDate.Format(DateOnly.FromDateTime(local.DateTime)) + " " + local.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A register date in the Japanese era; a date no era form exists for (a record written before the register checked its
    /// input, e.g. 0001-01-01) is shown as it is stored and marked, so the rest of the page still shows.
    /// </summary>
    public static string Date(DateOnly date) =>
        JapaneseEraDate.TryFormat(date, out var text) ? text : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "（日付に誤りがあります）";

    /// <summary>男・女; an unknown stored value is marked instead of failing the page.</summary>
    public static string Sex(Renkei.Core.People.Sex sex) =>
        Enum.IsDefined(sex) ? Renkei.Core.People.SexText.ToJapanese(sex) : "不明（記録に誤りがあります）";

    /// <summary>続柄; an unknown stored value is marked instead of failing the page.</summary>
    public static string Relationship(Relationship relationship) =>
        Enum.IsDefined(relationship) ? RelationshipText.ToJapanese(relationship) : "不明（記録に誤りがあります）";

    public static string Status(RegisterStatus status) => status switch
    {
        RegisterStatus.Resident => "住民",
        RegisterStatus.MovedOut => "転出",
        RegisterStatus.Deceased => "死亡",
        _ => status.ToString(),
    };

    public static string Action(OperationAction action) => action switch
    {
        OperationAction.Login => "ログイン",
        OperationAction.LoginFailed => "ログイン失敗",
        OperationAction.Logout => "ログアウト",
        OperationAction.AffairChosen => "事務の選択",
        OperationAction.View => "閲覧",
        OperationAction.Search => "検索",
        OperationAction.Export => "出力",
        OperationAction.Change => "変更",
        OperationAction.LinkageRequested => "情報照会",
        OperationAction.LinkageRefused => "情報照会の拒否",
        OperationAction.RetentionDeletion => "保管期間経過による削除",
        OperationAction.NoticeSent => "お知らせ送信",
        OperationAction.AccountUnlocked => "ロック解除",
        OperationAction.AccountCreated => "アカウント発行",
        OperationAction.AccountDisabled => "アカウント失効",
        OperationAction.AffairsAssigned => "担当事務の変更",
        OperationAction.PasswordReset => "パスワード再発行",
        OperationAction.PasswordChanged => "パスワード変更",
        OperationAction.AccountsReviewed => "アカウントの棚卸し",
        OperationAction.OperationLogReviewed => "操作記録の検査・分析",
        _ => action.ToString(),
    };

    public static string Result(OperationResult result) => result switch
    {
        OperationResult.Success => "成功",
        OperationResult.Refused => "拒否",
        OperationResult.Failed => "失敗",
        _ => result.ToString(),
    };

    public static string Problem(AuditProblemKind kind) => kind switch
    {
        AuditProblemKind.EditedEntry => "記録が書き換えられています",
        AuditProblemKind.RemovedEntry => "記録が削除されています",
        AuditProblemKind.ReorderedEntries => "記録の順序が入れ替えられています",
        AuditProblemKind.ChainBroken => "前の記録とのつながりが壊れています",
        AuditProblemKind.BadCheckpointSignature => "チェックポイントの署名が正しくありません",
        AuditProblemKind.CheckpointMismatch => "署名済みチェックポイントと一致しません",
        AuditProblemKind.TruncatedAfterCheckpoint => "チェックポイント以降の記録が失われています",
        _ => kind.ToString(),
    };
}

/// <summary>Typed text that holds an individual number or a resident-record code: never echoed back, logged or searched with.</summary>
internal static class TypedNumber
{
    public static bool In(string? text) =>
        !string.IsNullOrEmpty(text) && (PersonalNumberGuard.ContainsIndividualNumber(text) || PersonalNumberGuard.ContainsResidentCode(text));
}
