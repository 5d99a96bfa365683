using System.Net.Http.Json;
using Renkei.Core.Json;

namespace Renkei.Municipality.Contracts;

/// <summary>
/// The published contract by which a ward receives electronic applications (電子申請) from the citizen portal
/// (ぴったりサービス / ワンストップサービス). The ward's service (<c>renkei serve --role municipality</c>, and the demo ward
/// services) serves <see cref="Submit"/>; transport is mutual TLS when deployed. What makes an application trustworthy is
/// not the transport but the resident's own signature: the ward verifies <see cref="EApplicationSubmission.Signature"/>
/// with the signing certificate (署名用電子証明書), the certificate's chain to J-LIS's signing CA and its status at J-LIS
/// (good, not suspended or revoked) before it files anything, and identifies the applicant in its register by the four
/// facts the certificate carries. The portal keeps no copy.
/// </summary>
public static class EApplicationRoutes
{
    public const string Submit = "e-applications";

    /// <summary>The format tag of <see cref="EApplicationDocument.Format"/>.</summary>
    public const string DocumentFormat = "renkei-e-application/1";

    /// <summary>保育所等の利用申込み (nursery admission).</summary>
    public const string NurseryAdmission = "nursery-admission";

    /// <summary>児童手当 認定請求 (child allowance).</summary>
    public const string ChildAllowance = "child-allowance";

    /// <summary>
    /// <c>POST e-applications/status</c>: the state of one filed application, asked by its receipt number (受付番号) and the
    /// submission's inquiry code (照会番号, <see cref="EApplicationReceipt.InquiryCode"/>) — what the resident keeps from the
    /// receipt, since the portal keeps nothing. An unknown number and a wrong code get the same 404.
    /// </summary>
    public const string Status = "e-applications/status";
}

/// <summary>
/// The signed document of a one-stop application. Serialized as compact JSON with <see cref="JsonDefaults.Options"/>
/// (camelCase) — the exact UTF-8 bytes the resident signed travel in <see cref="EApplicationSubmission.Document"/>, so the
/// ward verifies the bytes and only then parses them. No individual number is in it (the certificate identifies the
/// applicant; the ward links the number itself).
/// </summary>
/// <param name="Procedures">One or more of <see cref="EApplicationRoutes.NurseryAdmission"/> and <see cref="EApplicationRoutes.ChildAllowance"/>.</param>
/// <param name="Children">The children the application is for (name as in the register, birth date).</param>
/// <param name="Nursery">The nursery request when <see cref="EApplicationRoutes.NurseryAdmission"/> is among the procedures.</param>
/// <param name="Contact">A telephone number for the ward to call back (optional).</param>
public sealed record EApplicationDocument(
    string Format,
    Guid SubmissionId,
    string Municipality,
    DateTimeOffset SignedAt,
    IReadOnlyList<string> Procedures,
    IReadOnlyList<EApplicationChild> Children,
    NurseryRequest? Nursery,
    string? Contact);

public sealed record EApplicationChild(string Name, DateOnly BirthDate);

/// <param name="Preferences">Nursery names in order of preference (1–3).</param>
/// <param name="DesiredStart">The first day of the month the child should start.</param>
/// <param name="Reason">保育を必要とする事由, e.g. 就労.</param>
public sealed record NurseryRequest(IReadOnlyList<string> Preferences, DateOnly DesiredStart, string Reason);

/// <param name="Document">The signed document's UTF-8 text (<see cref="EApplicationDocument"/> as JSON).</param>
/// <param name="Signature">RSA PKCS#1 v1.5 with SHA-256 over the UTF-8 bytes of <paramref name="Document"/>, base64.</param>
/// <param name="SigningCertificate">The signer's 署名用電子証明書, DER in base64.</param>
public sealed record EApplicationSubmission(Guid SubmissionId, string Document, string Signature, string SigningCertificate);

/// <summary>What the ward filed: one application per procedure (ids are the ward's), or why it refused.</summary>
/// <param name="InquiryCode">照会番号: a secret of the submission (<see cref="EApplicationInquiryCode"/>) that, with a receipt number,
/// lets the applicant ask for the status later (<see cref="EApplicationRoutes.Status"/>); a resend returns the same code.</param>
public sealed record EApplicationReceipt(Guid SubmissionId, string Municipality, DateTimeOffset ReceivedAt, IReadOnlyList<FiledApplication> Applications,
    string? InquiryCode = null);

