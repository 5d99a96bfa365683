using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Crypto;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Jlis.Contracts;

namespace Renkei.Jlis.Institutions;

/// <summary>
/// The roles an institution connected to J-LIS (住基ネット) has in <see cref="JlisInstitutions"/>; each is the
/// <see cref="CallerClaims.InstitutionClass"/> its requests carry. A ward's role has the network registry's class name, so
/// a ward known only from the network (when J-LIS is connected to it) has the same role.
/// </summary>
public static class JlisRoles
{
    /// <summary>A ward (市区町村): numbering and card operations for its own residents, certificate status.</summary>
    public const string Municipality = "Municipality";

    /// <summary>The citizen portal (マイナポータル): certificate status.</summary>
    public const string Portal = "Portal";

    /// <summary>A verifier the minister approved (署名検証者・利用者証明検証者), registered at J-LIS: certificate status.</summary>
    public const string Verifier = "Verifier";

    /// <summary>The card call centre (個人番号カードコールセンター, a J-LIS role): suspends and resumes any card by phone, checking the four facts.</summary>
    public const string CardCallCentre = "CardCallCentre";

    /// <summary>
    /// The certificate issuance centre (証明書交付センター, run by J-LIS for convenience-store issuance): asks whose card signed a
    /// kiosk's challenge (<see cref="IssuanceHolderRoutes.Holder"/>, in its own name) and certificate status.
    /// </summary>
    public const string IssuanceCentre = "IssuanceCentre";

    public static readonly IReadOnlyList<string> All = [Municipality, Portal, Verifier, CardCallCentre, IssuanceCentre];

    /// <summary>Approved verifiers (seed 001: government bodies and businesses the minister approves): who may ask certificate status.</summary>
    public static readonly string[] ApprovedVerifiers = [Municipality, Portal, Verifier, CardCallCentre, IssuanceCentre];
}

/// <summary>An institution connected to J-LIS: its code, name, role and signing key (SubjectPublicKeyInfo, base64).</summary>
public sealed record JlisInstitution(string Code, string Name, string Role, string SigningPublicKey);

/// <summary>
/// J-LIS's own registry of the institutions connected to it (住基ネットの接続団体): wards, the portal, approved verifiers
/// and the card call centre, in J-LIS's database (<c>jlis_institutions</c>). Registered by the deployment and the demo
/// (<c>renkei serve --role jlis</c>, <c>renkei demo</c>) the way institutions are registered at the network; J-LIS looks
/// callers up here first and then, when it is connected to the network, in the network's registry
/// (<see cref="Use"/>). Over mutual TLS the certificate names the caller; its code must be registered in one of them.
/// </summary>
public sealed partial class JlisInstitutions : IInstitutionResolver
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private readonly ConcurrentDictionary<string, (string Key, ECDsa Imported)> _keys = new(StringComparer.Ordinal);

    public JlisInstitutions(Database database)
    {
        Database = database ?? throw new ArgumentNullException(nameof(database));
        Migrations.Apply(Database, JlisSchema.Tables);
    }

    public Database Database { get; }

    /// <summary>Registers (or re-registers, with a new key or role) an institution. Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Register(JlisInstitution institution)
    {
        ArgumentNullException.ThrowIfNull(institution);
        if (!CodePattern().IsMatch(institution.Code)) throw new ArgumentException("code must be 6–8 of 0-9 and A-Z", nameof(institution));
        if (string.IsNullOrWhiteSpace(institution.Name)) throw new ArgumentException("name is required", nameof(institution));
        if (!JlisRoles.All.Contains(institution.Role)) throw new ArgumentException($"role must be one of {string.Join(", ", JlisRoles.All)}", nameof(institution));
        try
        {
            using var key = RequestSignature.ImportPublicKey(institution.SigningPublicKey);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new ArgumentException("signingPublicKey is not an ECDSA public key (SubjectPublicKeyInfo, base64)", nameof(institution));
        }
        Database.InTransaction((c, t) =>
        {
            using var upsert = c.Command("""
                INSERT INTO jlis_institutions (code, name, role, signing_public_key, registered_at) VALUES (@c, @n, @r, @k, @at)
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, role = excluded.role, signing_public_key = excluded.signing_public_key,
                  registered_at = excluded.registered_at
                """, t);
            upsert.With("c", institution.Code).With("n", institution.Name).With("r", institution.Role).With("k", institution.SigningPublicKey)
                .With("at", DateTimeOffset.UtcNow.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)).ExecuteNonQuery();
        });
    }

    /// <summary>The registered institution with this code, or null.</summary>
    public JlisInstitution? Find(string code)
    {
        if (!CodePattern().IsMatch(code)) return null;
        using var c = Database.Open();
        using var select = c.Command("SELECT name, role, signing_public_key FROM jlis_institutions WHERE code = @c");
        using var reader = select.With("c", code).ExecuteReader();
        return reader.Read() ? new JlisInstitution(code, reader.GetString(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    /// <summary>Every registered institution, by code.</summary>
    public IReadOnlyList<JlisInstitution> All()
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT code, name, role, signing_public_key FROM jlis_institutions ORDER BY code");
        using var reader = select.ExecuteReader();
        var all = new List<JlisInstitution>();
        while (reader.Read()) all.Add(new JlisInstitution(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return all;
    }

    public ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken)
    {
        if (Find(code) is not { } found) return ValueTask.FromResult<KnownInstitution?>(null);
        // One imported key per code and key text; a replaced key is left to the finalizer (a request may still use it).
        var (_, key) = _keys.AddOrUpdate(code,
            _ => (found.SigningPublicKey, RequestSignature.ImportPublicKey(found.SigningPublicKey)),
            (_, old) => old.Key == found.SigningPublicKey ? old : (found.SigningPublicKey, RequestSignature.ImportPublicKey(found.SigningPublicKey)));
        return ValueTask.FromResult<KnownInstitution?>(new KnownInstitution(code, found.Role, key));
    }

    /// <summary>
    /// Makes J-LIS's callers known to the service (<see cref="RouteAccess.UseInstitutionCallers"/>): its own registry in
    /// <paramref name="database"/>, then <paramref name="network"/> (the network's registry as J-LIS caches it) when J-LIS is
    /// connected to the network. <paramref name="ownCode"/> is the audience signed requests must name.
    /// </summary>
    public static JlisInstitutions Use(WebApplication app, Database database, IInstitutionResolver? network = null,
        string ownCode = JlisTokenRoutes.JlisInstitutionCode, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registry = new JlisInstitutions(database);
        app.Services.UseInstitutionCallers(ownCode, network is null ? registry : new Combined(registry, network),
            clock ?? app.Services.GetService<TimeProvider>());
        return registry;
    }

    /// <summary>J-LIS's own registry first, then the network's.</summary>
    private sealed class Combined(IInstitutionResolver own, IInstitutionResolver network) : IInstitutionResolver
    {
        public async ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken) =>
            await own.FindAsync(code, cancellationToken) ?? await network.FindAsync(code, cancellationToken);
    }

    /// <summary>Institution codes as the network's registry has them: 6–8 of 0-9 and A-Z.</summary>
    [GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial Regex CodePattern();
}
