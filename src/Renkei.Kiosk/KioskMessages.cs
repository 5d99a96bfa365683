using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Kiosk;

/// <summary>The Japanese sentence the kiosk screen shows for each refusal code of the centre, the ward and JPKI.</summary>
internal static class KioskMessages
{
    public const string Unavailable = "ただいま証明書交付センターに接続できません。時間をおいてもう一度お試しください。";
    public const string Expired = "一定時間操作がなかったため、最初の画面に戻りました。";

    public static string For(string code) => code switch
    {
        KioskRefusalCodes.Closed => "ただいまの時間は、お住まいの市区町村の証明書交付サービスを利用できません。",
        KioskRefusalCodes.NotResident => "お住まいの市区町村の住民基本台帳に記録がないため、証明書を交付できません（転出・死亡などの場合は、市区町村の窓口にお問い合わせください）。",
        KioskRefusalCodes.SupportMeasure => "この方の証明書は、コンビニエンスストア等では交付できません。市区町村の窓口で請求してください。",
        KioskRefusalCodes.NoSealRegistered => "印鑑登録がないため、印鑑登録証明書を交付できません。",
        KioskRefusalCodes.NoAssessment => "選択された年度の税額の情報がないため、証明書を交付できません。市区町村の窓口にお問い合わせください。",
        KioskRefusalCodes.KindNotOffered => "お住まいの市区町村では、この証明書をコンビニエンスストア等で交付していません。",
        KioskRefusalCodes.PaymentShort => "投入金額が手数料に足りません。",
        KioskRefusalCodes.TransactionReused => "この取引はすでに処理されています。最初からやり直してください。",
        IssuanceCentreRefusalCodes.NotParticipating => "お住まいの市区町村は、コンビニエンスストア等での証明書交付サービスに参加していません。",
        IssuanceCentreRefusalCodes.NoSession => "カードの確認からやり直してください。",
        IssuanceCentreRefusalCodes.WardUnavailable => "お住まいの市区町村の証明発行サーバに接続できません。時間をおいてもう一度お試しください。",
        PortalLoginRefusalCodes.CertificateSuspended => "このカードの利用者証明用電子証明書は一時保留（利用停止）中です。市区町村の窓口または個人番号カードコールセンターにお問い合わせください。",
        PortalLoginRefusalCodes.CertificateRevoked => "このカードの利用者証明用電子証明書は失効しています。市区町村の窓口で電子証明書の発行を申請してください。",
        PortalLoginRefusalCodes.CertificateExpired => "このカードの利用者証明用電子証明書は有効期限切れです。市区町村の窓口で更新してください。",
        PortalLoginRefusalCodes.CardNotInUse => "このカードは現在利用できません（廃止・返納されたカードなど）。市区町村の窓口にお問い合わせください。",
        PortalLoginRefusalCodes.BadSignature => "カードを確認できませんでした。カードを置き直して、もう一度お試しください。",
        PortalLoginRefusalCodes.BadChallenge => "確認の有効時間が過ぎました。最初からやり直してください。",
        PortalLoginRefusalCodes.CertificateNotIssuedHere or JpkiVerificationCodes.CertificateNotTrusted =>
            "このカードの電子証明書を確認できませんでした（地方公共団体情報システム機構が発行した証明書ではありません）。",
        _ => "証明書を交付できませんでした。市区町村の窓口にお問い合わせください。",
    };
}