/// <summary>The question of <see cref="EApplicationRoutes.Status"/>: a receipt number (受付番号) and the submission's inquiry code (照会番号).</summary>
public sealed record EApplicationStatusRequest(long ApplicationId, string InquiryCode);

/// <summary>
/// The state of a filed application (<see cref="EApplicationRoutes.Status"/>): <see cref="State"/> is one of
/// <see cref="EApplicationStates"/>; <see cref="Outcome"/> (<c>approved</c> / <c>rejected</c>) and <see cref="DecidedOn"/> only once decided.
/// </summary>
public sealed record EApplicationStatus(long ApplicationId, string Procedure, string ProcedureName, DateOnly ReceivedOn, string State,
    string? Outcome, DateOnly? DecidedOn);

/// <summary>The states an e-application is reported in.</summary>
public static class EApplicationStates
{
    /// <summary>受付: received, being checked.</summary>
    public const string Received = "received";
    /// <summary>審査中: the information needed is gathered; awaiting the decision.</summary>
    public const string Examining = "examining";
    /// <summary>決定済: decided (see the outcome).</summary>
    public const string Decided = "decided";
}

/// <summary>
/// 照会番号: 12 characters of Crockford's base32 (no I, L, O, U), written in three groups of four (<c>7KQ2-M9XD-4RTB</c>),
/// 60 random bits. <see cref="Normalise"/> accepts lower case, full-width characters, spaces and missing hyphens.
/// </summary>
public static class EApplicationInquiryCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new random code.</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[12];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        var text = new char[14];
        for (int i = 0, j = 0; i < 12; i++)
        {
            if (i is 4 or 8) text[j++] = '-';
            text[j++] = Alphabet[bytes[i] & 31];
        }
        return new string(text);
    }

    /// <summary>The code in its written form, or null when <paramref name="text"/> cannot be one.</summary>
    public static string? Normalise(string? text)
    {
        if (text is null || text.Length > 40) return null;
        var letters = new System.Text.StringBuilder(12);
        foreach (var c in text.Normalize(System.Text.NormalizationForm.FormKC).ToUpperInvariant())
        {
            if (c is '-' || char.IsWhiteSpace(c)) continue;
            if (!Alphabet.Contains(c, StringComparison.Ordinal) || letters.Length == 12) return null;
            letters.Append(c);
        }
        return letters.Length == 12 ? $"{letters.ToString(0, 4)}-{letters.ToString(4, 4)}-{letters.ToString(8, 4)}" : null;
    }
}

public sealed record FiledApplication(string Procedure, string ProcedureName, long ApplicationId);

/// <summary>Problem codes of a refused submission (400/403/409/422).</summary>
public static class EApplicationRefusalCodes
{
    public const string BadDocument = "bad-document";
    public const string BadSignature = "bad-signature";
    public const string CertificateNotTrusted = "certificate-not-trusted";
    public const string CertificateRevoked = "certificate-revoked";
    public const string CertificateSuspended = "certificate-suspended";
    public const string CertificateExpired = "certificate-expired";
    public const string WrongMunicipality = "wrong-municipality";
    public const string ApplicantNotFound = "applicant-not-found";
    public const string ChildNotFound = "child-not-found";
    /// <summary>The applicant already has an application of the procedure under examination or approved (409); the detail names it.</summary>
    public const string AlreadyApplied = "already-applied";
    /// <summary>No application with this receipt number and inquiry code (404 of <see cref="EApplicationRoutes.Status"/>): the same answer for either wrong.</summary>
    public const string StatusNotFound = "status-not-found";
}

public sealed class EApplicationException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>The portal's client for a ward's e-application inbox.</summary>
public sealed class EApplicationHttpClient(HttpClient http)
{
    /// <exception cref="EApplicationException">The ward refused (the code says why) or did not answer properly.</exception>
    public async Task<EApplicationReceipt> SubmitAsync(EApplicationSubmission submission, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(EApplicationRoutes.Submit, submission, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<EApplicationReceipt>(response,
            (status, problem) => new EApplicationException((int)status, problem.Code, problem.Detail), cancellationToken);
    }

    /// <exception cref="EApplicationException">No such application with that code (<see cref="EApplicationRefusalCodes.StatusNotFound"/>), or refused.</exception>
    public async Task<EApplicationStatus> StatusAsync(EApplicationStatusRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(EApplicationRoutes.Status, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<EApplicationStatus>(response,
            (status, problem) => new EApplicationException((int)status, problem.Code, problem.Detail), cancellationToken);
    }
}
