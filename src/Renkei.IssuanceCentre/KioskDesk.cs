using System.Net;
using Renkei.Infrastructure;
using System.Text;
using Microsoft.Extensions.Logging;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.IssuanceCentre;

/// <summary>
/// The centre's work for kiosks (<see cref="IssuanceCentreRoutes"/>). A session: the challenge the centre gave this kiosk
/// comes back signed by the card; the centre checks the certificate with J-LIS's JPKI over HTTP (chain, validity, status —
/// suspended and revoked refused, each with its code), asks J-LIS whose card it is (J-LIS checks the proof again and
/// answers with the resident-record code and the municipality holding the register now), refuses a ward that does not
/// take part, and asks that ward's issuance server for its menu. A certificate: the ward issues it under the kiosk's
/// transaction id (a resend gets the same certificate, charged once) and the centre logs the transaction
/// (<see cref="TransactionLog"/>). The ward's refusals reach the kiosk with the ward's code; a ward or J-LIS that does not
/// answer is 502. Logs carry outcome codes only: no certificate, serial, challenge, code or number.
/// </summary>
internal sealed class KioskDesk(IssuanceCentreRuntime runtime, ILogger logger)
{
    /// <summary>The reasons a kiosk may give for voiding (<see cref="KioskCancelRequest.Reason"/>).</summary>
    public static readonly IReadOnlyList<string> VoidReasons = ["print-failed", "payment-failed", "cancelled"];

    public const string JlisUnavailable = "jlis-unavailable";

    public KioskChallenge Challenge(string kiosk) => new(runtime.Challenges.Issue(kiosk).Text);

