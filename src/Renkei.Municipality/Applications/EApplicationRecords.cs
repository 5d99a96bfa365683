using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>
/// The evidence an electronic application (電子申請) is filed with: the exact document the resident signed, the signature,
/// the signing certificate (署名用電子証明書, DER base64) and what the ward checked of it — its serial number and the
/// time the document says it was signed. The certificate carries the four basic facts, so the evidence is personal
/// information and stays in the ward's own database; no individual number is in it.
/// </summary>
public sealed record EApplicationEvidence(
    Guid SubmissionId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset SignedAt,
    string CertificateSerial,
    string Document,
    string Signature,
    string SigningCertificate)
{
    /// <summary>The signed document, parsed (it was parsed strictly before it was filed).</summary>
    public EApplicationDocument? Parsed()
    {
        try
        {
            return JsonSerializer.Deserialize<EApplicationDocument>(Document, JsonDefaults.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One application to file for a submission: its workflow, the procedure it answers and the people concerned.</summary>
internal sealed record EApplicationFiling(string Procedure, WorkflowDefinition Workflow, IntegratedAddresseeNumber Applicant,
    IReadOnlyList<ApplicationMember> Members, ApplicationParties Parties);

/// <summary>What filing a submission did: filed now, or found filed before (a resend), or the id was used for another submission.</summary>
internal enum FilingOutcome { Filed, Replayed, IdReused }

public sealed partial class ApplicationStore
{
    private static readonly RequestLedger Submissions = new("app_e_requests");

    /// <summary>
    /// Files a submission in one transaction: claims its id, inserts one application per filing (channel 電子申請, opened by
    /// <paramref name="actor"/>) and the evidence, and stores the receipt. A resend of the same submission (same
    /// fingerprint) returns the stored receipt and files nothing; the same id with other content files nothing either.
    /// </summary>
    internal (FilingOutcome Outcome, EApplicationReceipt? Receipt) FileEApplication(EApplicationEvidence evidence, string fingerprint,
        IntegratedAddresseeNumber applicant, IReadOnlyList<EApplicationFiling> filings, string municipality, DateOnly receivedOn, string actor,
        string inquiryCode) =>
        Database.InTransaction<(FilingOutcome, EApplicationReceipt?)>((connection, transaction) =>
        {
            var stored = Submissions.Claim(connection, transaction, evidence.SubmissionId, "e-application", fingerprint, evidence.ReceivedAt);
            if (stored is not null)
                return stored.Fingerprint == fingerprint && stored.Response is { } response
                    ? (FilingOutcome.Replayed, JsonSerializer.Deserialize<EApplicationReceipt>(response, JsonDefaults.Options))
                    : (FilingOutcome.IdReused, null);
            var filed = new List<FiledApplication>();
            foreach (var filing in filings)
            {
                var id = Insert(connection, transaction, filing.Workflow, filing.Applicant, filing.Members, filing.Parties, receivedOn, actor, evidence.ReceivedAt);
                connection.Command("INSERT INTO app_e_applications (application_id, submission_id, procedure) VALUES (@a, @s, @p)", transaction)
                    .With("@a", id).With("@s", evidence.SubmissionId.ToString("D")).With("@p", filing.Procedure).ExecuteNonQuery();
                filed.Add(new FiledApplication(filing.Procedure, filing.Workflow.Name, id));
            }
            connection.Command(
                "INSERT INTO app_e_evidence (submission_id, applicant, received_at, signed_at, certificate_serial, document, signature, signing_certificate) "
                + "VALUES (@s, @a, @r, @sa, @c, @d, @sg, @sc)", transaction)
                .With("@s", evidence.SubmissionId.ToString("D")).With("@a", applicant.ToInt64()).With("@r", Time(evidence.ReceivedAt))
                .With("@sa", Time(evidence.SignedAt)).With("@c", evidence.CertificateSerial).With("@d", evidence.Document)
                .With("@sg", evidence.Signature).With("@sc", evidence.SigningCertificate).ExecuteNonQuery();
            var receipt = new EApplicationReceipt(evidence.SubmissionId, municipality, evidence.ReceivedAt, filed, inquiryCode);
            Submissions.Complete(connection, transaction, evidence.SubmissionId, JsonSerializer.Serialize(receipt, JsonDefaults.Options));
            return (FilingOutcome.Filed, receipt);
        });

    /// <summary>
    /// A submission filed before: <see cref="FilingOutcome.Replayed"/> with its receipt when <paramref name="fingerprint"/>
    /// matches, <see cref="FilingOutcome.IdReused"/> when the id was filed with other content, null when never filed.
    /// </summary>
    internal (FilingOutcome? Outcome, EApplicationReceipt? Receipt) FindEApplication(Guid submissionId, string fingerprint)
    {
        using var connection = Database.Open();
        var stored = Submissions.Find(connection, null, submissionId);
        if (stored is null || stored.Response is null) return (null, null);
        return stored.Fingerprint == fingerprint
            ? (FilingOutcome.Replayed, JsonSerializer.Deserialize<EApplicationReceipt>(stored.Response, JsonDefaults.Options))
            : (FilingOutcome.IdReused, null);
    }

    /// <summary>The e-application evidence an application was filed with, or null for an application opened at the counter.</summary>
    public EApplicationEvidence? EvidenceOf(long applicationId)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT e.submission_id, e.received_at, e.signed_at, e.certificate_serial, e.document, e.signature, e.signing_certificate "
            + "FROM app_e_applications a JOIN app_e_evidence e ON e.submission_id = a.submission_id WHERE a.application_id = @id").With("@id", applicationId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new EApplicationEvidence(Guid.Parse(reader.GetString(0)), DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.GetString(6));
    }

    /// <summary>The receipt of the submission an application was filed with, or null for an application opened at the counter.</summary>
    internal EApplicationReceipt? ReceiptOfApplication(long applicationId)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT submission_id FROM app_e_applications WHERE application_id = @id").With("@id", applicationId);
        if (command.ExecuteScalar() is not string submission) return null;
        return Submissions.Find(connection, null, Guid.Parse(submission)) is { Response: { } response }
            ? JsonSerializer.Deserialize<EApplicationReceipt>(response, JsonDefaults.Options)
            : null;
    }

    /// <summary>The applications filed for a submission (none when it was never filed).</summary>
    public IReadOnlyList<long> ApplicationsOfSubmission(Guid submissionId)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT application_id FROM app_e_applications WHERE submission_id = @s ORDER BY application_id")
            .With("@s", submissionId.ToString("D"));
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private static bool IsEApplication(DbConnection connection, long applicationId)
    {
        using var command = connection.Command("SELECT COUNT(*) FROM app_e_applications WHERE application_id = @id").With("@id", applicationId);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }
}
