using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;

namespace Renkei.Jlis.Pki;

/// <summary>One certificate a JPKI CA issued, as the CA records it (no personal information: the facts are only in the certificate).</summary>
public sealed record IssuedCertificateRecord(
    JpkiCertificateKind Kind,
    string SerialNumber,
    CertificateStatus Status,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    DateTimeOffset? RevokedAt,
    X509RevocationReason? Reason);

/// <summary>An entry of a CRL: serial, when, why.</summary>
internal sealed record RevokedEntry(string SerialNumber, DateTimeOffset RevokedAt, X509RevocationReason Reason);

/// <summary>A CA's row: its certificate, the last CRL number used and the current CRL.</summary>
internal sealed record AuthorityRow(string Name, byte[] Certificate, long CrlNumber, byte[]? Crl, DateTimeOffset? CrlNextUpdate);

/// <summary>
/// The JPKI tables in J-LIS's database (SQLite or PostgreSQL): the three CA certificates with their CRL numbers and
/// current CRLs (<c>jpki_authorities</c>), and every issued certificate's serial, kind, status, validity and revocation
/// (<c>jpki_certificates</c>). Certificates themselves are not kept: the signing certificate carries the four basic
/// facts, and the card holds it. Methods taking a connection run inside the caller's transaction.
/// </summary>
internal sealed class JpkiStore(Database database)
{
    public const string Root = "root";

    public Database Database { get; } = database;

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    public static string AuthorityName(JpkiCertificateKind kind) => PkiRoutes.Segment(kind);

    /// <summary>Creates or upgrades J-LIS's tables (<see cref="JlisSchema"/>), the JPKI tables among them.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, JlisSchema.Tables);

