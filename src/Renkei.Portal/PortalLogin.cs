using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Renkei.Jlis.Contracts;

namespace Renkei.Portal;

/// <summary>The end of a login attempt: a session, or a stable code with the Japanese message the page shows.</summary>
internal sealed record LoginResult(PortalSession? Session, string? Code, string? Message)
{
    public bool Succeeded => Session is not null;

    public static LoginResult Refused(string code, string message) => new(null, code, message);
}

/// <summary>
/// ログイン with the card (公的個人認証, 利用者証明用電子証明書): the browser's card reader signed the challenge the portal
/// issued; the portal takes the challenge back (once, while fresh), checks the certificate's chain to J-LIS's root, its
/// validity and its status at J-LIS and the signature (<see cref="JpkiRelyingParty"/>), then sends the same proof to
/// J-LIS, which checks it again, finds the card's holder and has the network seal the portal token for that person to the
/// portal. The portal opens the token and starts the session. Nothing is logged but the outcome code.
/// </summary>
internal sealed class PortalLogin(PortalRuntime runtime, ILogger logger)
{
    public const string SuspendedMessage =
        "この電子証明書は一時保留（利用停止）中です。カードが見つかった場合は、お住まいの市区町村の窓口または個人番号カードコールセンターで一時保留の解除を行ってください。";
    public const string RevokedMessage = "この電子証明書は失効しています。お住まいの市区町村の窓口で利用者証明用電子証明書の発行を申請してください。";
    public const string ExpiredMessage = "この電子証明書は有効期限切れです。お住まいの市区町村の窓口で電子証明書の更新を行ってください。";
    public const string StaleChallengeMessage = "ログインの有効時間が過ぎたか、この画面はすでに使われています。画面を読み込み直して、もう一度お試しください。";

    public async Task<LoginResult> LoginAsync(string? nonce, string? certificate, string? signature, CancellationToken cancellationToken)
    {
        var challenge = runtime.Challenges.Take(nonce);
        if (challenge is null) return Log(LoginResult.Refused(PortalLoginRefusalCodes.BadChallenge, StaleChallengeMessage));
        var signed = Encoding.UTF8.GetBytes(challenge.Text);
        try
        {
            await runtime.RelyingParty.VerifyAsync(JpkiCertificateKind.UserAuthentication, certificate, signed, signature, cancellationToken);
        }
        catch (JpkiVerificationException e)
        {
            return Log(Refusal(e.Code));
        }
        catch (Exception e) when (e is JlisException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Log(Unreachable());
        }

        var requestId = Guid.NewGuid();
        PortalTokenResponse response;
        try
        {
            response = await runtime.Jlis.PortalTokenAsync(
                new PortalTokenRequest(requestId, runtime.InstitutionCode, certificate!, challenge.Text, signature!), cancellationToken);
        }
        catch (JlisException e) when ((int)e.Status is >= 400 and < 500)
        {
            return Log(Refusal(e.Code));
        }
        catch (Exception e) when (e is JlisException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Log(Unreachable());
        }
        if (response.RequestId != requestId) return Log(Unreachable());
        try
        {
            var token = runtime.OpenPortalToken(requestId, response.SealedToken);
            return Log(new LoginResult(new PortalSession(token, runtime.Now), null, null));
        }
        catch (Exception e) when (e is CryptographicException or InvalidDataException or FormatException)
        {
            return Log(LoginResult.Refused("sealed-token-invalid",
                "ログインに必要な情報を確認できませんでした。時間をおいてもう一度お試しください。"));
        }
    }

    /// <summary>The page's message for a refusal code of the relying-party check or of J-LIS.</summary>
    public static LoginResult Refusal(string code) => code switch
    {
        PortalLoginRefusalCodes.CertificateSuspended => LoginResult.Refused(code, SuspendedMessage),
        PortalLoginRefusalCodes.CertificateRevoked => LoginResult.Refused(code, RevokedMessage),
        PortalLoginRefusalCodes.CertificateExpired => LoginResult.Refused(code, ExpiredMessage),
        PortalLoginRefusalCodes.BadChallenge => LoginResult.Refused(code, StaleChallengeMessage),
        PortalLoginRefusalCodes.BadSignature => LoginResult.Refused(code,
            "カードの署名を確認できませんでした。カードを読み取り直して、もう一度お試しください。"),
        PortalLoginRefusalCodes.CardNotInUse => LoginResult.Refused(code,
            "このカードは現在利用できません（廃止・返納されたカードなど）。お住まいの市区町村の窓口にお問い合わせください。"),
        JpkiVerificationCodes.CertificateNotTrusted or PortalLoginRefusalCodes.CertificateNotIssuedHere => LoginResult.Refused(
            PortalLoginRefusalCodes.CertificateNotIssuedHere,
            "このカードの利用者証明用電子証明書を確認できませんでした（地方公共団体情報システム機構が発行した証明書ではありません）。"),
        _ => LoginResult.Refused(code, "ログインできませんでした。時間をおいてもう一度お試しください。"),
    };

    private static LoginResult Unreachable() => LoginResult.Refused("jlis-unavailable",
        "電子証明書の確認先（地方公共団体情報システム機構）に接続できませんでした。時間をおいてもう一度お試しください。");

    private LoginResult Log(LoginResult result)
    {
        // The outcome only: no certificate, serial, token or challenge.
        logger.LogInformation("portal login {Outcome}", result.Succeeded ? "succeeded" : "refused: " + result.Code);
        return result;
    }
}
