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
public sealed record EApplicationReceipt(Guid SubmissionId, string Municipality, DateTimeOffset ReceivedAt, IReadOnlyList<FiledApplication> Applications);

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
}