    /// <summary>The stored CA certificates by name (empty before the authorities are created).</summary>
    public Dictionary<string, byte[]> AuthorityCertificates()
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT name, certificate FROM jpki_authorities");
        using var reader = select.ExecuteReader();
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.Read()) found[reader.GetString(0)] = (byte[])reader.GetValue(1);
        return found;
    }

    /// <summary>Stores the CA certificates unless some are stored already (a concurrent creator): one transaction, first wins.</summary>
    public void InsertAuthorities(IReadOnlyDictionary<string, byte[]> certificates) => Database.InTransaction((c, t) =>
    {
        using (var any = c.Command("SELECT 1 FROM jpki_authorities LIMIT 1", t))
            if (any.ExecuteScalar() is not null) return;
        foreach (var (name, der) in certificates)
        {
            using var insert = c.Command(
                "INSERT INTO jpki_authorities (name, certificate, crl_number) VALUES (@n, @c, 0) ON CONFLICT (name) DO NOTHING", t);
            insert.With("n", name).With("c", der).ExecuteNonQuery();
        }
    });

    /// <summary>The CA's row; <paramref name="forUpdate"/> locks it until the transaction ends (PostgreSQL; SQLite writers are exclusive).</summary>
    public AuthorityRow Authority(DbConnection c, DbTransaction? t, string name, bool forUpdate = false)
    {
        using var select = c.Command(
            "SELECT certificate, crl_number, crl, crl_next_update FROM jpki_authorities WHERE name = @n" + (forUpdate && IsPostgres ? " FOR UPDATE" : ""), t);
        using var reader = select.With("n", name).ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException($"J-LIS's database has no JPKI CA named {name}");
        return new AuthorityRow(name, (byte[])reader.GetValue(0), reader.GetInt64(1),
            reader.IsDBNull(2) ? null : (byte[])reader.GetValue(2), reader.NullableString(3) is { } next ? Parse(next) : null);
    }

    public void UpdateCrl(DbConnection c, DbTransaction t, string name, long crlNumber, byte[] crl, DateTimeOffset nextUpdate)
    {
        using var update = c.Command("UPDATE jpki_authorities SET crl_number = @n, crl = @crl, crl_next_update = @next WHERE name = @name", t);
        update.With("n", crlNumber).With("crl", crl).With("next", JlisStore.Format(nextUpdate)).With("name", name).ExecuteNonQuery();
    }

    /// <summary>Records a newly issued certificate; false when the serial is taken (the caller draws another).</summary>
    public bool InsertIssued(JpkiCertificateKind kind, string serial, DateTimeOffset notBefore, DateTimeOffset notAfter, DateTimeOffset issuedAt)
    {
        using var c = Database.Open();
        using var insert = c.Command("""
            INSERT INTO jpki_certificates (kind, serial, status, not_before, not_after, issued_at)
            VALUES (@k, @s, 'good', @nb, @na, @at) ON CONFLICT (kind, serial) DO NOTHING
            """);
        insert.With("k", AuthorityName(kind)).With("s", serial).With("nb", JlisStore.Format(notBefore)).With("na", JlisStore.Format(notAfter))
            .With("at", JlisStore.Format(issuedAt));
        return insert.ExecuteNonQuery() == 1;
    }

    public IssuedCertificateRecord? Find(JpkiCertificateKind kind, string serial)
    {
        using var c = Database.Open();
        return Find(c, null, kind, serial);
    }

    public IssuedCertificateRecord? Find(DbConnection c, DbTransaction? t, JpkiCertificateKind kind, string serial)
    {
        using var select = c.Command("""
            SELECT status, not_before, not_after, revoked_at, revocation_reason FROM jpki_certificates WHERE kind = @k AND serial = @s
            """, t);
        using var reader = select.With("k", AuthorityName(kind)).With("s", serial).ExecuteReader();
        if (!reader.Read()) return null;
        return new IssuedCertificateRecord(kind, serial, ParseStatus(reader.GetString(0)), Parse(reader.GetString(1)), Parse(reader.GetString(2)),
            reader.NullableString(3) is { } at ? Parse(at) : null,
            reader.NullableString(4) is { } reason ? Enum.Parse<X509RevocationReason>(reason) : null);
    }

    public void SetStatus(DbConnection c, DbTransaction t, JpkiCertificateKind kind, string serial, CertificateStatus status,
        DateTimeOffset? revokedAt, X509RevocationReason? reason)
    {
        using var update = c.Command("""
            UPDATE jpki_certificates SET status = @st, revoked_at = @at, revocation_reason = @r WHERE kind = @k AND serial = @s
            """, t);
        update.With("st", FormatStatus(status)).With("at", revokedAt is { } at ? JlisStore.Format(at) : null).With("r", reason?.ToString())
            .With("k", AuthorityName(kind)).With("s", serial).ExecuteNonQuery();
    }

    /// <summary>What the CA's CRL lists at <paramref name="now"/>: revoked and suspended certificates that have not expired.</summary>
    public List<RevokedEntry> Listed(DbConnection c, DbTransaction t, JpkiCertificateKind kind, DateTimeOffset now)
    {
        using var select = c.Command("""
            SELECT serial, revoked_at, revocation_reason FROM jpki_certificates
            WHERE kind = @k AND status IN ('revoked', 'suspended') AND not_after > @now ORDER BY serial
            """, t);
        using var reader = select.With("k", AuthorityName(kind)).With("now", JlisStore.Format(now)).ExecuteReader();
        var entries = new List<RevokedEntry>();
        while (reader.Read())
            entries.Add(new RevokedEntry(reader.GetString(0), Parse(reader.GetString(1)), Enum.Parse<X509RevocationReason>(reader.GetString(2))));
        return entries;
    }

    /// <summary>How many certificates each CA issued, by status (for status pages and tests).</summary>
    public Dictionary<(JpkiCertificateKind, CertificateStatus), long> Counts()
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT kind, status, COUNT(*) FROM jpki_certificates GROUP BY kind, status");
        using var reader = select.ExecuteReader();
        var counts = new Dictionary<(JpkiCertificateKind, CertificateStatus), long>();
        while (reader.Read())
            counts[(reader.GetString(0) == AuthorityName(JpkiCertificateKind.Signing) ? JpkiCertificateKind.Signing : JpkiCertificateKind.UserAuthentication,
                ParseStatus(reader.GetString(1)))] = reader.GetInt64(2);
        return counts;
    }

    private static string FormatStatus(CertificateStatus status) => status switch
    {
        CertificateStatus.Good => "good",
        CertificateStatus.Revoked => "revoked",
        CertificateStatus.Suspended => "suspended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static CertificateStatus ParseStatus(string text) => text switch
    {
        "good" => CertificateStatus.Good,
        "revoked" => CertificateStatus.Revoked,
        "suspended" => CertificateStatus.Suspended,
        _ => throw new InvalidDataException("jpki_certificates holds an unknown status"),
    };

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