    public async Task<KioskSession> OpenSessionAsync(KioskSessionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var session = await OpenAsync(request, cancellationToken);
            Log("session", "opened");
            return session;
        }
        catch (RefusalException e)
        {
            Log("session", "refused: " + e.Code);
            throw;
        }
    }

    private async Task<KioskSession> OpenAsync(KioskSessionRequest request, CancellationToken cancellationToken)
    {
        if (!runtime.Challenges.Take(request.Challenge, request.Kiosk))
            throw RefusalException.Conflict(PortalLoginRefusalCodes.BadChallenge,
                "the challenge was not given to this kiosk by the centre, was used already or is older than five minutes (チャレンジが無効です)");

        // The certificate and the signature, with J-LIS's JPKI (its CA certificates and the certificate's status, over HTTP).
        try
        {
            await runtime.RelyingParty.VerifyAsync(JpkiCertificateKind.UserAuthentication, request.UserCertificate,
                Encoding.UTF8.GetBytes(request.Challenge), request.ChallengeSignature, cancellationToken);
        }
        catch (JpkiVerificationException e)
        {
            throw RefusalException.Conflict(e.Code == JpkiVerificationCodes.CertificateNotTrusted ? PortalLoginRefusalCodes.CertificateNotIssuedHere : e.Code,
                e.Message);
        }
        catch (Exception e) when (IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(JlisUnavailable, "J-LIS (JPKI) did not answer (地方公共団体情報システム機構に接続できませんでした)");
        }

        // Whose card it is, and which register holds them now: J-LIS checks the proof again.
        IssuanceHolder holder;
        try
        {
            holder = await runtime.Jlis.IssuanceHolderAsync(
                new IssuanceHolderRequest(Guid.NewGuid(), runtime.Code, request.UserCertificate, request.Challenge, request.ChallengeSignature), cancellationToken);
        }
        catch (JlisException e) when (e.Status is HttpStatusCode.Conflict or HttpStatusCode.BadRequest)
        {
            throw new RefusalException((int)e.Status, e.Code, e.Message.Split("): ", 2)[^1]);
        }
        catch (Exception e) when (e is JlisException || IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(JlisUnavailable, "J-LIS did not answer the holder lookup (地方公共団体情報システム機構に接続できませんでした)");
        }

        var ward = runtime.Ward(holder.Municipality)
            ?? throw RefusalException.Conflict(IssuanceCentreRefusalCodes.NotParticipating,
                "the card holder's municipality does not take part in convenience-store issuance (お住まいの市区町村はコンビニ交付を行っていません)");
        var menu = await CallWardAsync(() => ward.MenuAsync(new KioskMenuRequest(holder.ResidentCode, request.Kiosk), cancellationToken), cancellationToken);
        var id = runtime.Sessions.Open(new KioskSessionState(request.Kiosk, holder.Municipality, holder.ResidentCode, menu));
        return new KioskSession(id, menu);
    }

    /// <summary>Ends the kiosk's session (the card was removed); 404 <c>no-session</c> when it had none.</summary>
    public void Close(Guid sessionId, string kiosk)
    {
        if (!runtime.Sessions.Close(sessionId, kiosk)) throw NoSession();
        Log("session", "closed");
    }

    public async Task<KioskCertificate> CertificateAsync(KioskCertificateRequest request, string kiosk, CancellationToken cancellationToken)
    {
        if (request.TransactionId == Guid.Empty)
            throw RefusalException.BadRequest("invalid-request", "transactionId: missing or empty (取引IDがありません)");
        if (!KioskCertificateKinds.All.Contains(request.Kind))
            throw RefusalException.BadRequest("invalid-request",
                $"kind: must be one of {string.Join(", ", KioskCertificateKinds.All)} (証明書の種類が正しくありません)");
        if (request.PaidYen < 0) throw RefusalException.BadRequest("invalid-request", "paidYen: must not be negative (投入金額が正しくありません)");
        var session = runtime.Sessions.Find(request.SessionId, kiosk) ?? throw NoSession();
        var log = runtime.Transactions;
        var fingerprint = RequestLedger.Fingerprint(kiosk, session.Ward, request.Kind, request.WholeHousehold ? "household" : "self",
            request.FiscalYear?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", request.PaidYen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!log.Begin(request.TransactionId, kiosk, session.Ward, request.Kind, fingerprint, request.PaidYen, runtime.Clock.GetUtcNow()))
            throw RefusalException.Conflict(KioskRefusalCodes.TransactionReused,
                "the transaction id was used with a different request (この取引IDは別の要求で使用済みです)");

        var ward = runtime.Ward(session.Ward) ?? throw RefusalException.Conflict(IssuanceCentreRefusalCodes.NotParticipating,
            "the card holder's municipality no longer takes part in convenience-store issuance (お住まいの市区町村はコンビニ交付を行っていません)");
        KioskIssued issued;
        try
        {
            issued = await CallWardAsync(() => ward.IssueAsync(new KioskIssueRequest(request.TransactionId, session.ResidentCode, kiosk, request.Kind,
                request.WholeHousehold, request.FiscalYear, request.PaidYen), cancellationToken), cancellationToken);
        }
        catch (RefusalException e)
        {
            log.Refuse(request.TransactionId, e.Code, runtime.Clock.GetUtcNow());
            Log("certificate", "refused: " + e.Code);
            throw;
        }
        if (issued.TransactionId != request.TransactionId || issued.Kind != request.Kind || issued.FeeYen < 0 || issued.FeeYen > request.PaidYen)
        {
            log.Refuse(request.TransactionId, IssuanceCentreRefusalCodes.WardUnavailable, runtime.Clock.GetUtcNow());
            throw Unavailable(IssuanceCentreRefusalCodes.WardUnavailable, "the ward's issuance server answered with another transaction (証明発行サーバの応答が不正です)");
        }
        var change = request.PaidYen - issued.FeeYen;
        log.Complete(request.TransactionId, issued.FeeYen, change, issued.Serial, runtime.Clock.GetUtcNow());
        Log("certificate", "issued");
        return new KioskCertificate(request.TransactionId, issued.Serial, issued.Kind, issued.FeeYen, change, issued.Pdf);
    }

    public async Task VoidAsync(KioskCancelRequest request, string kiosk, CancellationToken cancellationToken)
    {
        if (!VoidReasons.Contains(request.Reason))
            throw RefusalException.BadRequest("invalid-request", $"reason: must be one of {string.Join(", ", VoidReasons)} (取消しの理由が正しくありません)");
        var session = runtime.Sessions.Find(request.SessionId, kiosk) ?? throw NoSession();
        var transaction = runtime.Transactions.Find(request.TransactionId);
        if (transaction is null || transaction.Kiosk != kiosk || transaction.Ward != session.Ward)
            throw new RefusalException(404, "no-transaction", "this kiosk asked for no certificate under this transaction id (この取引はありません)");
        var ward = runtime.Ward(session.Ward) ?? throw RefusalException.Conflict(IssuanceCentreRefusalCodes.NotParticipating,
            "the card holder's municipality no longer takes part in convenience-store issuance (お住まいの市区町村はコンビニ交付を行っていません)");
        await CallWardAsync(async () =>
        {
            await ward.VoidAsync(new KioskVoidRequest(request.TransactionId, request.Reason), cancellationToken);
            return true;
        }, cancellationToken);
        runtime.Transactions.Void(request.TransactionId, request.Reason, runtime.Clock.GetUtcNow());
        Log("void", "voided");
    }

    /// <summary>Calls the ward: its refusals (400, 404, 409) pass to the kiosk with the ward's code; anything else is 502 <c>ward-unavailable</c>.</summary>
    private static async Task<T> CallWardAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (WardRefusalException e) when (e.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            throw new RefusalException((int)e.Status, e.Problem.Code, e.Problem.Detail);
        }
        catch (Exception e) when (e is WardRefusalException or System.Text.Json.JsonException || IsUnreachable(e, cancellationToken))
        {
            throw Unavailable(IssuanceCentreRefusalCodes.WardUnavailable, "the ward's issuance server did not answer (証明発行サーバに接続できませんでした)");
        }
    }

    private static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static RefusalException Unavailable(string code, string message) => new(502, code, message);

    private static RefusalException NoSession() => new(404, IssuanceCentreRefusalCodes.NoSession,
        "the session ended (card removed or idle) or never existed (セッションが終了しています)");


    private void Log(string step, string outcome) => logger.LogInformation("issuance centre {Step} {Outcome}", step, outcome);
}
