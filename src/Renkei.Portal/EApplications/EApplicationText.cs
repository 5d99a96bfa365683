using Renkei.Municipality.Contracts;

namespace Renkei.Portal.EApplications;

/// <summary>Japanese words of the one-stop e-application pages.</summary>
public static class EApplicationText
{
    /// <summary>保育を必要とする事由 the form offers (子ども・子育て支援法施行規則 第1条の5, abridged).</summary>
    public static readonly IReadOnlyList<string> Reasons = ["就労", "妊娠・出産", "疾病・障害", "介護・看護", "求職活動", "就学", "災害復旧", "その他"];

    /// <summary>The procedures in the order a document lists them.</summary>
    public static readonly IReadOnlyList<string> Procedures = [EApplicationRoutes.NurseryAdmission, EApplicationRoutes.ChildAllowance];

    public static string Procedure(string procedure) => procedure switch
    {
        EApplicationRoutes.NurseryAdmission => "保育所等の利用申込み",
        EApplicationRoutes.ChildAllowance => "児童手当 認定請求",
        _ => procedure,
    };

    /// <summary>Why the ward refused a submission, in Japanese, by the ward's code; null for a code this page does not know.</summary>
    public static string? Refusal(string code) => code switch
    {
        EApplicationRefusalCodes.BadDocument => "申請データの形式が正しくないため、区で受け付けられませんでした。もう一度最初から入力してください。",
        EApplicationRefusalCodes.BadSignature => "電子署名を確認できませんでした。もう一度署名してください。",
        EApplicationRefusalCodes.CertificateNotTrusted => "署名用電子証明書を確認できませんでした（発行元を確認できません）。",
        EApplicationRefusalCodes.CertificateRevoked => "署名用電子証明書が失効しています。住所・氏名の変更等で失効した場合は、お住まいの市区町村の窓口で再発行を受けてください。",
        EApplicationRefusalCodes.CertificateSuspended => "署名用電子証明書は一時保留（利用停止）中のため、申請できません。",
        EApplicationRefusalCodes.CertificateExpired => "署名用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。",
        EApplicationRefusalCodes.WrongMunicipality => "申請先の区が正しくありません。お住まいの区を選んでください。",
        EApplicationRefusalCodes.ApplicantNotFound => "申請先の区の住民記録に、署名用電子証明書の方が見つかりませんでした。お住まいの区を選んでいるか確認してください。",
        EApplicationRefusalCodes.ChildNotFound => "お子さんが申請者の世帯に見つかりませんでした。氏名（住民票のとおり）と生年月日を確認してください。",
        EApplicationRefusalCodes.AlreadyApplied => "この手続はすでに申請されています（審査中または認定済み）。同じ申請を重ねて出す必要はありません。内容に変更がある場合は区の窓口にご相談ください。",
        _ => null,
    };
}
